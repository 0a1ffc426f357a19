import LinearAlgebra

extension MaskedLoss {
    /// L(V) summed entry by entry, Σ_{i≠j} (v_iᵀv_j − X_ij)², with X formed one block of
    /// `blockSize` columns at a time (M × blockSize memory, never M × M).
    ///
    /// O(M²·D) work: an independent check of the implicit formula, free of its cancellation
    /// (each residual is formed before it is squared). `coembed evaluate --direct` prints both.
    public static func direct(problem: Problem, v: Matrix, blockSize: Int = 256) -> Double {
        var total = CompensatedSum()
        forEachResidualBlock(problem: problem, v: v, blockSize: blockSize) { start, r in
            for c in 0..<r.columns {
                let j = start + c
                for i in 0..<r.rows where i != j { total.add(r[i, c] * r[i, c]) }
            }
        }
        return total.value
    }

    /// Calls `body(start, R)` for consecutive column blocks of R = V·Vᵀ − X (columns start ..<
    /// start + R.columns, every row), X formed one block at a time (M × blockSize memory, never
    /// M × M). The one place the direct sums (`direct`, `LossAccuracy.direct`) form residuals.
    static func forEachResidualBlock(problem: Problem, v: Matrix, blockSize: Int, _ body: (Int, Matrix) -> Void) {
        let m = problem.itemCount
        precondition(v.rows == m, "embedding has \(v.rows) rows, the problem \(m) items")
        let b = max(1, min(blockSize, m))
        let st: SparseMatrix? = {
            if case let .interactions(s) = problem.source { return s.transposed } else { return nil }
        }()
        var start = 0
        while start < m {
            let width = min(b, m - start)
            let block = v.rowsSlice(start..<(start + width))
            // R = V·V_blockᵀ − X[:, block]
            var r = Matrix(rows: m, columns: width)
            BLAS.gemm(.none, v, .transpose, block, into: &r)
            switch problem.source {
            case let .interactions(s):
                // X[:, block] = Sᵀ·S[:, block], with S[:, block] gathered from the transpose.
                var columns = Matrix(rows: s.rows, columns: width)
                for (c, item) in (start..<(start + width)).enumerated() {
                    for k in st!.rowPointers[item]..<st!.rowPointers[item + 1] {
                        columns[Int(st!.columnIndices[k]), c] = st!.values[k]
                    }
                }
                let x = s.transposeMultiply(columns)
                for k in 0..<r.storage.count { r.storage[k] -= x.storage[k] }
            case let .dense(x):
                for c in 0..<width { for i in 0..<m { r[i, c] -= x[i, start + c] } }
            case let .sparse(x):
                for c in 0..<width {
                    let j = start + c // symmetric: column j is row j
                    for k in x.rowPointers[j]..<x.rowPointers[j + 1] { r[Int(x.columnIndices[k]), c] -= x.values[k] }
                }
            }
            body(start, r)
            start += width
        }
    }
}

extension Matrix {
    /// Rows `range` as a new matrix.
    func rowsSlice(_ range: Range<Int>) -> Matrix {
        Matrix(rows: range.count, columns: columns) { i, j in self[range.lowerBound + i, j] }
    }
}
