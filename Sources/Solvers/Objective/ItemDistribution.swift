import LinearAlgebra

/// Items split into contiguous blocks, one per participant of a `Communicator` (an MPI rank or a
/// thread of a `ThreadTeam`): participant r owns items `bounds[r] ..< bounds[r+1]`, i.e. the
/// columns S_{:,b} of the interaction matrix and, for its solver, the rows V_b.
///
/// Layout: each participant keeps S only for its block (a users × M matrix whose nonzeros all lie
/// in the block's columns). The embedding is either local (`holdsOwnRowsOnly`: V_b, M_b × D) or
/// replicated (M × D). Every number the solvers decide on (loss, VᵀV, inner products, norms) is
/// produced by a rank-ordered collective whose result is bitwise the same on every participant, so
/// the solvers take the same decisions everywhere (SPMD) without any extra agreement step.
public final class ItemDistribution: @unchecked Sendable {
    public let communicator: any Communicator
    /// Item block boundaries, `size + 1` entries, bounds[0] = 0, bounds[size] = M.
    public let bounds: [Int]
    /// What a failed collective does inside a non-throwing call (an operator application or a loss
    /// evaluation): under MPI, print one message and abort every rank.
    public let failureHandler: @Sendable (any Error) -> Never
    /// Whether each participant's solver holds only its own rows V_b (and its rows of the gradient
    /// and of every M × D solver array), its inner products being partial sums completed by
    /// `ItemSums`; otherwise V and the solver state are replicated (every participant holds all
    /// M rows, the objective gathers the gradient). Local rows need every block non-empty.
    public let holdsOwnRowsOnly: Bool
    /// The Lanczos eigensolver on the participants' rows (PARPACK under MPI), set by the layer that
    /// provides it; without it the ARPACK eigen route runs replicated on every participant.
    public var rowLanczos: (any RowDistributedLanczos)? = nil

    public init(communicator: any Communicator, bounds: [Int], ownRowsOnly: Bool = false,
                failureHandler: @escaping @Sendable (any Error) -> Never = { fatalError("distributed collective failed: \($0)") }) {
        precondition(bounds.count == communicator.size + 1 && bounds.first == 0)
        precondition(zip(bounds, bounds.dropFirst()).allSatisfy { $0 <= $1 })
        self.communicator = communicator
        self.bounds = bounds
        self.holdsOwnRowsOnly = ownRowsOnly && zip(bounds, bounds.dropFirst()).allSatisfy { $0 < $1 }
        self.failureHandler = failureHandler
    }

    public var rank: Int { communicator.rank }
    public var size: Int { communicator.size }
    public var itemCount: Int { bounds.last! }
    public var block: Range<Int> { bounds[rank]..<bounds[rank + 1] }
    public func block(of r: Int) -> Range<Int> { bounds[r]..<bounds[r + 1] }

    /// Blocks balanced by Σ (likes + rowWeight) over items, from the per-item like counts (which
    /// every participant can know without holding S: M numbers).
    public static func balancedBounds(itemNonzeros: [Int], parts: Int, dimension: Int) -> [Int] {
        var pointers = [0]
        pointers.reserveCapacity(itemNonzeros.count + 1)
        for c in itemNonzeros { pointers.append(pointers.last! + c) }
        var b = ItemBlocks.balanced(rowPointers: pointers, count: parts, rowWeight: ItemBlocks.rowWeight(dimension: dimension)).bounds
        // Fewer items than parts: trailing participants own empty blocks.
        while b.count < parts + 1 { b.append(b.last!) }
        return b
    }

    /// The columns of S (users × M) in this participant's block, the others dropped (same shape).
    public func localBlock(of s: SparseMatrix) throws -> SparseMatrix {
        precondition(s.columns == itemCount)
        let own = block
        var pointers = [0], columns: [Int32] = [], values: [Double] = []
        for u in 0..<s.rows {
            for k in s.rowPointers[u]..<s.rowPointers[u + 1] where own.contains(Int(s.columnIndices[k])) {
                columns.append(s.columnIndices[k]); values.append(s.values[k])
            }
            pointers.append(columns.count)
        }
        return try SparseMatrix(rows: s.rows, columns: s.columns, rowPointers: pointers, columnIndices: columns, values: values)
    }

    /// Every participant's rows of `m` (its block) copied to every participant: afterwards all
    /// participants hold the same matrix. Rows outside the own block are overwritten.
    public func gatherRows(_ m: inout Matrix) throws {
        precondition(m.rows == itemCount)
        let d = m.columns, rows = m.rows
        if size == 1 || d == 0 { return }
        let own = block
        var packed = [Double](repeating: 0, count: own.count * d)
        m.storage.withUnsafeBufferPointer { src in
            for j in 0..<d { for (k, i) in own.enumerated() { packed[k + j * own.count] = src[i + j * rows] } }
        }
        var all = [Double](repeating: 0, count: rows * d)
        let counts = (0..<size).map { block(of: $0).count * d }
        try packed.withUnsafeBufferPointer { p in
            try all.withUnsafeMutableBufferPointer { a in try communicator.allgather(p, into: a, counts: counts) }
        }
        m.storage.withUnsafeMutableBufferPointer { dst in
            for r in 0..<size {
                let b = block(of: r), base = bounds[r] * d
                for j in 0..<d { for (k, i) in b.enumerated() { dst[i + j * rows] = all[base + k + j * b.count] } }
            }
        }
    }

    /// The own block's entries of an M-vector copied to every participant.
    public func gatherVector(_ x: UnsafeMutableBufferPointer<Double>) throws {
        precondition(x.count == itemCount)
        if size == 1 { return }
        let own = block
        let local = [Double](UnsafeBufferPointer(rebasing: x[own]))
        let counts = (0..<size).map { block(of: $0).count }
        try local.withUnsafeBufferPointer { l in try communicator.allgather(l, into: x, counts: counts) }
    }

    /// A sum over participants of a matrix (in rank order, the same on every participant).
    public func sum(_ m: inout Matrix) throws {
        try m.storage.withUnsafeMutableBufferPointer { try communicator.allreduceSum($0) }
    }

    /// Throws the same error on every participant when any of them has a problem (`localError`),
    /// so that all take the same branch: the lowest failing rank's message is reported by all.
    public func agree(_ localError: (any Error)?) throws {
        var flags = [Double](repeating: 0, count: size)
        flags[rank] = localError == nil ? 0 : 1
        try flags.withUnsafeMutableBufferPointer { try communicator.allreduceSum($0) }
        guard let failing = flags.firstIndex(where: { $0 > 0 }) else { return }
        if failing == rank, let localError { throw localError }
        throw CommunicatorError.peerFailed(rank: failing, message: "see rank \(failing)'s message")
    }
}

extension Problem {
    /// X = SᵀS with S split by item blocks over `distribution`: `localBlock` is S (users × M, all
    /// participants agreeing on users and M) with nonzeros only in this participant's columns.
    /// Collective: every participant must call it. Diagonal, ‖X‖²_F and the operator are the
    /// distributed ones; `source` is `.interactions(localBlock)`, so code that would read all of S
    /// from it must not run on a distributed problem (the distributed solve path refuses it).
    public init(interactionsBlock s: SparseMatrix, distribution: ItemDistribution) throws {
        var localError: (any Error)? = nil
        if s.columns != distribution.itemCount {
            localError = ProblemError.shapeMismatch("local block has \(s.columns) item columns, the distribution \(distribution.itemCount)")
        } else if !s.columnIndices.allSatisfy({ distribution.block.contains(Int($0)) }) {
            localError = ProblemError.shapeMismatch("participant \(distribution.rank) holds nonzeros outside its item block \(distribution.block)")
        } else if !s.values.allSatisfy({ $0.isFinite }) {
            localError = ProblemError.nonFinite("the interaction matrix has NaN or infinite entries")
        }
        try distribution.agree(localError)
        guard s.columns > 0 else { throw ProblemError.emptyProblem }
        var diagonal = [Double](repeating: 0, count: s.columns)
        for k in 0..<s.nonzeroCount { diagonal[Int(s.columnIndices[k])] += s.values[k] * s.values[k] }
        try diagonal.withUnsafeMutableBufferPointer { try distribution.gatherVector($0) }
        let fro = try Problem.distributedGramFrobeniusNormSquared(s, distribution: distribution)
        var diag = CompensatedSum()
        for x in diagonal { diag.add(x * x) }
        var longest = 0
        for u in 0..<s.rows { longest = max(longest, s.rowPointers[u + 1] - s.rowPointers[u]) }
        let longestBound = Int(try distribution.communicator.allreduceSum(Double(longest)))
        self.init(source: .interactions(s), itemCount: s.columns, diagonal: diagonal, frobeniusNormSquared: fro,
                  offDiagonalNormSquared: fro - diag.value,
                  operator: DistributedGramOperator(localBlock: s, diagonal: diagonal, distribution: distribution,
                                                    longestUserRowBound: longestBound),
                  distribution: distribution)
    }

    /// ‖SᵀS‖²_F = Σ_{b, b'} ‖S_bᵀS_{b'}‖²_F: each participant broadcasts its block once (as users
    /// CSR), every participant adds the squares of X_ij for i in its block and j in the
    /// broadcast one. Communication Σ_b (nnz_b + N) numbers; work Σ_u likes(u)², as on one process.
    static func distributedGramFrobeniusNormSquared(_ s: SparseMatrix, distribution: ItemDistribution) throws -> Double {
        let comm = distribution.communicator
        let st = s.transposed
        let users = s.rows
        var scratch = [Double](repeating: 0, count: s.columns)
        var touched: [Int] = []
        var partial = CompensatedSum()
        for root in 0..<comm.size {
            var count = [Double(s.nonzeroCount)]
            try count.withUnsafeMutableBufferPointer { try comm.broadcast($0, root: root) }
            let nnz = Int(count[0])
            // Row pointers, column indices and values as Float64 (integers are exact below 2⁵³).
            var packed = [Double](repeating: 0, count: users + 1 + 2 * nnz)
            if comm.rank == root {
                for u in 0...users { packed[u] = Double(s.rowPointers[u]) }
                for k in 0..<nnz { packed[users + 1 + k] = Double(s.columnIndices[k]); packed[users + 1 + nnz + k] = s.values[k] }
            }
            try packed.withUnsafeMutableBufferPointer { try comm.broadcast($0, root: root) }
            let rowStart = { (u: Int) in Int(packed[u]) }
            for i in distribution.block {
                for q in st.rowPointers[i]..<st.rowPointers[i + 1] {
                    let u = Int(st.columnIndices[q]), a = st.values[q]
                    for k in rowStart(u)..<rowStart(u + 1) {
                        let j = Int(packed[users + 1 + k])
                        if scratch[j] == 0 { touched.append(j) }
                        scratch[j] += a * packed[users + 1 + nnz + k]
                    }
                }
                for j in touched { partial.add(scratch[j] * scratch[j]); scratch[j] = 0 }
                touched.removeAll(keepingCapacity: true)
            }
        }
        return try comm.allreduceSum(partial.value)
    }
}
