import Testing
import Foundation
import LinearAlgebra
import TestSupport
@testable import Solvers

@Suite struct SampledTransformTests {
    /// u0 likes {0, 1}, u1 likes {0, 1, 2}, u2 likes {1, 2}: X01 = 2, X02 = 1, X12 = 2,
    /// c = (3, 4, 3), T = 10.
    static let tiny = try! SparseMatrix(rows: 3, columns: 3, triplets: [
        (0, 0, 1), (0, 1, 1), (1, 0, 1), (1, 1, 1), (1, 2, 1), (2, 1, 1), (2, 2, 1)])

    @Test func pmiAndSppmiMatchHandComputedValues() throws {
        let counts = try CooccurrenceTransform.counts.matrix(Self.tiny)
        #expect(counts.dense == Matrix([[0, 2, 1], [2, 0, 2], [1, 2, 0]]))
        let pmi = try CooccurrenceTransform.pmi.matrix(Self.tiny)
        let expected = [(0, 1, log(2.0 * 10 / 12)), (0, 2, log(1.0 * 10 / 9)), (1, 2, log(2.0 * 10 / 12))]
        #expect(pmi.nonzeroCount == 6)
        for (i, j, v) in expected {
            #expect(abs(pmi[i, j] - v) < 1e-15)
            #expect(pmi[i, j] == pmi[j, i])
        }
        for i in 0..<3 { #expect(pmi[i, i] == 0) }
        // k = 1: PPMI, all three PMIs are positive and kept.
        #expect(try CooccurrenceTransform.sppmi(shift: 1).matrix(Self.tiny) == pmi)
        // k = 1.2: log(10/9) − log 1.2 < 0 is dropped; log(5/3) − log 1.2 kept.
        let sppmi = try CooccurrenceTransform.sppmi(shift: 1.2).matrix(Self.tiny)
        #expect(sppmi.nonzeroCount == 4)
        #expect(sppmi[0, 2] == 0 && sppmi[2, 0] == 0)
        #expect(abs(sppmi[0, 1] - (log(5.0 / 3) - log(1.2))) < 1e-15)
        #expect(abs(sppmi[1, 2] - (log(5.0 / 3) - log(1.2))) < 1e-15)
        #expect(throws: ProblemError.self) { try CooccurrenceTransform.sppmi(shift: 0).matrix(Self.tiny) }
    }

    @Test func pmiKeepsNegativeValuesAndSppmiDropsThem() throws {
        // Users {0,1}×3, {2,3}×3, {0,2}×1: X01 = X23 = 3, X02 = 1; c = (4, 3, 4, 3), T = 14.
        var triplets: [(row: Int, column: Int, value: Double)] = []
        for u in 0..<3 { triplets += [(u, 0, 1), (u, 1, 1)] }
        for u in 3..<6 { triplets += [(u, 2, 1), (u, 3, 1)] }
        triplets += [(6, 0, 1), (6, 2, 1)]
        let s = try SparseMatrix(rows: 7, columns: 4, triplets: triplets)
        let pmi = try CooccurrenceTransform.pmi.matrix(s)
        #expect(abs(pmi[0, 2] - log(14.0 / 16)) < 1e-15) // negative: less than independence
        #expect(abs(pmi[0, 1] - log(3.0 * 14 / 12)) < 1e-15)
        #expect(abs(pmi[2, 3] - log(3.0 * 14 / 12)) < 1e-15)
        #expect(pmi.nonzeroCount == 6) // (1, 3) never co-occur: structural zero, not −∞
        let ppmi = try CooccurrenceTransform.sppmi(shift: 1).matrix(s)
        #expect(ppmi.nonzeroCount == 4 && ppmi[0, 2] == 0)
    }

    @Test(arguments: [CooccurrenceTransform.counts, .pmi, .sppmi(shift: 5)])
    func transformsAreSymmetricAndMatchDenseReference(transform: CooccurrenceTransform) throws {
        let s = RandomProblems.interactions(users: 70, items: 45, density: 0.15, seed: 13)
        let x = try transform.matrix(s)
        #expect(x.isSymmetric(tolerance: 0))
        // Dense reference from SᵀS.
        var g = BLAS.multiply(s.dense, .transpose, s.dense, .none)
        for i in 0..<45 { g[i, i] = 0 }
        let c = (0..<45).map { i in (0..<45).reduce(0.0) { $0 + g[i, $1] } }
        let total = c.reduce(0, +)
        for i in 0..<45 {
            for j in 0..<45 {
                var expected = g[i, j]
                if transform != .counts {
                    expected = g[i, j] > 0 ? log(g[i, j] * total / (c[i] * c[j])) : 0
                    if case let .sppmi(k) = transform { expected = max(expected - log(k), 0) }
                }
                #expect(abs(x[i, j] - expected) < 1e-12, "(\(i), \(j))")
            }
        }
        let problem = try Problem.transformed(s, transform)
        #expect(problem.itemCount == 45)
    }

    @Test func countsTransformIsTheImplicitProblemAndItsExplicitMatrixHasTheSameMaskedLoss() throws {
        let s = RandomProblems.interactions(users: 50, items: 35, density: 0.2, seed: 17)
        let implicit = try Problem(interactions: s)
        let viaTransform = try Problem.transformed(s, .counts)
        guard case .interactions = viaTransform.source else { Issue.record("counts must stay implicit"); return }
        let explicit = try Problem(sparse: try CooccurrenceTransform.counts.matrix(s))
        let v = RandomProblems.gaussian(rows: 35, columns: 4, scale: 0.5, seed: 2)
        let reference = try MaskedLoss(problem: implicit, dimension: 4).loss(v)
        #expect(try MaskedLoss(problem: viaTransform, dimension: 4).loss(v) == reference)
        #expect(relativeError(try MaskedLoss(problem: explicit, dimension: 4).loss(v), reference) < 1e-12)
    }
}
