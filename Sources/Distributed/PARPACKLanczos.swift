import Foundation
import LinearAlgebra
import _CMPIShim

/// PARPACK's implicitly restarted Lanczos (pdsaupd/pdseupd, mode 1, which = "LA") over
/// MPI_COMM_WORLD on a row-split operator: each rank holds its M_b rows of the residual, of the
/// ncv Lanczos vectors and of the eigenvectors; PARPACK completes its inner products and norms
/// with MPI_Allreduce and keeps the small tridiagonal problem on every rank. The same reverse
/// communication as `ARPACK.largestAlgebraic`, the operator being the own-rows product, and every
/// info code the same typed error. One solve at a time per process (PARPACK keeps its state in
/// Fortran SAVE variables, and an MPI rank runs one solver).
public final class PARPACKLanczos: RowDistributedLanczos {
    public init() {}

    public func largest<Op: RowDistributedOperator>(_ k: Int, ofRows op: Op, options: EigenOptions) throws -> EigenDecomposition {
        let order = op.dimension, rows = op.ownRows, n = rows.count
        let ncv = options.ncv ?? min(order, max(2 * k + 1, k + 20))
        let maxIterations = options.maxIterations ?? min(1000 * k, Int(Int32.max))
        guard k >= 1, k < order, ncv > k, ncv <= order, n >= 1, options.tolerance > 0, options.tolerance.isFinite, maxIterations >= 1 else {
            throw LinearAlgebraError.invalidArgument(
                "PARPACK needs 1 ≤ k < ncv ≤ n, at least one row per rank, tol > 0 and maxIterations ≥ 1 " +
                "(k = \(k), ncv = \(ncv), n = \(order), rows here \(n), tol = \(options.tolerance), maxIterations = \(maxIterations))")
        }
        guard let n32 = Int32(exactly: n), let ncv32 = Int32(exactly: ncv), let k32 = Int32(exactly: k),
              let lworkl32 = Int32(exactly: ncv * (ncv + 8)), let maxIter32 = Int32(exactly: maxIterations),
              Int32(exactly: 3 * n) != nil, Int32(exactly: n * ncv) != nil else {
            throw LinearAlgebraError.invalidArgument("a block of \(n) rows exceeds PARPACK's 32-bit integer range")
        }
        let start = SymmetricEigen.randomStart(order: order, rows: rows, seed: options.seed)

        let work = LanczosWorkspace(rows: n, ncv: ncv, wanted: k, start: start, maxIterations: maxIter32)
        defer { work.deallocate() }
        let (resid, v, workd, workl, iparam, ipntr, select, d, z) =
            (work.resid, work.v, work.workd, work.workl, work.iparam, work.ipntr, work.select, work.d, work.z)

        var ido: Int32 = 0
        var info: Int32 = 1    // `resid` is the start vector
        var applications = 0
        var x = Matrix(rows: n, columns: 1), y = Matrix(rows: n, columns: 1)
        while true {
            coembed_pdsaupd(&ido, "I", n32, "LA", k32, options.tolerance, resid.baseAddress, ncv32, v.baseAddress, n32,
                            iparam.baseAddress, ipntr.baseAddress, workd.baseAddress, workl.baseAddress, lworkl32, &info)
            guard let (xStart, yStart) = try SymmetricEigen.lanczosRequest(routine: "pdsaupd", ido: ido, info: info, ipntr: ipntr, rows: n)
            else { break }
            for i in 0..<n { x.storage[i] = workd[xStart + i] }
            op.applyOwnRows(x, into: &y)
            for i in 0..<n { workd[yStart + i] = y.storage[i] }
            applications += 1
        }

        let iterations = Int(iparam[2])
        let convergedAfterIteration = Int(iparam[4])
        try SymmetricEigen.checkLanczosOutcome(routine: "pdsaupd", info: Int(info), requested: k, iterations: iterations,
                                               converged: convergedAfterIteration)

        var einfo: Int32 = 0
        coembed_pdseupd(1, "A", select.baseAddress, d.baseAddress, z.baseAddress, n32, 0, "I", n32, "LA", k32, options.tolerance,
                        resid.baseAddress, ncv32, v.baseAddress, n32, iparam.baseAddress, ipntr.baseAddress,
                        workd.baseAddress, workl.baseAddress, lworkl32, &einfo)
        let converged = Int(iparam[4])
        try SymmetricEigen.checkRitzOutcome(routine: "pdseupd", info: Int(einfo), requested: k, iterations: iterations, converged: converged)
        // A non-finite entry on one rank must fail every rank (the values are replicated; the
        // vectors are not): agree through one completed count.
        var bad = [d.allSatisfy({ $0.isFinite }) && z.allSatisfy({ $0.isFinite }) ? 0.0 : 1.0]
        bad.withUnsafeMutableBufferPointer { op.sumOverRows($0) }
        guard bad[0] == 0 else {
            throw LinearAlgebraError.nonFinite("pdseupd returned non-finite eigenpairs (does the operator produce NaN or ∞?)")
        }

        // Ritz values ascending → pairs descending; each column's completed sum non-negative.
        let pairs = SymmetricEigen.descendingRitzPairs(d, z, rows: n, count: k)
        var vectors = pairs.vectors
        var sums = (0..<k).map { j in (0..<n).reduce(0.0) { $0 + vectors.storage[$1 + j * n] } }
        sums.withUnsafeMutableBufferPointer { op.sumOverRows($0) }
        for j in 0..<k where sums[j] < 0 { for i in 0..<n { vectors.storage[i + j * n] = -vectors.storage[i + j * n] } }
        return EigenDecomposition(
            values: pairs.values, vectors: vectors,
            info: EigenConvergence(method: .arpack, requested: k, converged: converged, iterations: iterations,
                                   operatorApplications: applications, tolerance: options.tolerance))
    }
}
