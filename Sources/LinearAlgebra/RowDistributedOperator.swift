/// A symmetric operator of order `dimension` whose vectors are split by rows across participants
/// (MPI ranks or the threads of a team): each participant holds only the rows `ownRows` of every
/// n-vector and n × b panel. Every method is collective — all participants call it in the same
/// order.
///
/// `applyOwnRows` gives each participant its rows of A·X from its rows of X. `sumOverRows` completes
/// partial sums over rows (an inner product, a Gram matrix, a column norm²): it must return
/// bitwise the same totals on every participant, so that iterative solvers built on it take the
/// same decisions everywhere without exchanging them.
public protocol RowDistributedOperator {
    /// n, the operator's order (all rows, every participant the same).
    var dimension: Int { get }
    /// The rows of every vector this participant holds.
    var ownRows: Range<Int> { get }
    /// y ← the own rows of A·X, for X given by its own rows (`x.rows == ownRows.count`).
    func applyOwnRows(_ x: Matrix, into y: inout Matrix)
    /// Partial sums in, totals over every participant out (the same bits everywhere).
    func sumOverRows(_ partial: UnsafeMutableBufferPointer<Double>)
}

extension SymmetricEigen {
    /// Rows `rows` of the one-process ARPACK start vector of an order-`n` operator (uniform in
    /// [−1, 1), SplitMix64 from `seed`), bitwise, without drawing the others: SplitMix64's state
    /// after i draws is seed + i·γ.
    public static func randomStart(order n: Int, rows: Range<Int>, seed: UInt64) -> [Double] {
        precondition(rows.lowerBound >= 0 && rows.upperBound <= n)
        var rng = SplitMix64(seed: seed &+ UInt64(rows.lowerBound) &* 0x9E37_79B9_7F4A_7C15)
        return rows.map { _ in rng.nextSigned() }
    }

    /// ARPACK's (and PARPACK's) documented meaning of a non-zero `dsaupd` / `dseupd` info code.
    public static func arpackReason(routine: String, info: Int) -> String {
        routine.hasSuffix("seupd") ? ARPACK.dseupdReason(info) : ARPACK.dsaupdReason(info)
    }

    /// The end of a (p)dsaupd reverse-communication loop: info 0, or 1 (iteration limit) on the
    /// restart that converged the last wanted pair, is success; any other outcome is the typed
    /// error (too few pairs converged, or the routine's documented failure).
    public static func checkLanczosOutcome(routine: String, info: Int, requested k: Int, iterations: Int, converged: Int) throws {
        switch info {
        case 0, 1: // 1 = the iteration limit, fine when it came on the restart that converged the last pair
            guard converged >= k else { throw LinearAlgebraError.notConverged(requested: k, converged: converged, iterations: iterations) }
        default:
            throw LinearAlgebraError.arpackFailure(routine: routine, info: info, reason: arpackReason(routine: routine, info: info))
        }
    }

    /// One request of a (p)dsaupd reverse-communication loop for a standard (mode 1) problem with
    /// `n` rows: for ido −1 or 1 the 0-based offsets in `workd` (3n numbers) of x and of y ← A·x;
    /// nil for ido 99 (done). Any other request, or offsets outside `workd`, is the typed error.
    public static func lanczosRequest(routine: String, ido: Int32, info: Int32, ipntr: UnsafeMutableBufferPointer<Int32>,
                                      rows n: Int) throws -> (x: Int, y: Int)? {
        if ido == -1 || ido == 1 {
            let xStart = Int(ipntr[0]) - 1, yStart = Int(ipntr[1]) - 1
            guard xStart >= 0, yStart >= 0, xStart + n <= 3 * n, yStart + n <= 3 * n else {
                throw LinearAlgebraError.arpackFailure(routine: routine, info: Int(info),
                                                       reason: "returned workspace pointers outside workd")
            }
            return (xStart, yStart)
        } else if ido == 99 {
            return nil
        } else {
            throw LinearAlgebraError.arpackFailure(
                routine: routine, info: Int(info),
                reason: "unexpected reverse-communication request ido = \(ido) for a standard (mode 1) problem")
        }
    }

    /// The end of (p)dseupd: info 0 and at least k converged pairs (`converged`, iparam(5)), else the
    /// typed error (the routine's documented failure, or too few pairs converged).
    public static func checkRitzOutcome(routine: String, info: Int, requested k: Int, iterations: Int, converged: Int) throws {
        guard info == 0 else {
            throw LinearAlgebraError.arpackFailure(routine: routine, info: info, reason: arpackReason(routine: routine, info: info))
        }
        guard converged >= k else {
            throw LinearAlgebraError.notConverged(requested: k, converged: converged, iterations: iterations)
        }
    }

    /// (p)dseupd's Ritz pairs, values ascending in `d` (k numbers) and vectors the columns of `z`
    /// (n × k), as pairs descending (stable on ties).
    public static func descendingRitzPairs(_ d: UnsafeMutableBufferPointer<Double>, _ z: UnsafeMutableBufferPointer<Double>,
                                           rows n: Int, count k: Int) -> (values: [Double], vectors: Matrix) {
        let order = (0..<k).sorted { d[$0] > d[$1] || (d[$0] == d[$1] && $0 < $1) }
        var vectors = Matrix(rows: n, columns: k)
        vectors.storage.withUnsafeMutableBufferPointer { out in
            for (j, src) in order.enumerated() {
                for i in 0..<n { out[i + j * n] = z[i + src * n] }
            }
        }
        return (order.map { d[$0] }, vectors)
    }
}
