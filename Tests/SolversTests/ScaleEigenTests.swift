import Testing
import Foundation
import LinearAlgebra
import DataIO
import TestSupport
@testable import Solvers

@Suite struct ScaleEigenTests {
    let s = RandomProblems.interactions(users: 60, items: 150, density: 0.12, seed: 77)

    /// A budget too small for the 200 × 200 Gram work refuses `.gram` before any work, with the
    /// size and the option that avoids it; `.automatic` then takes the block method (whose six
    /// panels and per-thread scratch fit: at 60 users the Gram work is smaller than the block's).
    @Test func memoryGuardRefusesATooLargeGram() throws {
        let problem = try Problem(interactions: RandomProblems.interactions(users: 200, items: 300, density: 0.05, seed: 77))
        let needed = EigenMemory.gramBytes(users: 200)
        #expect(needed == 8 * (4 * 40_000 + 1201))
        #expect(EigenMemory.blockBytes(items: 300, users: 200, dimension: 5) < needed)
        let small = MemoryBudget(bytes: needed - 1)
        do {
            _ = try SpectralEmbedding.compute(problem: problem, dimension: 5, route: .gram, budget: small)
            Issue.record("the gram backend ran past its budget")
        } catch let error as MemoryBudgetError {
            let text = error.description
            #expect(text.contains("200 × 200 users Gram"))
            #expect(text.contains(MemoryBudget.format(needed)))
            #expect(text.contains("--eigen-backend block"))
        }
        #expect(try SpectralEmbedding.resolve(.automatic, for: problem, dimension: 5, budget: small) == .block)
        #expect(try SpectralEmbedding.resolve(.automatic, for: problem, dimension: 5, budget: MemoryBudget(bytes: needed)) == .gram)
        #expect(throws: MemoryBudgetError.self) {
            try SpectralEmbedding.resolve(.block, for: problem, dimension: 5, budget: MemoryBudget(bytes: 1000))
        }
    }

    /// The block backend gives the Gram backend's embedding, column for column (same signs).
    @Test func blockBackendMatchesGram() throws {
        let problem = try Problem(interactions: s)
        let d = 5
        let gram = try SpectralEmbedding.compute(problem: problem, dimension: d, route: .gram)
        let block = try SpectralEmbedding.compute(problem: problem, dimension: d, route: .block)
        #expect(block.route == .block)
        let scale = gram.embedding.storage.lazy.map(abs).max()!
        for k in 0..<d { #expect(abs(block.eigenvalues[k] - gram.eigenvalues[k]) <= 1e-7 * gram.eigenvalues[0]) }
        for i in 0..<gram.embedding.storage.count {
            #expect(abs(block.embedding.storage[i] - gram.embedding.storage[i]) <= 1e-4 * scale)
        }
    }

    /// Exact-inner imputation with the block backend follows the LAPACK-inner path's losses.
    @Test func imputationCanUseTheBlockMethod() throws {
        let problem = try Problem(interactions: s)
        let dense = try Driver.run(AlternatingImputation(inner: .exact, eigenRoute: .dense), problem: problem, dimension: 4,
                                   options: DriverOptions(maxIterations: 5))
        let block = try Driver.run(AlternatingImputation(inner: .exact, eigenRoute: .block), problem: problem, dimension: 4,
                                   options: DriverOptions(maxIterations: 5))
        #expect(abs(block.finalLoss - dense.finalLoss) <= 1e-6 * dense.trace[0].loss)
        #expect(block.trace.count == dense.trace.count)
    }
}
