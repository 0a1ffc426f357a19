import LinearAlgebra

/// Buffers a run keeps alive, estimated before any work so that settings whose buffers cannot fit
/// are refused clearly: an allocation that fails aborts the process ("Fatal error: failed to
/// allocate …"), which is no way to learn that `--memory 100000000` or an in-batch
/// `--batch-size 1000000` is too large. Each method states its own (`RegistrableMethod.memoryNeeds`).
public struct MemoryNeed: Sendable {
    /// Bytes beyond the loss's workspace (which `MemoryNeed.check` adds).
    public var bytes: Double
    /// What the refusal names; nil = the method at its dimension.
    public var what: String?

    public init(bytes: Double, what: String? = nil) {
        self.bytes = bytes
        self.what = what
    }

    /// Sizes of the problem the estimates are written in.
    public struct Sizes: Sendable {
        /// Bytes of one M × D matrix of doubles — of its held rows, M_b × D, when the participants
        /// of a distributed run hold their own rows only (`Problem.heldRows`): what each
        /// participant allocates for every M × D solver array.
        public let block: Double
        public let items: Double
        /// The rows of every M × D array this participant holds (M in one process and with
        /// replicated rows).
        public let heldItems: Double
        public let dimension: Double
        public let users: Double
        public let likes: Double
        /// Σ_u n_u(n_u − 1): the positive pairs of `PairSelection.all`.
        public let allPairs: Double

        public init(problem: Problem, dimension: Int) {
            items = Double(problem.itemCount)
            heldItems = Double(problem.heldRows.count)
            self.dimension = Double(dimension)
            block = 8 * heldItems * self.dimension
            if case let .interactions(s) = problem.source {
                users = Double(s.rows)
                likes = Double(s.nonzeroCount)
                var total = 0.0
                for u in 0..<s.rows { let n = Double(s.rowPointers[u + 1] - s.rowPointers[u]); total += n * (n - 1) }
                allPairs = total
            } else {
                users = 0
                likes = 0
                allPairs = 0
            }
        }
    }

    /// Refuses `needs` (each with the loss's workspace: VᵀV, XV and, for X = SᵀS, SV) beyond the
    /// memory limit, with a 25 % margin that covers the small per-item vectors.
    static func check(_ needs: [MemoryNeed], method: String, problem: Problem, dimension: Int) throws(MemoryLimit.Exceeded) {
        let sizes = Sizes(problem: problem, dimension: dimension)
        let objective = 8 * sizes.dimension * sizes.dimension + sizes.block + 8 * sizes.users * sizes.dimension
        let held = problem.heldRows.count
        let dim = "\(method) at --dim \(dimension) (M = \(problem.itemCount)\(held < problem.itemCount ? ", \(held) rows held here" : ""))"
        for need in needs {
            try MemoryLimit.check(1.25 * (need.bytes + objective), for: need.what.map { "\($0), \(dim)" } ?? dim)
        }
    }
}

extension Double {
    /// A count as an integer where it is one (memory refusals name pair counts).
    public var countText: String { self < 1e15 ? String(Int(self)) : "\(self)" }
}
