import Testing
import LinearAlgebra
@testable import Solvers

/// The coefficient-form two-loop recursion over the contiguous pair buffer against the textbook
/// two-loop recursion on explicit vectors.
@Suite struct PerfLBFGSTests {
    @Test(arguments: [1, 3, 10])
    func coefficientFormMatchesTwoLoopRecursion(memory: Int) throws {
        let n = 257
        var rng = SeededGenerator(seed: UInt64(40 + memory))
        var history = LBFGSHistory(length: n, memory: memory)
        // A convex quadratic's curvature pairs (y = A·s with A SPD) plus a few rejected ones.
        let a = (0..<n).map { _ in 0.5 + 2 * rng.nextUniform() }
        var gOld = (0..<n).map { _ in rng.nextGaussian() }
        for step in 0..<(2 * memory + 3) {
            let g = gOld.map { $0 }
            var d = [Double](repeating: 0, count: n)
            g.withUnsafeBufferPointer { gp in d.withUnsafeMutableBufferPointer { history.direction(gradient: gp, into: $0) } }
            let pairs = (0..<history.count).map { history.pair($0) }
            let reference = LBFGSHistory.twoLoopReference(s: pairs.map(\.s), y: pairs.map(\.y), gradient: g)
            let scale = reference.map(abs).max()!
            let worst = zip(d, reference).map { abs($0 - $1) }.max()!
            #expect(worst <= 1e-12 * scale, "step \(step): \(worst) vs scale \(scale)")
            // Take a step along d and record the pair.
            let alpha = step % 3 == 2 ? 1e-3 : 0.3 + rng.nextUniform()
            let dir = d
            var gNew = [Double](repeating: 0, count: n)
            for i in 0..<n { gNew[i] = g[i] + a[i] * alpha * dir[i] }
            let before = history.count
            dir.withUnsafeBufferPointer { dp in gNew.withUnsafeBufferPointer { gn in g.withUnsafeBufferPointer { go in
                _ = history.append(alpha: alpha, direction: dp, newGradient: gn, oldGradient: go)
            }}}
            #expect(history.count == min(memory, before + 1))
            gOld = gNew
        }
        // A pair with negative curvature is refused and leaves the history unchanged.
        let before = history.count
        let g = gOld
        var dir = [Double](repeating: 0, count: n)
        g.withUnsafeBufferPointer { gp in dir.withUnsafeMutableBufferPointer { history.direction(gradient: gp, into: $0) } }
        let gNew = zip(g, dir).map { $0 - $1 } // y = −d, s = d: sᵀy < 0
        dir.withUnsafeBufferPointer { dp in gNew.withUnsafeBufferPointer { gn in g.withUnsafeBufferPointer { go in
            #expect(history.append(alpha: 1, direction: dp, newGradient: gn, oldGradient: go) < 0)
        }}}
        #expect(history.count == before)
        var d = [Double](repeating: 0, count: n)
        g.withUnsafeBufferPointer { gp in d.withUnsafeMutableBufferPointer { history.direction(gradient: gp, into: $0) } }
        let pairs = (0..<history.count).map { history.pair($0) }
        let reference = LBFGSHistory.twoLoopReference(s: pairs.map(\.s), y: pairs.map(\.y), gradient: g)
        #expect(zip(d, reference).map { abs($0 - $1) }.max()! <= 1e-12 * reference.map(abs).max()!)
    }

    /// With a column scaling p (H0 = γ·P, P = diag(p) on the columns, ¼ before any pair), the
    /// coefficient form against the two-loop recursion on explicit vectors with that H0. The buffer
    /// holds ŷ = y·P, so the reference gets y = ŷ / p back.
    @Test(arguments: [1, 4])
    func scaledCoefficientFormMatchesTwoLoopRecursion(memory: Int) throws {
        let rows = 37, columns = 7, n = rows * columns
        var rng = SeededGenerator(seed: UInt64(70 + memory))
        let p = (0..<columns).map { _ in 0.01 + 10 * rng.nextUniform() } // badly scaled on purpose
        var history = LBFGSHistory(length: n, memory: memory)
        history.initialScale = 0.25
        history.setScaling(p)
        let a = (0..<n).map { i in (0.5 + 2 * rng.nextUniform()) / p[i / rows] } // curvature matched to the scaling
        var g = (0..<n).map { _ in rng.nextGaussian() }
        for step in 0..<(2 * memory + 3) {
            var d = [Double](repeating: 0, count: n)
            g.withUnsafeBufferPointer { gp in d.withUnsafeMutableBufferPointer { history.direction(gradient: gp, into: $0) } }
            let pairs = (0..<history.count).map { history.pair($0) }
            let ys = pairs.map { pair in pair.y.indices.map { pair.y[$0] / p[$0 / rows] } }
            let reference = LBFGSHistory.twoLoopReference(s: pairs.map(\.s), y: ys, gradient: g, scaling: p, initialScale: 0.25)
            let worst = zip(d, reference).map { abs($0 - $1) }.max()!
            #expect(worst <= 1e-11 * reference.map(abs).max()!, "step \(step): \(worst)")
            #expect(zip(d, g).reduce(0) { $0 + $1.0 * $1.1 } < 0) // a descent direction
            let alpha = step % 3 == 2 ? 1e-3 : 0.3 + rng.nextUniform()
            let gNew = (0..<n).map { g[$0] + a[$0] * alpha * d[$0] }
            // Odd steps pass sᵀy from "the line search" (the one-pass path), even steps let it be computed.
            let curvature = alpha * (0..<n).reduce(0.0) { $0 + d[$1] * (gNew[$1] - g[$1]) }
            d.withUnsafeBufferPointer { dp in gNew.withUnsafeBufferPointer { gn in g.withUnsafeBufferPointer { go in
                _ = history.append(alpha: alpha, direction: dp, newGradient: gn, oldGradient: go,
                                   expectedCurvature: step % 2 == 1 ? curvature : nil)
            }}}
            g = gNew
        }
        // A pair whose given curvature fails the test is refused without touching the history.
        let before = history.count
        var d = [Double](repeating: 0, count: n)
        g.withUnsafeBufferPointer { gp in d.withUnsafeMutableBufferPointer { history.direction(gradient: gp, into: $0) } }
        d.withUnsafeBufferPointer { dp in g.withUnsafeBufferPointer { gp in
            #expect(history.append(alpha: 1, direction: dp, newGradient: gp, oldGradient: gp, expectedCurvature: -1) == -1)
        }}
        #expect(history.count == before)
        // Setting the scaling again drops the pairs (they were built under the old P).
        history.setScaling(p.map { 2 * $0 })
        #expect(history.count == 0)
    }
}
