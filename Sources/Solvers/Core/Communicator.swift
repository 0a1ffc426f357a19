#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The collective operations the block-decomposed objective needs, so that the same code runs on
/// threads in one process (`ThreadTeam`) and, later, on MPI ranks.
///
/// Model: `size` participants, numbered `rank` = 0 ..< size, run the same sequence of collective
/// calls (SPMD). Each collective returns only when every participant has made the matching call;
/// the buffers are each participant's own memory. Semantics an implementation must keep:
///
/// * `allreduceSum(buffer)`: every participant's buffer becomes the element-wise sum of all
///   participants' buffers (equal lengths). The sum of each element is taken **in rank order**
///   (((b₀ + b₁) + b₂) + …) so that every participant holds bitwise the same result and the
///   result does not depend on timing. (MPI_Allreduce with MPI_IN_PLACE and MPI_SUM does not
///   promise an order; an MPI implementation must use a fixed-order reduction — e.g. a gather to
///   rank 0, an ordered sum, a broadcast — or accept and document rounding-level differences.)
/// * `broadcast(buffer, root:)`: every buffer becomes a copy of `root`'s.
/// * `barrier()`: returns when every participant has called it.
///
/// Errors: a participant that fails (throws out of its work) must make every other participant's
/// pending and future collectives throw `CommunicatorError.peerFailed` instead of waiting forever.
/// Collectives are called from one thread per participant; a communicator is not shared between
/// participants (each has its own object, as each MPI rank has its own process).
public protocol Communicator: AnyObject {
    var rank: Int { get }
    var size: Int { get }
    func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Double>) throws
    func broadcast(_ buffer: UnsafeMutableBufferPointer<Double>, root: Int) throws
    func barrier() throws
    /// Concatenation: participant r contributes `counts[r]` values (`local.count == counts[rank]`);
    /// every participant's `result` (Σ counts values) receives them in rank order.
    func allgather(_ local: UnsafeBufferPointer<Double>, into result: UnsafeMutableBufferPointer<Double>, counts: [Int]) throws
}

extension Communicator {
    /// The sum over participants of one number (in rank order).
    public func allreduceSum(_ value: Double) throws -> Double {
        var x = value
        try withUnsafeMutablePointer(to: &x) { try allreduceSum(UnsafeMutableBufferPointer(start: $0, count: 1)) }
        return x
    }
}

extension Communicator {
    /// The allgather as an allreduce of zero-padded buffers: x + 0 = x, so the result is exact.
    /// Costs a full-length reduction; MPI overrides it with MPI_Allgatherv.
    public func allgather(_ local: UnsafeBufferPointer<Double>, into result: UnsafeMutableBufferPointer<Double>, counts: [Int]) throws {
        precondition(counts.count == size && local.count == counts[rank] && result.count == counts.reduce(0, +))
        let offset = counts[..<rank].reduce(0, +)
        result.update(repeating: 0)
        for k in 0..<local.count { result[offset + k] = local[k] }
        try allreduceSum(result)
    }
}
