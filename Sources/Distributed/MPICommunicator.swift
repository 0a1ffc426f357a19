import _CMPIShim
import Solvers

@inline(__always) func check(_ code: Int32, _ call: String) throws {
    if code != 0 { throw MPIError(call: call, code: code) }
}

/// MPI_COMM_WORLD as a `Communicator` (OpenMPI through the `_CMPIShim` C wrappers).
///
/// `allreduceSum` keeps the protocol's promise of a rank-ordered sum, bitwise the same on every
/// rank, which MPI_Allreduce does not make (its reduction tree depends on the implementation and
/// the message sizes). It is a reduce-scatter done by hand followed by an allgather:
///
/// 1. the buffer is cut into `size` slices; an MPI_Alltoallv sends slice r of every rank to rank r;
/// 2. rank r sums its slice's `size` copies in rank order ((b₀ + b₁) + b₂) + …;
/// 3. an MPI_Allgatherv (in place) hands every rank all the summed slices.
///
/// Cost per rank: it sends and receives 2·n·(size − 1)/size numbers for a buffer of n, the same
/// volume as a bandwidth-optimal (ring) MPI_Allreduce, in two collectives instead of one; the
/// scratch is n numbers. A gather to rank 0 + ordered sum + broadcast would be simpler but moves
/// (size − 1)·n numbers through rank 0 and needs size·n scratch there. Buffers are processed in
/// pieces of at most `pieceLength` numbers (bounded scratch, MPI's int counts).
public final class MPICommunicator: Communicator {
    public let rank: Int
    public let size: Int
    /// Largest piece of a buffer reduced in one round (16 M numbers = 128 MB).
    public static let pieceLength = 1 << 24
    private var scratch: [Double] = []

    /// Needs `MPIEnvironment.initialize()` first.
    init() throws {
        var r: Int32 = 0, s: Int32 = 0
        try check(coembed_mpi_rank(&r), "MPI_Comm_rank")
        try check(coembed_mpi_size(&s), "MPI_Comm_size")
        rank = Int(r)
        size = Int(s)
    }

    public func barrier() throws { try check(coembed_mpi_barrier(), "MPI_Barrier") }

    public func broadcast(_ buffer: UnsafeMutableBufferPointer<Double>, root: Int) throws {
        precondition(root >= 0 && root < size)
        guard size > 1, let base = buffer.baseAddress, buffer.count > 0 else { return }
        try check(coembed_mpi_bcast_double(base, Int64(buffer.count), Int32(root)), "MPI_Bcast")
    }

    public func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Double>) throws {
        guard size > 1, let base = buffer.baseAddress, buffer.count > 0 else { return }
        var start = 0
        while start < buffer.count {
            let length = min(Self.pieceLength, buffer.count - start)
            try orderedAllreduce(base + start, count: length)
            start += length
        }
    }

    private func slice(_ r: Int, of count: Int) -> Range<Int> { (r * count / size)..<((r + 1) * count / size) }

    private func orderedAllreduce(_ buffer: UnsafeMutablePointer<Double>, count: Int) throws {
        let sendCounts = (0..<size).map { Int64(slice($0, of: count).count) }
        let sendOffsets = (0..<size).map { Int64(slice($0, of: count).lowerBound) }
        let own = slice(rank, of: count)
        if scratch.count < own.count * size { scratch = [Double](repeating: 0, count: own.count * size) }
        let receiveCounts = [Int64](repeating: Int64(own.count), count: size)
        let receiveOffsets = (0..<size).map { Int64($0 * own.count) }
        try scratch.withUnsafeMutableBufferPointer { sb in
            let s = sb.baseAddress!
            try check(coembed_mpi_alltoallv_double(buffer, sendCounts, sendOffsets, s, receiveCounts, receiveOffsets), "MPI_Alltoallv")
            for k in 0..<own.count {
                var sum = s[k]
                for r in 1..<size { sum += s[r * own.count + k] }
                buffer[own.lowerBound + k] = sum
            }
        }
        try check(coembed_mpi_allgatherv_inplace_double(buffer, sendCounts, sendOffsets), "MPI_Allgatherv")
    }

    public func allgather(_ local: UnsafeBufferPointer<Double>, into result: UnsafeMutableBufferPointer<Double>, counts: [Int]) throws {
        precondition(counts.count == size && local.count == counts[rank] && result.count == counts.reduce(0, +))
        var offsets: [Int64] = [], running: Int64 = 0
        for c in counts { offsets.append(running); running += Int64(c) }
        if size == 1 {
            if local.count > 0 { result.baseAddress!.update(from: local.baseAddress!, count: local.count) }
            return
        }
        // An empty contribution may pass a nil send buffer: MPI reads no element of it.
        guard let receive = result.baseAddress else { return }
        try check(coembed_mpi_allgatherv_double(local.baseAddress, Int64(local.count), receive, counts.map(Int64.init), offsets), "MPI_Allgatherv")
    }
}
