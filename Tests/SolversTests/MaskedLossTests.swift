import Testing
import LinearAlgebra
import TestSupport
@testable import Solvers

@Suite struct MaskedLossTests {
    @Test(arguments: [1, 3, 10, 50]) // 50 > rank(X) ≤ 44 non-empty users
    func implicitLossMatchesBruteForce(dimension: Int) throws {
        let s = RandomProblems.interactions(users: 45, items: 60, density: 0.15, seed: 11)
        let x = BLAS.multiply(s.dense, .transpose, s.dense, .none)
        let problem = try Problem(interactions: s)
        let loss = try MaskedLoss(problem: problem, dimension: dimension)
        for seed in 1...3 as ClosedRange<UInt64> {
            let v = RandomProblems.gaussian(rows: 60, columns: dimension, scale: 0.7, seed: seed)
            let expected = MaskedLoss.bruteForce(x: x, v: v)
            #expect(relativeError(loss.loss(v), expected) <= 1e-10)
            #expect(relativeError(loss.evaluate(v).loss, expected) <= 1e-10)
        }
    }

    @Test func directBlockedLossMatchesBruteForceOnEveryPath() throws {
        let s = RandomProblems.interactions(users: 35, items: 57, density: 0.2, seed: 13)
        let x = BLAS.multiply(s.dense, .transpose, s.dense, .none)
        var triplets: [(row: Int, column: Int, value: Double)] = []
        for j in 0..<57 { for i in 0..<57 where x[i, j] != 0 { triplets.append((i, j, x[i, j])) } }
        let v = RandomProblems.gaussian(rows: 57, columns: 5, seed: 2)
        let expected = MaskedLoss.bruteForce(x: x, v: v)
        for p in [try Problem(interactions: s), try Problem(dense: x), try Problem(sparse: try SparseMatrix(rows: 57, columns: 57, triplets: triplets))] {
            for block in [1, 7, 64] {
                #expect(relativeError(MaskedLoss.direct(problem: p, v: v, blockSize: block), expected) <= 1e-13)
            }
        }
    }

    @Test func normsOfImplicitProblemMatchDenseX() throws {
        let s = RandomProblems.interactions(users: 30, items: 50, density: 0.2, seed: 3)
        let x = BLAS.multiply(s.dense, .transpose, s.dense, .none)
        let implicit = try Problem(interactions: s)
        let dense = try Problem(dense: x)
        #expect(relativeError(implicit.frobeniusNormSquared, x.frobeniusNormSquared) <= 1e-14)
        #expect(implicit.diagonal == x.diagonal)
        #expect(relativeError(implicit.offDiagonalNormSquared, dense.offDiagonalNormSquared) <= 1e-14)
        // ‖offdiag X‖² is the loss of V = 0.
        let zero = Matrix(rows: 50, columns: 4)
        #expect(relativeError(try MaskedLoss(problem: implicit, dimension: 4).loss(zero), implicit.offDiagonalNormSquared) <= 1e-14)
        var best = (value: -1.0, i: 0, j: 0)
        for j in 0..<50 { for i in 0..<j where x[i, j] > best.value { best = (x[i, j], i, j) } }
        let found = implicit.largestOffDiagonal()
        #expect(found.value == best.value)
        #expect(dense.largestOffDiagonal().value == best.value)
    }

    @Test(arguments: [2, 9])
    func densePathAndSparsePathMatchImplicitPath(dimension: Int) throws {
        let s = RandomProblems.interactions(users: 40, items: 55, density: 0.2, seed: 5)
        let x = BLAS.multiply(s.dense, .transpose, s.dense, .none)
        var triplets: [(row: Int, column: Int, value: Double)] = []
        for j in 0..<55 { for i in 0..<55 where x[i, j] != 0 { triplets.append((i, j, x[i, j])) } }
        let problems = [try Problem(interactions: s), try Problem(dense: x),
                        try Problem(sparse: try SparseMatrix(rows: 55, columns: 55, triplets: triplets))]
        let v = RandomProblems.gaussian(rows: 55, columns: dimension, seed: 8)
        let results = try problems.map { try MaskedLoss(problem: $0, dimension: dimension).evaluate(v) }
        for r in results.dropFirst() {
            #expect(relativeError(r.loss, results[0].loss) <= 1e-12)
            #expect(maxAbs(difference(r.gradient, results[0].gradient)) <= 1e-10 * maxAbs(results[0].gradient))
        }
    }

    @Test(arguments: [1, 4])
    func gradientMatchesCentralFiniteDifferences(dimension: Int) throws {
        let s = RandomProblems.interactions(users: 25, items: 30, density: 0.25, seed: 21)
        let loss = try MaskedLoss(problem: try Problem(interactions: s), dimension: dimension)
        let v = RandomProblems.gaussian(rows: 30, columns: dimension, scale: 0.8, seed: 4)
        let g = loss.evaluate(v).gradient
        var rng = SeededGenerator(seed: 99)
        for _ in 0..<25 {
            let i = Int(rng.next() % 30), k = Int(rng.next() % UInt64(dimension))
            let h = 1e-5
            var plus = v, minus = v
            plus[i, k] += h
            minus[i, k] -= h
            let fd = (loss.loss(plus) - loss.loss(minus)) / (2 * h)
            #expect(abs(fd - g[i, k]) <= 1e-6 * max(1, abs(g[i, k])), "entry (\(i), \(k)): fd \(fd) vs \(g[i, k])")
        }
    }

    @Test func gradientMatchesBruteForceFormula() throws {
        // ∇L = 4 Σ_{j≠i} (v_iᵀv_j − X_ij) v_j, written out as a double loop.
        let (x, _) = RandomProblems.planted(items: 20, rank: 3, seed: 2)
        let v = RandomProblems.gaussian(rows: 20, columns: 3, seed: 6)
        let g = try MaskedLoss(problem: try Problem(dense: x), dimension: 3).evaluate(v).gradient
        var expected = Matrix(rows: 20, columns: 3)
        for i in 0..<20 {
            for j in 0..<20 where j != i {
                var dot = 0.0
                for k in 0..<3 { dot += v[i, k] * v[j, k] }
                for k in 0..<3 { expected[i, k] += 4 * (dot - x[i, j]) * v[j, k] }
            }
        }
        #expect(maxAbs(difference(g, expected)) <= 1e-11 * maxAbs(expected))
    }

    @Test func plantedSolutionHasZeroLossAndGradient() throws {
        let (x, truth) = RandomProblems.planted(items: 25, rank: 4, seed: 9)
        let loss = try MaskedLoss(problem: try Problem(dense: x), dimension: 4)
        let (l, g) = loss.evaluate(truth)
        #expect(l <= 1e-20 * (try Problem(dense: x)).offDiagonalNormSquared)
        #expect(maxAbs(g) <= 1e-10)
    }

    /// Cancellation: near a good fit the three big terms cancel. The documented bound is
    /// |L_implicit − L| ≤ c·ε·D·(‖VᵀV‖²_F + ‖X‖²_F); check it holds with c = 10.
    @Test func implicitLossAccuracyNearTheOptimum() throws {
        let s = RandomProblems.interactions(users: 30, items: 40, density: 0.3, seed: 17)
        let xs = BLAS.multiply(s.dense, .transpose, s.dense, .none)
        let (x0, truth) = RandomProblems.planted(items: 40, rank: 5, seed: 1)
        // X = X0 + tiny perturbation so that the planted V has a small but non-zero loss.
        let x = Matrix(rows: 40, columns: 40) { i, j in x0[i, j] + 1e-4 * xs[i, j] }
        let problem = try Problem(dense: x)
        let implicitValue = try MaskedLoss(problem: problem, dimension: 5).loss(truth)
        let exact = MaskedLoss.bruteForce(x: x, v: truth)
        let gram = BLAS.gram(truth)
        let bound = 10 * Double.ulpOfOne * 5 * (gram.frobeniusNormSquared + problem.frobeniusNormSquared)
        #expect(abs(implicitValue - exact) <= bound)
        #expect(exact > 0)
    }

    @Test func problemRefusesBadInput() throws {
        var x = RandomProblems.symmetric(6, seed: 1)
        #expect(throws: ProblemError.self) { try Problem(dense: Matrix(rows: 3, columns: 4)) }
        x[0, 1] += 1
        #expect(throws: ProblemError.self) { try Problem(dense: x) }
        x = RandomProblems.symmetric(6, seed: 1)
        x[2, 2] = .nan
        #expect(throws: ProblemError.self) { try Problem(dense: x) }
        let ok = try Problem(dense: RandomProblems.symmetric(6, seed: 1))
        #expect(throws: ProblemError.invalidDimension(requested: 0, itemCount: 6)) { try ok.validate(dimension: 0) }
        #expect(throws: ProblemError.invalidDimension(requested: 7, itemCount: 6)) { try ok.validate(dimension: 7) }
        #expect(throws: ProblemError.self) { try MaskedLoss(problem: ok, dimension: -1) }
    }
}
