import LinearAlgebra

/// The best rank-D positive semidefinite approximation of X in Frobenius norm:
/// V = U_D·diag(√max(λ, 0)) from the top-D algebraically largest eigenpairs.
public enum SpectralEmbedding {
    /// Which matrix and which eigensolver give the top-D eigenpairs of X (`--eigen-backend`):
    /// a route through SSᵀ, LAPACK, ARPACK or the block eigensolver. Not to be confused with
    /// LinearAlgebra's `EigenBackend`, the eigensolver a single `SymmetricEigen` call uses.
    public enum Route: String, Sendable, CaseIterable, Codable, SettingValue {
        /// Gram for interactions with fewer users than items when the users × users work fits the
        /// memory budget and its O(users³) eigensolve is cheaper than block products, else the
        /// block method; LAPACK for dense X; ARPACK for sparse X.
        case automatic
        /// Eigendecompose the users × users SSᵀ with LAPACK and map back: √λ·v = Sᵀu.
        case gram
        /// LAPACK dsyevr (range 'I') on dense X (small explicit problems are materialised).
        case dense
        /// ARPACK (dsaupd/dseupd, which = "LA") on X as an implicit operator.
        case arpack
        /// `BlockEigensolver` (Rayleigh–Ritz on S·panel and Sᵀ·panel products): for large M.
        case block
    }

    public struct Output {
        public var embedding: Matrix
        /// The D eigenvalues, descending (zeros where D exceeds what the backend can produce).
        public var eigenvalues: [Double]
        public var route: Route
        public var operatorApplications: Int
        public var notes: [String]
    }

    /// Resolves `.automatic` for a problem, and refuses (before any work) a route whose working
    /// memory for D pairs exceeds `budget`.
    public static func resolve(_ backend: Route, for problem: Problem, dimension d: Int = 1,
                               budget: MemoryBudget = .system) throws -> Route {
        let resolved: Route
        switch (backend, problem.source) {
        case (.automatic, .interactions(let s)):
            // Distributed: the one-process rule on replicated numbers — the total likes and
            // whether the Gram fits on every participant (one collective of two numbers) — so
            // every participant takes the same route.
            var nonzeros = s.nonzeroCount, gramFits = budget.fits(EigenMemory.gramBytes(users: s.rows))
            if let distribution = problem.distribution {
                var totals = [Double(nonzeros), gramFits ? 0 : 1]
                try totals.withUnsafeMutableBufferPointer { try distribution.communicator.allreduceSum($0) }
                nonzeros = Int(totals[0])
                gramFits = totals[1] == 0
            }
            if s.rows < s.columns && gramFits
                && EigenMemory.gramIsCheaper(users: s.rows, items: s.columns, nonzeros: nonzeros, dimension: d) {
                resolved = .gram
            } else if BlockEigensolver.blockWidth(d, order: s.columns, oversampling: nil) >= d {
                resolved = .block
            } else {
                resolved = .arpack
            }
        case (.automatic, .dense): resolved = .dense
        case (.automatic, .sparse): resolved = .arpack
        case (.gram, .interactions): resolved = .gram
        case (.gram, _): throw ProblemError.invalidOption("the gram backend needs X = SᵀS given as interactions")
        default: resolved = backend
        }
        if let distribution = problem.distribution {
            // Each participant checks its own held rows; all refuse together (one collective)
            // rather than some leaving while the others wait in the solver's collectives.
            var refusal: (any Error)? = nil
            do { try EigenMemory.check(resolved, problem: problem, dimension: d, budget: budget) } catch { refusal = error }
            try distribution.agree(refusal)
        } else {
            try EigenMemory.check(resolved, problem: problem, dimension: d, budget: budget)
        }
        return resolved
    }

    /// Residual target of the block route, relative to the largest eigenvalue (see
    /// `BlockEigenOptions.tolerance`); ARPACK's `tolerance` is relative to each eigenvalue instead.
    public static let blockTolerance = 1e-8

    /// The block route's residual target when the eigenpairs only start an iterative method
    /// (`init=eigen`): the iteration moves V far more than a 1e-6·λ_max residual does (the
    /// start's loss moved by 2e-9 relative at 100 k items), and it takes 11 LOBPCG iterations there
    /// where `blockTolerance` takes 15.
    public static let initializationTolerance = 1e-6

    public static func compute(problem: Problem, dimension d: Int, route requested: Route = .automatic,
                               tolerance: Double = 1e-12, blockTolerance: Double = SpectralEmbedding.blockTolerance,
                               seed: UInt64 = 0, budget: MemoryBudget = .system) throws -> Output {
        try problem.validate(dimension: d)
        let route = try resolve(requested, for: problem, dimension: d, budget: budget)
        var values: [Double]
        var vectors: Matrix
        var applications = 0
        var notes: [String] = []
        // Local rows: the block route and PARPACK work on the held rows and return V_b directly.
        let ownRows = OwnRowsGramOperator(problem)
        func heldRowsOutput(_ eig: EigenDecomposition, note: String) -> Output {
            var v = eig.vectors, rowNotes = notes + [note]
            finish(&v, values: eig.values, scaled: false, notes: &rowNotes, sums: problem.itemSums)
            return Output(embedding: v, eigenvalues: eig.values, route: route,
                          operatorApplications: eig.info.operatorApplications, notes: rowNotes)
        }
        switch route {
        case .gram:
            guard case let .interactions(s) = problem.source else { fatalError("resolved gram without interactions") }
            let k = min(d, s.rows)
            // The users × users Gram is small: a full divide-and-conquer dsyevd is faster than
            // dsyevr's subset (27 vs 79 ms at order 600 here); keep its top k pairs.
            var userGram = rowGram(s)
            // Distributed: SSᵀ = Σ_b S_{:,b}S_{:,b}ᵀ, summed over the item blocks.
            if let distribution = problem.distribution { try distribution.sum(&userGram) }
            let full = try LAPACK.symmetricEigen(userGram)
            let eig = (values: Array(full.values.prefix(k)), vectors: full.vectors.columns(0..<k))
            // √λ_k·v_k = Sᵀu_k: the item-side eigenvector scaled by √λ comes straight out.
            var u = eig.vectors
            for j in 0..<k where !(eig.values[j] > 0) {
                for i in 0..<u.rows { u[i, j] = 0 }
            }
            applications = k
            var v: Matrix
            if problem.itemSums.isDistributed {
                // Local rows: V_b = S_{:,b}ᵀU, from the block's own columns; nothing gathered.
                v = blockRows(s, u, rows: problem.heldRows, dimension: d)
            } else {
                var mapped = s.transposeMultiply(u)
                if let distribution = problem.distribution { try distribution.gatherRows(&mapped) }
                v = Matrix(rows: s.columns, columns: d)
                v.storage.replaceSubrange(0..<(s.columns * k), with: mapped.storage)
            }
            values = eig.values + [Double](repeating: 0, count: d - k)
            vectors = v
            if d > k { notes.append("D = \(d) exceeds the \(k) users: columns \(k + 1)…\(d) are zero (rank(X) ≤ users)") }
            finish(&vectors, values: values, scaled: true, notes: &notes, sums: problem.itemSums)
            return Output(embedding: vectors, eigenvalues: values, route: .gram, operatorApplications: applications, notes: notes)
        case .dense, .arpack:
            // Local rows with PARPACK: the Lanczos basis split by rows. (k ≥ n − 1 stays on the
            // replicated path below, which solves densely as one process does.)
            if route == .arpack, let ownRows, let lanczos = problem.distribution?.rowLanczos, d < problem.itemCount - 1 {
                let eig = try lanczos.largest(d, ofRows: ownRows, options: EigenOptions(backend: .arpack, tolerance: tolerance, seed: seed))
                return heldRowsOutput(eig, note: "PARPACK: \(eig.info.iterations) restarts, \(eig.info.operatorApplications) operator applications, Lanczos basis split by rows")
            }
            let op = problem.operator_
            let eig = try SymmetricEigen.largest(d, of: op, options: EigenOptions(
                backend: route == .dense ? .dense : .arpack, tolerance: tolerance, seed: seed))
            values = eig.values
            vectors = eig.vectors
            applications = eig.info.operatorApplications
        case .block:
            let options = BlockEigenOptions(tolerance: blockTolerance, seed: seed)
            if let ownRows {
                // Local rows: the panels hold the block's rows.
                let eig = try BlockEigensolver.largest(d, ofRows: ownRows, options: options)
                return heldRowsOutput(eig, note: "block eigensolver: \(eig.info.iterations) iterations, \(eig.info.operatorApplications) operator applications")
            }
            let eig = try BlockEigensolver.largest(d, of: problem.operator_, options: options)
            values = eig.values
            vectors = eig.vectors
            applications = eig.info.operatorApplications
            notes.append("block eigensolver: \(eig.info.iterations) iterations, \(applications) operator applications")
        case .automatic:
            fatalError("automatic is resolved above")
        }
        finish(&vectors, values: values, scaled: false, notes: &notes)
        // Local rows with a replicated eigensolver (ARPACK on every participant): the signs were
        // fixed on all of V above, each participant keeps its rows.
        vectors = problem.heldPart(of: vectors)
        return Output(embedding: vectors, eigenvalues: values, route: route, operatorApplications: applications, notes: notes)
    }

    /// Scales unit eigenvectors by √max(λ, 0) (unless already scaled), fixes each column's sign so
    /// that its sum is positive, and notes zero columns.
    /// With local rows (`sums` distributed) V holds a participant's rows and the column sums are
    /// completed by one allreduce of D numbers.
    static func finish(_ v: inout Matrix, values: [Double], scaled: Bool, notes: inout [String], sums: ItemSums? = nil) {
        let m = v.rows
        var zeroColumns = 0
        var columnSums = [Double](repeating: 0, count: v.columns)
        for j in 0..<v.columns {
            let factor = scaled ? 1 : max(values[j], 0).squareRoot()
            var sum = 0.0
            for i in 0..<m { v[i, j] *= factor; sum += v[i, j] }
            columnSums[j] = sum
        }
        sums?.reduce(&columnSums)
        for j in 0..<v.columns {
            let sign = columnSums[j] < 0 ? -1.0 : 1.0
            if sign < 0 { for i in 0..<m { v[i, j] = -v[i, j] } }
            if !(values[j] > 0) { zeroColumns += 1 }
        }
        if zeroColumns > 0 {
            notes.append("\(zeroColumns) of \(v.columns) eigenvalues are ≤ 0: those columns are zero (D above the number of positive eigenvalues)")
        }
    }

    /// Rows `rows` of SᵀU (items × D, columns past U's zero): S holds the columns `rows` (a
    /// participant's block), so each row needs only that item's likes.
    static func blockRows(_ s: SparseMatrix, _ u: Matrix, rows: Range<Int>, dimension d: Int) -> Matrix {
        let st = s.transposed
        let k = u.columns
        var v = Matrix(rows: rows.count, columns: d)
        for i in rows {
            for q in st.rowPointers[i]..<st.rowPointers[i + 1] {
                let user = Int(st.columnIndices[q]), a = st.values[q]
                for j in 0..<k { v[i - rows.lowerBound, j] += a * u[user, j] }
            }
        }
        return v
    }

    /// SSᵀ (users × users) by sparse accumulation, O(Σ_u Σ_{j∈u} likes(j)), never items × items.
    public static func rowGram(_ s: SparseMatrix) -> Matrix {
        let st = s.transposed
        let n = s.rows
        var g = Matrix(rows: n, columns: n)
        g.storage.withUnsafeMutableBufferPointer { gs in
            for u in 0..<n {
                for k in s.rowPointers[u]..<s.rowPointers[u + 1] {
                    let j = Int(s.columnIndices[k]), a = s.values[k]
                    for q in st.rowPointers[j]..<st.rowPointers[j + 1] {
                        gs[Int(st.columnIndices[q]) + u * n] += a * st.values[q]
                    }
                }
            }
        }
        return g
    }
}
