import Testing
import LinearAlgebra
import TestSupport
@testable import Solvers

/// L-BFGS lowers its memory setting to fit the memory budget, says so, and refuses before any
/// work when even memory 1 does not fit.
@Suite struct LBFGSMemoryPlanTests {
    @Test func lowersTheMemoryToFitAndSaysSo() throws {
        let s = Random.interactions(users: 60, items: 80, density: 0.2, seed: 4)
        let problem = try Problem(interactions: s)
        let d = 6
        let panel = 8 * 80 * d
        #expect(LBFGSMemoryPlan.bytes(memory: 3, problem: problem, dimension: d)
                == 12 * panel + LBFGSMemoryPlan.otherBytes(problem: problem, dimension: d))
        // Float32 pairs: the history buffer counts half.
        #expect(LBFGSMemoryPlan.bytes(memory: 3, problem: problem, dimension: d, pairBytes: 4)
                == 9 * panel + LBFGSMemoryPlan.otherBytes(problem: problem, dimension: d))
        // Room for memory 2 but not 3.
        let budget = MemoryBudget(bytes: LBFGSMemoryPlan.bytes(memory: 2, problem: problem, dimension: d) + panel)
        #expect(try LBFGSMemoryPlan.fitting(requested: 5, problem: problem, dimension: d, budget: budget) == 2)
        #expect(try LBFGSMemoryPlan.fitting(requested: 1, problem: problem, dimension: d, budget: budget) == 1)
        var method = LBFGS(memory: 5, pairPrecision: .double)
        method.memoryBudget = budget
        let start = Random.gaussian(rows: 80, columns: d, scale: 0.3, seed: 2)
        let result = try Driver.run(method, problem: problem, dimension: d, start: start, seed: 1,
                                    options: DriverOptions(maxIterations: 40))
        #expect(result.notes.contains { $0.hasPrefix("lbfgs: memory 5 → 2") })
        #expect(result.finalLoss < result.trace[0].loss)
        // The same run with room for memory 5 keeps it and prints nothing about it.
        let roomy = try Driver.run(LBFGS(memory: 5, pairPrecision: .double), problem: problem, dimension: d, start: start, seed: 1,
                                   options: DriverOptions(maxIterations: 40))
        #expect(!roomy.notes.contains { $0.hasPrefix("lbfgs: memory") })
    }

    @Test func refusesWhenEvenMemoryOneDoesNotFit() throws {
        let problem = try Problem(interactions: Random.interactions(users: 30, items: 40, density: 0.2, seed: 5))
        // The default Float32 pairs: memory 1 holds 7 arrays of M × D.
        let budget = MemoryBudget(bytes: LBFGSMemoryPlan.bytes(memory: 1, problem: problem, dimension: 4, pairBytes: 4) - 1)
        var method = LBFGS()
        method.memoryBudget = budget
        let start = Random.gaussian(rows: 40, columns: 4, seed: 1)
        #expect(throws: MemoryBudgetError.self) {
            try Driver.run(method, problem: problem, dimension: 4, start: start, seed: 1, options: DriverOptions(maxIterations: 3))
        }
    }
}
