import Foundation
import Testing
import LinearAlgebra
import DataIO
import TestSupport
@testable import Solvers

/// Double-double arithmetic (Dekker/Knuth two-sum and FMA two-product): about 32 significant
/// digits, enough to give the exact masked loss of the small problems below to far better than
/// any bound tested.
struct DoubleDouble {
    var hi: Double, lo: Double
    init(_ x: Double) { hi = x; lo = 0 }
    init(hi: Double, lo: Double) { self.hi = hi; self.lo = lo }

    static func twoSum(_ a: Double, _ b: Double) -> DoubleDouble {
        let s = a + b, bb = s - a
        return DoubleDouble(hi: s, lo: (a - (s - bb)) + (b - bb))
    }
    static func + (x: DoubleDouble, y: DoubleDouble) -> DoubleDouble {
        var s = twoSum(x.hi, y.hi)
        s.lo += x.lo + y.lo
        return twoSum(s.hi, s.lo)
    }
    static func * (x: DoubleDouble, y: DoubleDouble) -> DoubleDouble {
        let p = x.hi * y.hi
        let err = fma(x.hi, y.hi, -p)
        return twoSum(p, err + x.hi * y.lo + x.lo * y.hi)
    }
    prefix static func - (x: DoubleDouble) -> DoubleDouble { DoubleDouble(hi: -x.hi, lo: -x.lo) }
    var value: Double { hi + lo }

    /// Σ_{i≠j} (v_iᵀv_j − X_ij)² in double-double.
    static func maskedLoss(x: Matrix, v: Matrix) -> Double {
        var total = DoubleDouble(0)
        for i in 0..<v.rows {
            for j in 0..<v.rows where j != i {
                var r = -DoubleDouble(x[i, j])
                for k in 0..<v.columns { r = r + DoubleDouble(v[i, k]) * DoubleDouble(v[j, k]) }
                total = total + r * r
            }
        }
        return total.value
    }
}

@Suite struct LossAccuracyTests {
    /// X with a diagonal of 1e12 and integer off-diagonal entries 0…8 (issue 13): the implicit
    /// formula subtracts terms of ~1e24 and once reported 4294967296 for a loss of ~1e-4, and a
    /// different loss when only the (ignored) diagonal changed.
    static func largeDiagonal(_ m: Int, diagonal: Double, seed: UInt64) -> Matrix {
        var rng = SplitMix64(seed: seed)
        var x = Matrix(rows: m, columns: m)
        for j in 0..<m {
            for i in 0..<j { let a = Double(rng.next() % 9); x[i, j] = a; x[j, i] = a }
            x[j, j] = diagonal
        }
        return x
    }

    @Test func theLargeDiagonalEigenStartReportsItsTrueLoss() throws {
        let x = Self.largeDiagonal(20, diagonal: 1e12, seed: 1)
        let problem = try Problem(dense: x)
        let result = try MethodRegistry.named("eigen").run(problem: problem, settings: SolverSettings(dimension: 20))
        let exact = DoubleDouble.maskedLoss(x: x, v: result.embedding)
        let bound = try #require(result.lossErrorBound)
        #expect(abs(result.finalLoss - exact) <= bound, "reported \(result.finalLoss), exact \(exact), bound \(bound)")
        #expect(abs(result.finalLoss - exact) <= 1e-6 * exact, "reported \(result.finalLoss), exact \(exact)")
        // The same V under another diagonal: the masked loss ignores it.
        var other = x
        for i in 0..<20 { other[i, i] = 3 }
        let again = try MaskedLoss(problem: Problem(dense: other), dimension: 20).loss(result.embedding)
        #expect(abs(again - exact) <= 1e-6 * exact, "with diagonal 3: \(again), exact \(exact)")
    }

    /// Random ill-scaled problems (diagonals from 1 to 1e14, V from the top eigenvectors, so
    /// VVᵀ fits X's off-diagonal to varying degrees): every reported loss is within its bound of the
    /// double-double value, and within 1e-9 relative whenever it is not dominated by the bound's floor.
    @Test(arguments: 0..<12)
    func randomIllScaledProblemsMatchTheExactLoss(seed: UInt64) throws {
        var rng = SplitMix64(seed: 100 + seed)
        let m = 6 + Int(rng.next() % 20)
        let d = 1 + Int(rng.next() % UInt64(m))
        let scale = pow(10, Double(rng.next() % 15))
        var x = Self.largeDiagonal(m, diagonal: 0, seed: seed)
        for i in 0..<m { x[i, i] = scale * (1 + Double(rng.next() % 100) / 100) }
        let problem = try Problem(dense: x)
        var v = try SpectralEmbedding.compute(problem: problem, dimension: d).embedding
        for k in v.storage.indices { v.storage[k] *= 1 + 1e-3 * rng.nextSigned() } // off the eigen point
        let exact = DoubleDouble.maskedLoss(x: x, v: v)

        let objective = try MaskedLoss(problem: problem, dimension: d)
        let reported = objective.loss(v)
        #expect(abs(reported - exact) <= objective.lastErrorBound, "M \(m) D \(d) scale \(scale): \(reported) vs \(exact), bound \(objective.lastErrorBound)")
        #expect(abs(reported - exact) <= max(1e-9 * exact, objective.lastErrorBound), "\(reported) vs \(exact)")
        // The implicit value alone obeys its own bound too (the bound must be rigorous, not just large).
        objective.allowsDirectRefinement = false
        let implicit = objective.loss(v)
        #expect(abs(implicit - exact) <= objective.lastErrorBound, "implicit \(implicit) vs \(exact), bound \(objective.lastErrorBound)")
        #expect(!objective.lastEvaluationWasDirect)
    }

    /// The same check for X = SᵀS with weighted interactions (the implicit path of real data).
    @Test(arguments: 0..<6)
    func interactionsMatchTheExactLoss(seed: UInt64) throws {
        var rng = SplitMix64(seed: 900 + seed)
        let s = RandomProblems.widelyWeightedInteractions(using: &rng)
        let items = s.columns
        let problem = try Problem(interactions: s)
        let x = BLAS.multiply(s.dense, .transpose, s.dense, .none)
        let d = 1 + Int(rng.next() % UInt64(items))
        let v = Matrix(rows: items, columns: d) { _, _ in 100 * rng.nextSigned() }
        let exact = DoubleDouble.maskedLoss(x: x, v: v)
        let objective = try MaskedLoss(problem: problem, dimension: d)
        objective.allowsDirectRefinement = false
        let implicit = objective.loss(v)
        #expect(abs(implicit - exact) <= objective.lastErrorBound, "implicit \(implicit) vs \(exact), bound \(objective.lastErrorBound)")
        objective.allowsDirectRefinement = true
        let reported = objective.loss(v)
        #expect(abs(reported - exact) <= max(1e-9 * exact, objective.lastErrorBound))
    }

    @Test func printedDigitsFollowTheBound() {
        #expect(LossText.value(1109.123456789, bound: 0.5) == "1109")
        #expect(LossText.value(2427804.3743933234, bound: 0.0022) == "2427804.37")
        #expect(LossText.value(1.5, bound: 0) == String(format: "%.17g", 1.5))
        #expect(LossText.value(.nan, bound: 1) == "nan")
    }
}

@Suite struct FiniteLossTests {
    @Test func aNonFiniteLossIsNeverClampedToZero() throws {
        let problem = try Problem(dense: RandomProblems.symmetric(6, seed: 1))
        let v = Matrix(rows: 6, columns: 2) { _, _ in 1e200 }
        let loss = try MaskedLoss(problem: problem, dimension: 2).loss(v)
        #expect(!loss.isFinite, "got \(loss)") // was max(0, NaN) = 0
    }

    @Test func aDivergingAdamEndsWithNonFiniteLoss() throws {
        let problem = try Problem(dense: RandomProblems.planted(items: 12, rank: 3, seed: 2).x)
        var settings = SolverSettings(dimension: 3)
        settings[Adam.Settings.self].learningRate = 1e100
        settings.maxIterations = 50
        let r = try MethodRegistry.named("adam").run(problem: problem, settings: settings)
        #expect(r.termination == .nonFiniteLoss)
        #expect(r.finalLoss.isFinite && r.embedding.isFinite) // the last finite iterate
        #expect(r.finalLoss > 0)
    }

    /// Every method that starts from a given V (the registry's `.required` starts).
    @Test(arguments: MethodRegistry.all.filter { $0.startRequirement == .required }.map(\.name))
    func aHugeRandomStartEndsWithNonFiniteLoss(kind: String) throws {
        let problem = try Problem(dense: RandomProblems.planted(items: 10, rank: 2, seed: 3).x)
        var settings = SolverSettings(dimension: 2)
        settings.initialPoint = .random(scale: 1e200)
        let r = try MethodRegistry.named(kind).run(problem: problem, settings: settings)
        #expect(r.termination == .nonFiniteLoss, "\(kind): \(r.termination)")
    }

    /// `printf '0,1e300\n1e300,0\n'` with lbfgs at D = 1 once died with SIGILL in the line search.
    @Test(arguments: MethodRegistry.defaultComparison)
    func entriesNearTheOverflowLimitEndWithNonFiniteLossNotACrash(kind: RegisteredMethod) throws {
        let problem = try Problem(dense: Matrix(rows: 2, columns: 2, rowMajor: [0, 1e300, 1e300, 0]))
        let r = try kind.run(problem: problem, settings: SolverSettings(dimension: 1))
        #expect(r.termination == .nonFiniteLoss, "\(kind): \(r.termination), loss \(r.finalLoss)")
    }

    @Test func theLineSearchTreatsANonFiniteSlopeAsAFailedStep() {
        let search = StrongWolfeLineSearch()
        for slope: Double in [.nan, -Double.infinity, 0, 1] {
            var calls = 0
            let outcome = search.search(phi0: 1, dphi0: slope, initial: 1) { _ in calls += 1; return (0, 0) }
            #expect(!outcome.success && outcome.alpha == 0 && calls == 0, "slope \(slope)")
        }
        var calls = 0
        let outcome = search.search(phi0: .nan, dphi0: -1, initial: 1) { _ in calls += 1; return (0, 0) }
        #expect(!outcome.success && calls == 0)
    }

    @Test func aDivergingSampledMethodEndsWithNonFiniteLoss() throws {
        let s = RandomProblems.interactions(users: 60, items: 25, density: 0.4, seed: 5)
        let problem = try Problem(interactions: s)
        var settings = SolverSettings(dimension: 4)
        settings[SkipGramNegativeSampling.Settings.self].training.learningRate = 1e6
        settings[SkipGramNegativeSampling.Settings.self].training.epochs = 5
        settings[SkipGramNegativeSampling.Settings.self].training.threads = 1
        let r = try MethodRegistry.named("sgns").run(problem: problem, settings: settings)
        #expect(r.termination == .nonFiniteLoss, "\(r.termination) loss \(r.finalLoss)")
    }
}

@Suite struct DegenerateAndMemoryTests {
    @Test func sizeOptionsBeyondMemoryAreRefusedBeforeAllocating() throws {
        let s = RandomProblems.interactions(users: 50, items: 30, density: 0.3, seed: 7)
        let problem = try Problem(interactions: s)
        func refusal(_ kind: String, _ change: (inout SolverSettings) -> Void) -> String? {
            var settings = SolverSettings(dimension: 4)
            change(&settings)
            do {
                let method = try MethodRegistry.named(kind)
                _ = try MemoryLimit.$override.withValue(1 << 30) { try method.run(problem: problem, settings: settings) }
                return nil
            } catch let error as MemoryLimit.Exceeded {
                return error.description
            } catch {
                return "other error: \(error)"
            }
        }
        let memory = refusal("lbfgs") { $0[LBFGS.Settings.self].memory = 100_000_000 }
        #expect(memory?.contains("--memory 100000000") == true && memory?.contains("1.1 GB") == true, "\(String(describing: memory))")
        let batch = refusal("in-batch") { $0[InBatchNegatives.Settings.self].batchSize = 1_000_000 }
        #expect(batch?.contains("--batch-size 1000000") == true, "\(String(describing: batch))")
        let pairs = refusal("in-batch") { $0[InBatchNegatives.Settings.self].training.pairs = .sampled(perLike: 1e9) }
        #expect(pairs?.contains("--pairs") == true, "\(String(describing: pairs))")
        // Ordinary settings fit.
        #expect(refusal("lbfgs") { $0.maxIterations = 2 } == nil)
    }

    @Test func theLimitHonoursTheEnvironmentFormat() {
        #expect(MemoryLimit.parseBytes("4G") == 4 << 30)
        #expect(MemoryLimit.parseBytes("512m") == 512 << 20)
        #expect(MemoryLimit.parseBytes("12345") == 12345)
        #expect(MemoryLimit.parseBytes("-3") == nil && MemoryLimit.parseBytes("x") == nil)
        #expect(MemoryLimit.physicalMemory > 1 << 20)
        #expect(MemoryLimit.$override.withValue(1000) { MemoryLimit.limit } == 1000)
    }
}
