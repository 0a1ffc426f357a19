import LinearAlgebra

/// The best rank-D positive semidefinite approximation of X in Frobenius norm:
/// V = U_D·diag(√max(λ, 0)) from the top-D algebraically largest eigenpairs.
public enum EigenInitializer {
    /// How the top-D eigenpairs of X are computed.
    public enum Backend: String, Sendable, CaseIterable, Codable {
        /// Gram for interactions with fewer users than items, LAPACK for dense X, ARPACK otherwise.
        case automatic
        /// Eigendecompose the users × users SSᵀ with LAPACK and map back: √λ·v = Sᵀu.
        case gram
        /// LAPACK dsyevr (range 'I') on dense X (small explicit problems are materialised).
        case dense
        /// ARPACK (dsaupd/dseupd, which = "LA") on X as an implicit operator.
        case arpack
    }

    public struct Output {
        public var embedding: Matrix
        /// The D eigenvalues, descending (zeros where D exceeds what the backend can produce).
        public var eigenvalues: [Double]
        public var backend: Backend
        public var operatorApplications: Int
        public var notes: [String]
    }

    /// Resolves `.automatic` for a problem.
    public static func resolve(_ backend: EigenInitializer.Backend, for problem: Problem) throws -> EigenInitializer.Backend {
        switch (backend, problem.source) {
        case (.automatic, .interactions(let s)): return s.rows < s.columns ? .gram : .arpack
        case (.automatic, .dense): return .dense
        case (.automatic, .sparse): return .arpack
        case (.gram, .interactions): return .gram
        case (.gram, _): throw ProblemError.invalidOption("the gram backend needs X = SᵀS given as interactions")
        default: return backend
        }
    }

    public static func compute(problem: Problem, dimension d: Int, backend requested: EigenInitializer.Backend = .automatic,
                               tolerance: Double = 1e-12, seed: UInt64 = 0) throws -> Output {
        try problem.validate(dimension: d)
        let backend = try resolve(requested, for: problem)
        var values: [Double]
        var vectors: Matrix
        var applications = 0
        var notes: [String] = []
        switch backend {
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
            var mapped = s.transposeMultiply(u)
            if let distribution = problem.distribution { try distribution.gatherRows(&mapped) }
            applications = k
            var v = Matrix(rows: s.columns, columns: d)
            v.storage.replaceSubrange(0..<(s.columns * k), with: mapped.storage)
            values = eig.values + [Double](repeating: 0, count: d - k)
            vectors = v
            if d > k { notes.append("D = \(d) exceeds the \(k) users: columns \(k + 1)…\(d) are zero (rank(X) ≤ users)") }
            finish(&vectors, values: values, scaled: true, notes: &notes)
            return Output(embedding: vectors, eigenvalues: values, backend: .gram, operatorApplications: applications, notes: notes)
        case .dense, .arpack:
            let op = problem.operator_
            let eig = try SymmetricEigen.largest(d, of: op, options: EigenOptions(
                backend: backend == .dense ? .dense : .arpack, tolerance: tolerance, seed: seed))
            values = eig.values
            vectors = eig.vectors
            applications = eig.info.operatorApplications
        case .automatic:
            fatalError("automatic is resolved above")
        }
        finish(&vectors, values: values, scaled: false, notes: &notes)
        return Output(embedding: vectors, eigenvalues: values, backend: backend, operatorApplications: applications, notes: notes)
    }

    /// Scales unit eigenvectors by √max(λ, 0) (unless already scaled), fixes each column's sign so
    /// that its sum is positive, and notes zero columns.
    static func finish(_ v: inout Matrix, values: [Double], scaled: Bool, notes: inout [String]) {
        let m = v.rows
        var zeroColumns = 0
        for j in 0..<v.columns {
            let factor = scaled ? 1 : max(values[j], 0).squareRoot()
            var sum = 0.0
            for i in 0..<m { v[i, j] *= factor; sum += v[i, j] }
            let sign = sum < 0 ? -1.0 : 1.0
            if sign < 0 { for i in 0..<m { v[i, j] = -v[i, j] } }
            if !(values[j] > 0) { zeroColumns += 1 }
        }
        if zeroColumns > 0 {
            notes.append("\(zeroColumns) of \(v.columns) eigenvalues are ≤ 0: those columns are zero (D above the number of positive eigenvalues)")
        }
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
