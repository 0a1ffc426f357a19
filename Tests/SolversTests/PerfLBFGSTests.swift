import Testing
import LinearAlgebra
import TestSupport
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
            _ = g.withUnsafeBufferPointer { gp in d.withUnsafeMutableBufferPointer { history.direction(gradient: gp, into: $0) } }
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
        _ = g.withUnsafeBufferPointer { gp in dir.withUnsafeMutableBufferPointer { history.direction(gradient: gp, into: $0) } }
        let gNew = zip(g, dir).map { $0 - $1 } // y = −d, s = d: sᵀy < 0
        dir.withUnsafeBufferPointer { dp in gNew.withUnsafeBufferPointer { gn in g.withUnsafeBufferPointer { go in
            #expect(history.append(alpha: 1, direction: dp, newGradient: gn, oldGradient: go) < 0)
        }}}
        #expect(history.count == before)
        var d = [Double](repeating: 0, count: n)
        _ = g.withUnsafeBufferPointer { gp in d.withUnsafeMutableBufferPointer { history.direction(gradient: gp, into: $0) } }
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
            _ = g.withUnsafeBufferPointer { gp in d.withUnsafeMutableBufferPointer { history.direction(gradient: gp, into: $0) } }
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
        _ = g.withUnsafeBufferPointer { gp in d.withUnsafeMutableBufferPointer { history.direction(gradient: gp, into: $0) } }
        d.withUnsafeBufferPointer { dp in g.withUnsafeBufferPointer { gp in
            #expect(history.append(alpha: 1, direction: dp, newGradient: gp, oldGradient: gp, expectedCurvature: -1) == -1)
        }}
        #expect(history.count == before)
        // Setting the scaling again drops the pairs (they were built under the old P).
        history.setScaling(p.map { 2 * $0 })
        #expect(history.count == 0)
    }

    /// Float32 pairs: the coefficient form against the two-loop recursion on the pairs as stored
    /// (rounded to Float32; the Gram entries come from the Float64 values, so agreement is to
    /// the rounding of the pairs, not to Float64 rounding). Lengths that leave SIMD tails, column
    /// segments shorter than a SIMD chunk, and (n > `ParallelPasses.parallelThreshold`) several
    /// pieces on all cores.
    @Test(arguments: [(37, 7, 3), (5, 3, 2), (20_011, 7, 4)])
    func singlePrecisionPairsMatchTwoLoopRecursion(rows: Int, columns: Int, memory: Int) throws {
        let n = rows * columns
        var rng = SeededGenerator(seed: UInt64(90 + memory))
        let p = (0..<columns).map { _ in 0.01 + 10 * rng.nextUniform() }
        var single = LBFGSHistory(length: n, memory: memory, singlePrecision: true)
        var double = LBFGSHistory(length: n, memory: memory)
        for h in [0, 1] {
            if h == 0 { single.initialScale = 0.25; single.setScaling(p) } else { double.initialScale = 0.25; double.setScaling(p) }
        }
        let a = (0..<n).map { i in (0.5 + 2 * rng.nextUniform()) / p[i / rows] }
        var g = (0..<n).map { _ in rng.nextGaussian() }
        var worstVersusDouble = 0.0
        for step in 0..<(2 * memory + 3) {
            var d = [Double](repeating: 0, count: n), dDouble = d
            _ = g.withUnsafeBufferPointer { gp in d.withUnsafeMutableBufferPointer { single.direction(gradient: gp, into: $0) } }
            _ = g.withUnsafeBufferPointer { gp in dDouble.withUnsafeMutableBufferPointer { double.direction(gradient: gp, into: $0) } }
            let pairs = (0..<single.count).map { single.pair($0) }
            #expect(pairs.allSatisfy { pair in pair.s.allSatisfy { Double(Float($0)) == $0 } }, "pairs are stored in Float32")
            let ys = pairs.map { pair in pair.y.indices.map { pair.y[$0] / p[$0 / rows] } }
            let reference = LBFGSHistory.twoLoopReference(s: pairs.map(\.s), y: ys, gradient: g, scaling: p, initialScale: 0.25)
            let scale = reference.map(abs).max()!
            let worst = zip(d, reference).map { abs($0 - $1) }.max()!
            #expect(worst <= 1e-5 * scale, "step \(step): \(worst) vs \(scale)")
            worstVersusDouble = max(worstVersusDouble, zip(d, dDouble).map { abs($0 - $1) }.max()! / scale)
            // The slope the direction pass reports is gᵀd of the direction it wrote.
            if let slope = single.lastSlope {
                let exact = zip(g, d).reduce(0) { $0 + $1.0 * $1.1 }, magnitude = zip(g, d).reduce(0) { $0 + abs($1.0 * $1.1) }
                #expect(abs(slope - exact) <= 1e-12 * magnitude)
            }
            let alpha = step % 3 == 2 ? 1e-3 : 0.3 + rng.nextUniform()
            let gNew = (0..<n).map { g[$0] + a[$0] * alpha * d[$0] }
            let gNewDouble = (0..<n).map { g[$0] + a[$0] * alpha * dDouble[$0] }
            d.withUnsafeBufferPointer { dp in gNew.withUnsafeBufferPointer { gn in g.withUnsafeBufferPointer { go in
                _ = single.append(alpha: alpha, direction: dp, newGradient: gn, oldGradient: go)
            }}}
            dDouble.withUnsafeBufferPointer { dp in gNewDouble.withUnsafeBufferPointer { gn in g.withUnsafeBufferPointer { go in
                _ = double.append(alpha: alpha, direction: dp, newGradient: gn, oldGradient: go)
            }}}
            g = gNew
        }
        // The same run in Float64 pairs: directions differ only by the pairs' rounding.
        #expect(worstVersusDouble <= 1e-4, "\(worstVersusDouble)")
        #expect(single.count == min(memory, 2 * memory + 3))
    }

    /// L-BFGS with Float32 pairs reaches the same minimum as with Float64 pairs (to 1e-10
    /// relative): only the path differs.
    @Test func singlePrecisionPairsReachTheSameLoss() throws {
        let s = RandomProblems.interactions(users: 40, items: 70, density: 0.25, seed: 21)
        let problem = try Problem(interactions: s)
        let start = try SpectralEmbedding.compute(problem: problem, dimension: 6).embedding
        let options = DriverOptions(maxIterations: 5000, relativeTolerance: 0, gradientTolerance: 1e-7)
        let double = try Driver.run(LBFGS(pairPrecision: .double), problem: problem, dimension: 6, start: start, options: options)
        let single = try Driver.run(LBFGS(pairPrecision: .single), problem: problem, dimension: 6, start: start, options: options)
        for r in [double, single] { // both at the minimum: the gradient down by six orders
            let g0 = try #require(r.trace.first?.gradientNorm), g1 = try #require(r.trace.last?.gradientNorm)
            #expect(g1 <= 1e-6 * g0, "final gradient \(g1) vs initial \(g0), \(r.termination)")
        }
        #expect(abs(single.finalLoss - double.finalLoss) <= 1e-10 * double.finalLoss, "\(single.finalLoss) vs \(double.finalLoss)")
        #expect(zip(single.trace, single.trace.dropFirst()).allSatisfy { $1.loss <= $0.loss })
    }
}
