import Foundation
import LinearAlgebra

/// Working memory of each eigen backend, checked against a `MemoryBudget` before any allocation.
public enum EigenMemory {
    /// The Gram path: SSᵀ (users²), dsyevd's copy of it (users²) and its workspace
    /// (1 + 6·users + 2·users² doubles).
    public static func gramBytes(users n: Int) -> Int {
        let (square, overflow) = n.multipliedReportingOverflow(by: n)
        if overflow || square > Int.max / 64 { return Int.max }
        return 8 * (4 * square + 6 * n + 1)
    }

    /// Materialising X (M²) for dsyevr plus its copy and the M × D vectors.
    public static func denseBytes(items m: Int, dimension d: Int) -> Int {
        let (square, overflow) = m.multipliedReportingOverflow(by: m)
        if overflow || square > Int.max / 32 { return Int.max }
        return 8 * (2 * square + m * d)
    }

    /// ARPACK's Lanczos basis (M × ncv), its 3M work vector and the M × D result; with `rows`
    /// (PARPACK, the basis split by rows) those rows of each instead of M.
    public static func arpackBytes(items m: Int, dimension d: Int, rows: Int? = nil) -> Int {
        let ncv = min(m, max(2 * d + 1, d + 20))
        return 8 * (rows ?? m) * (ncv + d + 3)
    }

    /// The block method's six M × b panels plus the operator's scratch: one interleaved group of
    /// eight columns on the item and on the user side, shared by the threads (`GramOperator`).
    public static func blockBytes(items m: Int, users: Int, dimension d: Int) -> Int {
        BlockEigensolver.workingBytes(d, order: m) + 8 * 8 * (m + users)
    }

    /// The block method with local rows (`heldRows` of M per participant): six M_b × b panels, and
    /// the own-rows product's users × b sum and M_b × b result.
    public static func blockBytes(items m: Int, heldRows: Int, users: Int, dimension d: Int) -> Int {
        let b = BlockEigensolver.blockWidth(d, order: m, oversampling: nil)
        return BlockEigensolver.workingBytes(d, order: m, rows: heldRows) + 8 * b * (users + heldRows)
    }

    /// Up to this many users the Gram path is always taken when it fits: its dsyevd takes well
    /// under a second (27 ms at 600 users), whatever D.
    public static let smallGramUsers = 2000

    /// Flop estimates decide between the Gram path and the block method above `smallGramUsers`:
    /// a full dsyevd costs about 4·n³ for n users; the block method about 50 iterations of 4·nnz·b
    /// (two sparse passes over a b-column panel) plus 10·M·b² (projections, CholeskyQR2, Ritz
    /// rotation). ml-latest-small (610 users) stays on the Gram path; 5,000 users × 10,000 items
    /// × 300,000 likes at D = 32 goes to the block method.
    public static func gramIsCheaper(users n: Int, items m: Int, nonzeros: Int, dimension d: Int) -> Bool {
        let b = Double(BlockEigensolver.blockWidth(d, order: m, oversampling: nil))
        if n <= smallGramUsers || b < Double(d) { return true }
        let gram = 4 * pow(Double(n), 3)
        let block = 50 * (4 * Double(nonzeros) * b + 10 * Double(m) * b * b)
        return gram <= block
    }

    /// Throws `MemoryBudgetError.exceeded` naming the size and the option that avoids it.
    public static func check(_ backend: SpectralEmbedding.Route, problem: Problem, dimension d: Int, budget: MemoryBudget) throws {
        let m = problem.itemCount
        var users = 0
        if case let .interactions(s) = problem.source { users = s.rows }
        switch backend {
        case .gram:
            try budget.require(gramBytes(users: users), for: "the gram eigen backend (a \(users) × \(users) users Gram matrix and dsyevd's workspace)",
                               remedy: "use --eigen-backend block (products with S only) or automatic")
        case .dense:
            if case .dense = problem.source { return }  // X is already held; dsyevr adds O(M·D)
            try budget.require(denseBytes(items: m, dimension: d), for: "the dense eigen backend (X materialised as \(m) × \(m))",
                               remedy: "use --eigen-backend block or arpack")
        case .arpack:
            // PARPACK on local rows: each participant holds its rows of the basis (M_b × ncv).
            let split = problem.itemSums.isDistributed && problem.distribution?.rowLanczos != nil
            let rows = split ? problem.heldRows.count : m, ncv = min(m, max(2 * d + 1, d + 20))
            try budget.require(arpackBytes(items: m, dimension: d, rows: rows) + (split ? 8 * users : 0),
                               for: "\(split ? "PARPACK" : "ARPACK")'s Lanczos basis (\(rows) × \(ncv))",
                               remedy: "lower --dim or use --eigen-backend block")
        case .block:
            let local = problem.itemSums.isDistributed, held = problem.heldRows.count
            try budget.require(local ? blockBytes(items: m, heldRows: held, users: users, dimension: d) : blockBytes(items: m, users: users, dimension: d),
                               for: "the block eigensolver (\(BlockEigensolver.panelCount) panels of \(local ? held : m) × \(BlockEigensolver.blockWidth(d, order: m, oversampling: nil)))",
                               remedy: "lower --dim or use --eigen-backend arpack")
        case .automatic:
            return
        }
    }
}
