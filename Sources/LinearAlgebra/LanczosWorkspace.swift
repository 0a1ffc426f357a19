/// The arrays of one (p)dsaupd/(p)dseupd run (mode 1, which = "LA") on `n` rows with `ncv` Lanczos
/// vectors and `k` wanted pairs, allocated by hand: ARPACK keeps indices (not pointers) between
/// calls, so the arrays must not move or be copied during the loop, as Swift arrays may. `resid`
/// holds the start vector, everything else starts at zero, and `iparam` asks for exact shifts, at
/// most `maxIterations` restarts and the standard problem A·x = λ·x. Call `deallocate()` when done.
public struct LanczosWorkspace {
    public let resid, v, workd, workl, d, z: UnsafeMutableBufferPointer<Double>
    public let iparam, ipntr, select: UnsafeMutableBufferPointer<Int32>

    /// `start.count == n`; workl holds ncv·(ncv + 8) numbers.
    public init(rows n: Int, ncv: Int, wanted k: Int, start: [Double], maxIterations: Int32) {
        precondition(start.count == n)
        resid = .allocate(capacity: n)
        v = .allocate(capacity: n * ncv)
        workd = .allocate(capacity: 3 * n)
        workl = .allocate(capacity: ncv * (ncv + 8))
        iparam = .allocate(capacity: 11)
        ipntr = .allocate(capacity: 14)
        select = .allocate(capacity: ncv)
        d = .allocate(capacity: k)
        z = .allocate(capacity: n * k)
        _ = resid.initialize(from: start)
        for p in [v, workd, workl, d, z] { p.initialize(repeating: 0) }
        for p in [iparam, ipntr, select] { p.initialize(repeating: 0) }
        iparam[0] = 1              // exact shifts
        iparam[2] = maxIterations  // maximum number of restarts
        iparam[6] = 1              // mode 1: standard problem A·x = λ·x
    }

    public func deallocate() {
        for p in [resid, v, workd, workl, d, z] { p.deallocate() }
        for p in [iparam, ipntr, select] { p.deallocate() }
    }
}
