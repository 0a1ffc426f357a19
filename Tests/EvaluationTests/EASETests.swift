import Testing
import LinearAlgebra
import TestSupport
@testable import Evaluation

@Suite struct EASETests {
    let s = RandomProblems.binarySparse(rows: 40, columns: 9, density: 0.4, seed: 21)

    func gram() -> Matrix { BLAS.gram(s.dense) }

    /// B from the definition, with an independent inverse.
    func reference(lambda: Double) -> Matrix {
        var a = gram()
        for i in 0..<a.rows { a[i, i] += lambda }
        let p = gaussJordanInverse(a)
        return Matrix(rows: a.rows, columns: a.rows) { i, j in i == j ? 0 : -p[i, j] / p[j, j] }
    }

    @Test func sparseGramMatchesDenseProduct() {
        let upper = EASE.upperGram(s)
        let x = gram()
        for j in 0..<x.rows {
            for i in 0..<x.rows { #expect(upper[i, j] == (i <= j ? x[i, j] : 0)) }
        }
    }

    @Test func weightsMatchClosedFormWithZeroDiagonal() throws {
        for lambda in [0.5, 5, 200] {
            let b = try EASE(training: s, lambda: lambda).weights
            let expected = reference(lambda: lambda)
            #expect(b.diagonal.allSatisfy { $0 == 0 })
            var diff = b
            for k in diff.storage.indices { diff.storage[k] -= expected.storage[k] }
            #expect(maxAbs(diff) <= 1e-10 * maxAbs(expected), "λ = \(lambda)")
        }
    }

    @Test func offDiagonalStationarityHolds() throws {
        // (X + λI)·B = X + λI − diag(1/P_jj): off the diagonal it reproduces X exactly.
        let lambda = 3.0
        let b = try EASE(training: s, lambda: lambda).weights
        var a = gram()
        for i in 0..<a.rows { a[i, i] += lambda }
        let ab = BLAS.multiply(a, .none, b)
        let x = gram()
        for j in 0..<x.rows {
            for i in 0..<x.rows where i != j { #expect(abs(ab[i, j] - x[i, j]) <= 1e-9 * maxAbs(x)) }
        }
    }

    @Test func largeRidgeShrinksTowardsScaledGram() throws {
        // P ≈ (I − X/λ)/λ for λ ≫ ‖X‖, so B_ij ≈ X_ij/λ: confirms λ sits on the diagonal.
        let lambda = 1e7
        let b = try EASE(training: s, lambda: lambda).weights
        let x = gram()
        for j in 0..<x.rows {
            for i in 0..<x.rows where i != j {
                #expect(abs(b[i, j] * lambda - x[i, j]) <= 1e-4 * max(1, x[i, j]))
            }
        }
    }

    @Test func scoresAreTrainingTimesB() throws {
        let ease = try EASE(training: s, lambda: 10)
        let expected = BLAS.multiply(s.dense, .none, ease.weights) // users × items
        let users = [3, 0, 39, 17]
        let scores = ease.scores(for: users, history: s)
        for (b, u) in users.enumerated() {
            for c in 0..<s.columns { #expect(abs(scores[c, b] - expected[u, c]) <= 1e-12 * maxAbs(expected)) }
        }
    }

    @Test func gramInitAgreesWithTrainingInit() throws {
        let a = try EASE(training: s, lambda: 7).weights
        let b = try EASE(gram: gram(), lambda: 7).weights
        #expect(a == b)
    }

    @Test func indefiniteMatrixFailsInDpotrf() {
        let x = Matrix([[1, 2, 0], [2, 1, 0], [0, 0, 1]])
        let error = #expect(throws: LinearAlgebraError.self) { try EASE(gram: x, lambda: 0) }
        guard case let .lapackFailure(routine, info, _) = error else { Issue.record("\(String(describing: error))"); return }
        #expect(routine == "dpotrf" && info == 2)
        // The same matrix is fine once the ridge makes it positive definite.
        #expect(throws: Never.self) { try EASE(gram: x, lambda: 1.5) }
    }

    @Test func invalidRidgeAndShapesAreRejected() {
        #expect(throws: EvaluationError.self) { try EASE(training: s, lambda: -1) }
        #expect(throws: EvaluationError.self) { try EASE(training: s, lambda: .nan) }
        #expect(throws: EvaluationError.self) { try EASE(gram: Matrix(rows: 2, columns: 3), lambda: 1) }
        #expect(throws: EvaluationError.self) { try EASE(gram: Matrix([[1, 2], [0, 1]]), lambda: 1) }
    }
}
