import Testing
import LinearAlgebra
import TestSupport
@testable import Solvers

/// The passes L-BFGS fuses (issue 11.2) give bitwise the numbers of the separate passes they
/// replace: the trial point V + 1·d written with d, and Wᵀg_new taken by `append`'s pass.
@Suite struct LBFGSFusedPassesTests {
    /// A history that takes Wᵀg_new in `append` against one that must take it in `direction`
    /// (a checkpoint round trip drops the products `append` took): the same directions, bit for
    /// bit, with Float32 pairs, a column scaling, several pieces and a SIMD tail; with and
    /// without the line search's sᵀy; and the trial point V + d of the direction pass is bitwise
    /// `ParallelPasses.combine` at α = 1.
    @Test(arguments: [(4_001, 37, 3, true), (4_001, 37, 2, false), (13, 5, 4, true)])
    func appendProductsAndUnitTrialAreBitwiseTheSeparatePasses(rows: Int, columns: Int, memory: Int,
                                                               lineSearchCurvature: Bool) throws {
        let n = rows * columns // 148,037 > ParallelPasses.parallelThreshold: several pieces on all cores
        var rng = SeededGenerator(seed: UInt64(11 + memory))
        let p = (0..<columns).map { _ in 0.01 + 10 * rng.nextUniform() }
        var fused = LBFGSHistory(length: n, memory: memory, singlePrecision: true)
        fused.initialScale = 0.25
        fused.setScaling(p)
        var separate = fused
        let a = (0..<n).map { i in (0.5 + 2 * rng.nextUniform()) / p[i / rows] }
        var g = (0..<n).map { _ in rng.nextGaussian() }
        let x = Matrix(rows: rows, columns: columns, columnMajor: (0..<n).map { _ in rng.nextGaussian() })
        var productsUsed = 0
        for step in 0..<(2 * memory + 3) {
            var d = [Double](repeating: 0, count: n), dSeparate = d, trial = d
            let usesAppended = fused.hasAppendedProducts
            let wroteTrial = g.withUnsafeBufferPointer { gp in
                d.withUnsafeMutableBufferPointer { dp in
                    x.storage.withUnsafeBufferPointer { xp in
                        trial.withUnsafeMutableBufferPointer { tp in fused.direction(gradient: gp, into: dp, unitStepFrom: xp, trial: tp) }
                    }
                }
            }
            _ = g.withUnsafeBufferPointer { gp in dSeparate.withUnsafeMutableBufferPointer { separate.direction(gradient: gp, into: $0) } }
            #expect(!separate.hasAppendedProducts)
            // Counts, not array comparisons: a failing `==` on 10⁵ entries makes the test library diff them.
            let differing = zip(d, dSeparate).filter { $0.bitPattern != $1.bitPattern }.count
            #expect(differing == 0, "step \(step): the directions differ in \(differing) entries")
            #expect(fused.lastSlope == separate.lastSlope)
            #expect(wroteTrial == (fused.count > 0))
            if wroteTrial {
                var combined = Matrix(rows: rows, columns: columns)
                ParallelPasses.combine(x, 1, Matrix(rows: rows, columns: columns, columnMajor: d), into: &combined)
                let differingTrial = zip(trial, combined.storage).filter { $0.bitPattern != $1.bitPattern }.count
                #expect(differingTrial == 0, "step \(step): the unit trial differs from V + 1·d in \(differingTrial) entries")
            }
            if usesAppended { productsUsed += 1 }
            let alpha = step % 3 == 2 ? 1e-3 : 0.3 + rng.nextUniform()
            let gNew = (0..<n).map { g[$0] + a[$0] * alpha * d[$0] }
            let curvature = lineSearchCurvature ? alpha * (0..<n).reduce(0.0) { $0 + d[$1] * (gNew[$1] - g[$1]) } : nil
            for k in 0..<2 {
                d.withUnsafeBufferPointer { dp in gNew.withUnsafeBufferPointer { gn in g.withUnsafeBufferPointer { go in
                    if k == 0 {
                        _ = fused.append(alpha: alpha, direction: dp, newGradient: gn, oldGradient: go, expectedCurvature: curvature)
                    } else {
                        _ = separate.append(alpha: alpha, direction: dp, newGradient: gn, oldGradient: go, expectedCurvature: curvature)
                    }
                }}}
            }
            #expect(fused.hasAppendedProducts)
            var record = CheckpointRecord()
            separate.save("h", into: &record)
            try separate.restore("h", from: record)
            g = gNew
        }
        #expect(productsUsed == 2 * memory + 2) // every direction after an append
    }

    /// `dots` is `dot` column by column, bit for bit (odd column counts, tails, empty ranges).
    @Test func multiColumnDotsAreBitwiseTheSingleColumnDot() {
        var rng = SeededGenerator(seed: 5)
        let n = 1_003, p = 5
        let w = (0..<(n * p)).map { _ in Float(rng.nextGaussian()) }
        let g = (0..<n).map { _ in rng.nextGaussian() }
        for range in [0..<n, 3..<1_000, 7..<7, 17..<24] {
            var out = [Double](repeating: .nan, count: p)
            w.withUnsafeBufferPointer { wp in g.withUnsafeBufferPointer { gp in out.withUnsafeMutableBufferPointer { op in
                SinglePrecisionPasses.dots(wp.baseAddress!, columnCount: p, stride: n, gp.baseAddress!, range, into: op.baseAddress!)
            }}}
            for l in 0..<p {
                let single = w.withUnsafeBufferPointer { wp in g.withUnsafeBufferPointer { gp in
                    SinglePrecisionPasses.dot(wp.baseAddress! + l * n, gp.baseAddress!, range)
                }}
                #expect(out[l] == single, "column \(l), range \(range)")
                let exact = range.reduce(0.0) { $0 + Double(w[l * n + $1]) * g[$1] }
                #expect(abs(out[l] - exact) <= 1e-12 * max(1, range.reduce(0.0) { $0 + abs(Double(w[l * n + $1]) * g[$1]) }))
            }
        }
    }
}
