import Testing
import LinearAlgebra
import TestSupport
@testable import Solvers

/// L-BFGS lowers its memory setting to fit the memory budget, says so, and refuses before any
/// work when even memory 1 does not fit.
@Suite struct LBFGSMemoryPlanTests {
    @Test func lowersTheMemoryToFitAndSaysSo() throws {
        let s = RandomProblems.interactions(users: 60, items: 80, density: 0.2, seed: 4)
        let problem = try Problem(interactions: s)
        let d = 6
        let panel = 8 * 80 * d
        #expect(LBFGSMemoryPlan.bytes(memory: 3, problem: problem, dimension: d)
                == 11 * panel + LBFGSMemoryPlan.otherBytes(problem: problem, dimension: d))
        // Float32 pairs: the history buffer counts half.
        #expect(LBFGSMemoryPlan.bytes(memory: 3, problem: problem, dimension: d, pairBytes: 4)
                == 8 * panel + LBFGSMemoryPlan.otherBytes(problem: problem, dimension: d))
        // Room for memory 2 but not 3.
        let budget = MemoryBudget(bytes: LBFGSMemoryPlan.bytes(memory: 2, problem: problem, dimension: d) + panel)
        #expect(try LBFGSMemoryPlan.fitting(requested: 5, problem: problem, dimension: d, budget: budget) == 2)
        #expect(try LBFGSMemoryPlan.fitting(requested: 1, problem: problem, dimension: d, budget: budget) == 1)
        var method = LBFGS(memory: 5, pairPrecision: .double)
        method.memoryBudget = budget
        let start = RandomProblems.gaussian(rows: 80, columns: d, scale: 0.3, seed: 2)
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
        let problem = try Problem(interactions: RandomProblems.interactions(users: 30, items: 40, density: 0.2, seed: 5))
        // The default Float32 pairs: memory 1 holds 6 arrays of M × D.
        let budget = MemoryBudget(bytes: LBFGSMemoryPlan.bytes(memory: 1, problem: problem, dimension: 4, pairBytes: 4) - 1)
        var method = LBFGS()
        method.memoryBudget = budget
        let start = RandomProblems.gaussian(rows: 40, columns: 4, seed: 1)
        #expect(throws: MemoryBudgetError.self) {
            try Driver.run(method, problem: problem, dimension: 4, start: start, seed: 1, options: DriverOptions(maxIterations: 3))
        }
    }

    /// The Gram preconditioner's full form (a start whose VᵀV is far from diagonal) keeps its
    /// pairs as Float64 arrays: 5 + 2m, not the Float32 buffer's 5 + m. A budget that fits the
    /// default memory 3 in the coefficient form (8 arrays) fits only memory 1 in the full form
    /// (7 arrays), and L-BFGS says so; a start with a diagonal VᵀV keeps memory 3 under it.
    @Test func theFullGramFormCountsItsFloat64Pairs() throws {
        let s = RandomProblems.interactions(users: 60, items: 80, density: 0.2, seed: 4)
        let problem = try Problem(interactions: s)
        let d = 6
        let panel = 8 * 80 * d
        #expect(LBFGSMemoryPlan.bytes(memory: 3, problem: problem, dimension: d, pairBytes: 4, fullForm: true)
                == 11 * panel + LBFGSMemoryPlan.otherBytes(problem: problem, dimension: d))
        #expect(LBFGSMemoryPlan.arrays(memory: 3, pairBytes: 4, fullForm: true) == 11)
        let budget = MemoryBudget(bytes: LBFGSMemoryPlan.bytes(memory: 3, problem: problem, dimension: d, pairBytes: 4))
        var method = LBFGS()
        method.memoryBudget = budget
        let random = RandomProblems.gaussian(rows: 80, columns: d, scale: 0.3, seed: 2)
        let full = try Driver.run(method, problem: problem, dimension: d, start: random, seed: 1,
                                  options: DriverOptions(maxIterations: 30))
        #expect(full.notes.contains { $0.hasPrefix("lbfgs: memory 3 → 1 so that its 7 arrays") && $0.contains("full form") })
        #expect(full.finalLoss < full.trace[0].loss)
        // The same run with room for the full form's memory 3: the same loss where the pair count agrees
        // (iterations 0–2 use at most one pair), and no note.
        let roomy = try Driver.run(LBFGS(), problem: problem, dimension: d, start: random, seed: 1,
                                   options: DriverOptions(maxIterations: 2))
        #expect(!roomy.notes.contains { $0.hasPrefix("lbfgs: memory") })
        #expect(roomy.trace.map(\.loss) == Array(full.trace.prefix(3).map(\.loss)))
        // Columns with disjoint supports: VᵀV is diagonal, so the run starts in the coefficient form
        // with memory 3 (its first step is that of a run with room to spare); here VᵀV leaves the
        // diagonal after that step, and the switch to the full form frees the buffer and lowers the
        // memory the same way.
        var diagonalStart = Matrix(rows: 80, columns: d)
        for i in 0..<80 { diagonalStart[i, i % d] = 0.2 + 0.01 * Double(i) }
        let unconstrained = try Driver.run(LBFGS(), problem: problem, dimension: d, start: diagonalStart, seed: 1,
                                           options: DriverOptions(maxIterations: 1))
        let switched = try Driver.run(method, problem: problem, dimension: d, start: diagonalStart, seed: 1,
                                      options: DriverOptions(maxIterations: 30))
        #expect(switched.notes.contains { $0.hasPrefix("lbfgs: memory 3 → 1 so that its 7 arrays") && $0.contains("full form") })
        #expect(!unconstrained.notes.contains { $0.hasPrefix("lbfgs: memory") })
        #expect(switched.trace[1].loss == unconstrained.trace[1].loss)
        #expect(switched.finalLoss < switched.trace[1].loss)
    }
}
