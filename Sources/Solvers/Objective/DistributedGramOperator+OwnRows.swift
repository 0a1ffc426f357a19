import LinearAlgebra

extension DistributedGramOperator {
    /// X·E restricted to the own block's rows, for E given by its own rows only (M_b × D, local
    /// rows): S_{:,b}·E_b summed over participants (one allreduce of N × D), then the block's rows
    /// of Sᵀ(SE). Nothing M × D is formed or gathered; every entry is an O(nnz_b·D) sum.
    public func applyOwnRows(_ e: Matrix) -> Matrix {
        let own = distribution.block, d = e.columns, users = s.rows, mb = own.count
        precondition(e.rows == mb, "own-rows product: \(e.rows) rows, the block has \(mb)")
        var se = Matrix(rows: users, columns: d)
        e.storage.withUnsafeBufferPointer { ep in
            se.storage.withUnsafeMutableBufferPointer { sp in
                for u in 0..<users {
                    for k in s.rowPointers[u]..<s.rowPointers[u + 1] {
                        let item = Int(s.columnIndices[k]) - own.lowerBound, value = s.values[k]
                        for j in 0..<d { sp[u + j * users] += value * ep[item + j * mb] }
                    }
                }
            }
        }
        var out = Matrix(rows: mb, columns: d)
        do {
            try distribution.sum(&se)
        } catch {
            distribution.failureHandler(error)
        }
        se.storage.withUnsafeBufferPointer { sp in
            out.storage.withUnsafeMutableBufferPointer { op in
                for item in own {
                    let row = item - own.lowerBound
                    for k in st.rowPointers[item]..<st.rowPointers[item + 1] {
                        let user = Int(st.columnIndices[k]), value = st.values[k]
                        for j in 0..<d { op[row + j * mb] += value * sp[user + j * users] }
                    }
                }
            }
        }
        return out
    }
}
