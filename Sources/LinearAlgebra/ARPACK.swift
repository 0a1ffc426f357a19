import Foundation
import _CARPACK

/// The implicitly restarted Lanczos driver (ARPACK `dsaupd`/`dseupd`, mode 1, `which = "LA"`).
///
/// Internal: `SymmetricEigen.largest` is the public front and validates arguments first.
/// ARPACK keeps its iteration state in Fortran `SAVE` variables, so it is not reentrant: every
/// complete call sequence (the reverse-communication loop plus `dseupd`) runs behind one
/// process-wide lock. The operator is applied while the lock is held, so an operator must not
/// itself start an ARPACK solve.
enum ARPACK {
    /// Serialises every ARPACK call sequence in the process.
    private static let lock = NSLock()

    /// What a successful run produced, eigenpairs already in descending order.
    struct Result {
        var values: [Double]
        var vectors: Matrix
        var converged: Int
        var iterations: Int
        var operatorApplications: Int
    }

    /// The `k` algebraically largest eigenpairs of `op`, starting the Lanczos process from `start`
    /// (passed as ARPACK's `resid` with `info = 1`, so ARPACK's internal random start is never used).
    static func largestAlgebraic<Op: SymmetricOperator>(
        _ k: Int, of op: Op, tolerance: Double, maxIterations: Int, ncv: Int, start: [Double]
    ) throws -> Result {
        let n = op.dimension
        guard k >= 1, k < n, ncv > k, ncv <= n, start.count == n, tolerance > 0, maxIterations >= 1 else {
            throw LinearAlgebraError.invalidArgument(
                "ARPACK needs 1 ≤ k < ncv ≤ n, a start vector of length n, tol > 0 and maxIterations ≥ 1 " +
                "(k = \(k), ncv = \(ncv), n = \(n), start has \(start.count), tol = \(tolerance), maxIterations = \(maxIterations))")
        }
        guard let n32 = Int32(exactly: n), let ncv32 = Int32(exactly: ncv), let k32 = Int32(exactly: k),
              let lworkl32 = Int32(exactly: ncv * (ncv + 8)), let maxIter32 = Int32(exactly: min(maxIterations, Int(Int32.max))),
              Int32(exactly: 3 * n) != nil else {
            throw LinearAlgebraError.invalidArgument("problem of order \(n) exceeds ARPACK's 32-bit integer range")
        }

        let work = LanczosWorkspace(rows: n, ncv: ncv, wanted: k, start: start, maxIterations: maxIter32)
        defer { work.deallocate() }
        let (resid, v, workd, workl, iparam, ipntr, select, d, z) =
            (work.resid, work.v, work.workd, work.workl, work.iparam, work.ipntr, work.select, work.d, work.z)

        var ido: Int32 = 0
        var info: Int32 = 1    // use `resid` as the starting vector
        var applications = 0

        lock.lock()
        defer { lock.unlock() }

        while true {
            dsaupd_c(&ido, "I", n32, "LA", k32, tolerance, resid.baseAddress, ncv32, v.baseAddress, n32,
                     iparam.baseAddress, ipntr.baseAddress, workd.baseAddress, workl.baseAddress, lworkl32, &info)
            guard let (xStart, yStart) = try SymmetricEigen.lanczosRequest(routine: "dsaupd", ido: ido, info: info, ipntr: ipntr, rows: n)
            else { break }
            op.apply(UnsafeBufferPointer(rebasing: workd[xStart..<(xStart + n)]),
                     into: UnsafeMutableBufferPointer(rebasing: workd[yStart..<(yStart + n)]))
            applications += 1
        }

        let iterations = Int(iparam[2])
        let convergedAfterIteration = Int(iparam[4])
        try SymmetricEigen.checkLanczosOutcome(routine: "dsaupd", info: Int(info), requested: k, iterations: iterations,
                                               converged: convergedAfterIteration)

        var einfo: Int32 = 0
        dseupd_c(1, "A", select.baseAddress, d.baseAddress, z.baseAddress, n32, 0, "I", n32, "LA", k32, tolerance,
                 resid.baseAddress, ncv32, v.baseAddress, n32, iparam.baseAddress, ipntr.baseAddress,
                 workd.baseAddress, workl.baseAddress, lworkl32, &einfo)
        let converged = Int(iparam[4])
        try SymmetricEigen.checkRitzOutcome(routine: "dseupd", info: Int(einfo), requested: k, iterations: iterations, converged: converged)
        guard d.allSatisfy({ $0.isFinite }), z.allSatisfy({ $0.isFinite }) else {
            throw LinearAlgebraError.nonFinite("dseupd returned non-finite eigenpairs (does the operator produce NaN or ∞?)")
        }

        // ARPACK returns the Ritz values ascending; reorder pairs descending (stable on ties).
        let pairs = SymmetricEigen.descendingRitzPairs(d, z, rows: n, count: k)
        return Result(values: pairs.values, vectors: pairs.vectors, converged: converged,
                      iterations: iterations, operatorApplications: applications)
    }

    /// ARPACK's documented meaning of a non-zero `dsaupd` info code.
    static func dsaupdReason(_ info: Int) -> String {
        switch info {
        case 1: return "maximum number of iterations reached"
        case 2: return "no longer an informational error (deprecated code)"
        case 3: return "no shifts could be applied during a cycle of the implicitly restarted Arnoldi iteration; try a larger ncv"
        case -1: return "N must be positive"
        case -2: return "NEV must be positive"
        case -3: return "NCV must be greater than NEV and less than or equal to N"
        case -4: return "the maximum number of Arnoldi update iterations must be greater than zero"
        case -5: return "WHICH must be one of 'LM', 'SM', 'LA', 'SA' or 'BE'"
        case -6: return "BMAT must be one of 'I' or 'G'"
        case -7: return "length of private work array WORKL is not sufficient"
        case -8: return "error return from the tridiagonal eigenvalue calculation (LAPACK dsteqr)"
        case -9: return "starting vector is zero"
        case -10: return "IPARAM(7) (mode) must be 1, 2, 3, 4 or 5"
        case -11: return "IPARAM(7) = 1 and BMAT = 'G' are incompatible"
        case -12: return "IPARAM(1) (ishift) must be 0 or 1"
        case -13: return "NEV and WHICH = 'BE' are incompatible"
        case -9999: return "could not build an Arnoldi factorization; IPARAM(5) holds the size of the current factorization"
        default: return "undocumented info code"
        }
    }

    /// ARPACK's documented meaning of a non-zero `dseupd` info code.
    static func dseupdReason(_ info: Int) -> String {
        switch info {
        case -1: return "N must be positive"
        case -2: return "NEV must be positive"
        case -3: return "NCV must be greater than NEV and less than or equal to N"
        case -5: return "WHICH must be one of 'LM', 'SM', 'LA', 'SA' or 'BE'"
        case -6: return "BMAT must be one of 'I' or 'G'"
        case -7: return "length of private work WORKL array is not sufficient"
        case -8: return "error return from the tridiagonal eigenvalue calculation (LAPACK dsteqr)"
        case -9: return "starting vector is zero"
        case -10: return "IPARAM(7) (mode) must be 1, 2, 3, 4 or 5"
        case -11: return "IPARAM(7) = 1 and BMAT = 'G' are incompatible"
        case -12: return "NEV and WHICH = 'BE' are incompatible"
        case -14: return "dsaupd did not find any eigenvalues to sufficient accuracy"
        case -15: return "HOWMNY must be one of 'A' or 'S' if RVEC = true"
        case -16: return "HOWMNY = 'S' is not implemented"
        case -17: return "dseupd got a different count of converged Ritz values than dsaupd; the data passed between them was modified"
        default: return "undocumented info code"
        }
    }
}
