import LinearAlgebra

/// What an L-BFGS run holds, so that its memory setting can be lowered to fit a `MemoryBudget`
/// before any M × D array is allocated (at 10⁶ items × D = 128 one such array is 1.02 GB, and
/// memory 5 would hold 16 of them).
public enum LBFGSMemoryPlan {
    /// M × D Float64 arrays for `memory` pairs: V, gradient, direction, trial point, trial gradient and
    /// the n × 2·memory history buffer. V is the start itself: the CLI and the benchmarks hand it over
    /// (`Driver.run(start: consume …)`), so no copy of it stays with the caller. (A caller that keeps
    /// its start holds one array more.) With Float32 pairs (`pairBytes` 4) the history counts as
    /// `memory` Float64 arrays.
    ///
    /// The Gram preconditioner's full form (`fullForm`: a start or an iterate whose VᵀV is far from
    /// diagonal) keeps its pairs as explicit Float64 arrays and frees the buffer: 5 + 2·memory.
    public static func arrays(memory: Int, pairBytes: Int = 8, fullForm: Bool = false) -> Int {
        5 + 2 * memory * (fullForm ? 8 : pairBytes) / 8
    }

    /// Bytes besides L-BFGS's own arrays: the interaction matrix as the problem and the loss hold it
    /// (CSR of S and of Sᵀ, 12 bytes per like each, and the loss's renumbered user indices, 4 more),
    /// and the loss's per-thread users × D panels S·V.
    public static func otherBytes(problem: Problem, dimension d: Int) -> Int {
        guard case let .interactions(s) = problem.source else { return 0 }
        return 28 * s.nonzeroCount + 8 * (s.rows * d + d * d) * ProcessInfoCores.count + 16 * (s.rows + s.columns)
    }

    public static func bytes(memory: Int, problem: Problem, dimension d: Int, pairBytes: Int = 8, fullForm: Bool = false) -> Int {
        let (panel, overflow) = (8 * problem.itemCount).multipliedReportingOverflow(by: d)
        if overflow || panel > Int.max / 64 { return Int.max }
        return 5 * panel + 2 * memory * (panel / 8) * (fullForm ? 8 : pairBytes) + otherBytes(problem: problem, dimension: d)
    }

    /// The largest memory ≤ `requested` whose bytes fit `budget`; throws when even memory 1 does not.
    public static func fitting(requested: Int, problem: Problem, dimension d: Int, budget: MemoryBudget,
                               pairBytes: Int = 8, fullForm: Bool = false) throws -> Int {
        var memory = max(1, requested)
        func need(_ m: Int) -> Int { bytes(memory: m, problem: problem, dimension: d, pairBytes: pairBytes, fullForm: fullForm) }
        while memory > 1, !budget.fits(need(memory)) { memory -= 1 }
        try budget.require(need(memory),
                           for: "L-BFGS with memory 1 (\(arrays(memory: 1, pairBytes: pairBytes, fullForm: fullForm)) arrays of \(problem.itemCount) × \(d) and the interaction matrix)",
                           remedy: "lower --dim, or use adam (fewer arrays of M × D)")
        return memory
    }

    /// The one line a run prints when it lowered the memory setting.
    public static func notice(requested: Int, fitted: Int, problem: Problem, dimension d: Int, budget: MemoryBudget,
                              pairBytes: Int = 8, fullForm: Bool = false) -> String {
        "lbfgs: memory \(requested) → \(fitted) so that its \(arrays(memory: fitted, pairBytes: pairBytes, fullForm: fullForm)) arrays of \(problem.itemCount) × \(d) "
            + "and the interaction matrix (\(MemoryBudget.format(bytes(memory: fitted, problem: problem, dimension: d, pairBytes: pairBytes, fullForm: fullForm)))) "
            + "fit the memory budget of \(budget) (COEMBED_MEMORY_BUDGET)"
            + (fullForm ? "; the Gram preconditioner's full form keeps its pairs in Float64" : "")
    }
}
