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
        let lworkl = Int(lworkl32)

        // ARPACK keeps indices (not pointers) between calls, but the arrays must not move or be
        // copied during the loop, so they are allocated manually rather than as Swift arrays.
        let resid = UnsafeMutableBufferPointer<Double>.allocate(capacity: n)
        let v = UnsafeMutableBufferPointer<Double>.allocate(capacity: n * ncv)
        let workd = UnsafeMutableBufferPointer<Double>.allocate(capacity: 3 * n)
        let workl = UnsafeMutableBufferPointer<Double>.allocate(capacity: lworkl)
        let iparam = UnsafeMutableBufferPointer<Int32>.allocate(capacity: 11)
        let ipntr = UnsafeMutableBufferPointer<Int32>.allocate(capacity: 14)
        let select = UnsafeMutableBufferPointer<Int32>.allocate(capacity: ncv)
        let d = UnsafeMutableBufferPointer<Double>.allocate(capacity: k)
        let z = UnsafeMutableBufferPointer<Double>.allocate(capacity: n * k)
        defer {
            for p in [resid, v, workd, workl, d, z] { p.deallocate() }
            for p in [iparam, ipntr, select] { p.deallocate() }
        }
        _ = resid.initialize(from: start)
        v.initialize(repeating: 0)
        workd.initialize(repeating: 0)
        workl.initialize(repeating: 0)
        iparam.initialize(repeating: 0)
        ipntr.initialize(repeating: 0)
        select.initialize(repeating: 0)
        d.initialize(repeating: 0)
        z.initialize(repeating: 0)

        iparam[0] = 1          // exact shifts
        iparam[2] = maxIter32  // maximum number of restarts
        iparam[6] = 1          // mode 1: standard problem A·x = λ·x

        var ido: Int32 = 0
        var info: Int32 = 1    // use `resid` as the starting vector
        var applications = 0

        lock.lock()
        defer { lock.unlock() }

        while true {
            dsaupd_c(&ido, "I", n32, "LA", k32, tolerance, resid.baseAddress, ncv32, v.baseAddress, n32,
                     iparam.baseAddress, ipntr.baseAddress, workd.baseAddress, workl.baseAddress, lworkl32, &info)
            if ido == -1 || ido == 1 {
                let xStart = Int(ipntr[0]) - 1, yStart = Int(ipntr[1]) - 1
                guard xStart >= 0, yStart >= 0, xStart + n <= 3 * n, yStart + n <= 3 * n else {
                    throw LinearAlgebraError.arpackFailure(routine: "dsaupd", info: Int(info),
                                                           reason: "returned workspace pointers outside workd")
                }
                op.apply(UnsafeBufferPointer(rebasing: workd[xStart..<(xStart + n)]),
                         into: UnsafeMutableBufferPointer(rebasing: workd[yStart..<(yStart + n)]))
                applications += 1
            } else if ido == 99 {
                break
            } else {
                throw LinearAlgebraError.arpackFailure(
                    routine: "dsaupd", info: Int(info),
                    reason: "unexpected reverse-communication request ido = \(ido) for a standard (mode 1) problem")
            }
        }

        let iterations = Int(iparam[2])
        let convergedAfterIteration = Int(iparam[4])
        try SymmetricEigen.checkLanczosOutcome(routine: "dsaupd", info: Int(info), requested: k, iterations: iterations,
                                               converged: convergedAfterIteration)

        var einfo: Int32 = 0
        dseupd_c(1, "A", select.baseAddress, d.baseAddress, z.baseAddress, n32, 0, "I", n32, "LA", k32, tolerance,
                 resid.baseAddress, ncv32, v.baseAddress, n32, iparam.baseAddress, ipntr.baseAddress,
                 workd.baseAddress, workl.baseAddress, lworkl32, &einfo)
        guard einfo == 0 else {
            throw LinearAlgebraError.arpackFailure(routine: "dseupd", info: Int(einfo), reason: dseupdReason(Int(einfo)))
        }
        let converged = Int(iparam[4])
        guard converged >= k else {
            throw LinearAlgebraError.notConverged(requested: k, converged: converged, iterations: iterations)
        }
        guard d.allSatisfy({ $0.isFinite }), z.allSatisfy({ $0.isFinite }) else {
            throw LinearAlgebraError.nonFinite("dseupd returned non-finite eigenpairs (does the operator produce NaN or ∞?)")
        }

        // ARPACK returns the Ritz values ascending; reorder pairs descending (stable on ties).
        let order = (0..<k).sorted { d[$0] > d[$1] || (d[$0] == d[$1] && $0 < $1) }
        var vectors = Matrix(rows: n, columns: k)
        vectors.storage.withUnsafeMutableBufferPointer { out in
            for (j, src) in order.enumerated() {
                for i in 0..<n { out[i + j * n] = z[i + src * n] }
            }
        }
        return Result(values: order.map { d[$0] }, vectors: vectors, converged: converged,
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
