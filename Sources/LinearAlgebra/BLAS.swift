import _COpenBLAS

/// Thin, shape-checked wrappers over the CBLAS routines the suite needs. All matrices are
/// column-major (`Matrix`). Shape errors are programming errors and trap with a message.
public enum BLAS {
    public enum Transpose: Sendable {
        case none, transpose
        var cblas: CBLAS_TRANSPOSE { self == .none ? CblasNoTrans : CblasTrans }
    }

    /// Number of threads OpenBLAS uses for level-3 calls.
    public static var threadCount: Int {
        get { Int(openblas_get_num_threads()) }
    }

    /// Sets OpenBLAS's thread count (the pthread build starts its pool on load).
    public static func setThreadCount(_ n: Int) {
        openblas_set_num_threads(Int32(max(1, n)))
    }

    /// C ← α·op(A)·op(B) + β·C.
    public static func gemm(_ transA: Transpose = .none, _ a: Matrix, _ transB: Transpose = .none, _ b: Matrix,
                            alpha: Double = 1, beta: Double = 0, into c: inout Matrix) {
        let (m, ka) = transA == .none ? (a.rows, a.columns) : (a.columns, a.rows)
        let (kb, n) = transB == .none ? (b.rows, b.columns) : (b.columns, b.rows)
        precondition(ka == kb && c.rows == m && c.columns == n,
                     "gemm: op(A) is \(m)×\(ka), op(B) is \(kb)×\(n), C is \(c.rows)×\(c.columns)")
        if m == 0 || n == 0 { return }
        if ka == 0 {
            if beta == 0 { c.storage.withUnsafeMutableBufferPointer { $0.update(repeating: 0) } } else {
                for i in c.storage.indices { c.storage[i] *= beta }
            }
            return
        }
        a.storage.withUnsafeBufferPointer { pa in
            b.storage.withUnsafeBufferPointer { pb in
                c.storage.withUnsafeMutableBufferPointer { pc in
                    cblas_dgemm(CblasColMajor, transA.cblas, transB.cblas, Int32(m), Int32(n), Int32(ka),
                                alpha, pa.baseAddress, Int32(max(1, a.rows)), pb.baseAddress, Int32(max(1, b.rows)),
                                beta, pc.baseAddress, Int32(max(1, c.rows)))
                }
            }
        }
    }

    /// Row-major C ← α·op(A)·op(B) + β·C on raw pointers, for hot loops that own their scratch
    /// buffers (op(A) is m × k, op(B) k × n, C m × n; leading dimensions in elements). Unchecked:
    /// the caller guarantees the buffers. Small products (m·n·k below OpenBLAS's threading
    /// threshold, 262 144 by default) run on the calling thread.
    @inline(__always)
    public static func gemm(rowMajor transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int, alpha: Double,
                            _ a: UnsafePointer<Double>, lda: Int, _ b: UnsafePointer<Double>, ldb: Int,
                            beta: Double, _ c: UnsafeMutablePointer<Double>, ldc: Int) {
        if m <= 0 || n <= 0 { return }
        cblas_dgemm(CblasRowMajor, transA.cblas, transB.cblas, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda),
                    b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// op(A)·op(B) as a new matrix.
    public static func multiply(_ a: Matrix, _ transA: Transpose = .none, _ b: Matrix, _ transB: Transpose = .none) -> Matrix {
        let m = transA == .none ? a.rows : a.columns
        let n = transB == .none ? b.columns : b.rows
        var c = Matrix(rows: m, columns: n)
        gemm(transA, a, transB, b, into: &c)
        return c
    }

    /// Symmetric rank-k update of the **full** matrix: C ← α·AᵀA + β·C (`trans == .transpose`)
    /// or α·AAᵀ + β·C. syrk fills one triangle; the other is mirrored so that C is usable anywhere.
    public static func syrk(_ trans: Transpose, _ a: Matrix, alpha: Double = 1, beta: Double = 0, into c: inout Matrix) {
        let (n, k) = trans == .none ? (a.rows, a.columns) : (a.columns, a.rows)
        precondition(c.rows == n && c.columns == n, "syrk: result must be \(n)×\(n), is \(c.rows)×\(c.columns)")
        if n == 0 { return }
        if k == 0 {
            for i in c.storage.indices { c.storage[i] = beta == 0 ? 0 : beta * c.storage[i] }
            return
        }
        a.storage.withUnsafeBufferPointer { pa in
            c.storage.withUnsafeMutableBufferPointer { pc in
                cblas_dsyrk(CblasColMajor, CblasUpper, trans.cblas, Int32(n), Int32(k), alpha,
                            pa.baseAddress, Int32(max(1, a.rows)), beta, pc.baseAddress, Int32(n))
                // Mirror the upper triangle into the lower one.
                for j in 0..<n {
                    for i in (j + 1)..<n { pc[i + j * n] = pc[j + i * n] }
                }
            }
        }
    }

    /// The Gram matrix AᵀA (`n × n` for an `m × n` A), full storage.
    public static func gram(_ a: Matrix) -> Matrix {
        var c = Matrix(rows: a.columns, columns: a.columns)
        syrk(.transpose, a, into: &c)
        return c
    }

    /// C ← α·A·B + β·C with A symmetric (only its upper triangle is read).
    public static func symm(_ a: Matrix, _ b: Matrix, alpha: Double = 1, beta: Double = 0, into c: inout Matrix) {
        precondition(a.isSquare && a.columns == b.rows && c.rows == a.rows && c.columns == b.columns,
                     "symm: A is \(a.rows)×\(a.columns), B is \(b.rows)×\(b.columns), C is \(c.rows)×\(c.columns)")
        if c.count == 0 { return }
        a.storage.withUnsafeBufferPointer { pa in
            b.storage.withUnsafeBufferPointer { pb in
                c.storage.withUnsafeMutableBufferPointer { pc in
                    cblas_dsymm(CblasColMajor, CblasLeft, CblasUpper, Int32(c.rows), Int32(c.columns), alpha,
                                pa.baseAddress, Int32(max(1, a.rows)), pb.baseAddress, Int32(max(1, b.rows)),
                                beta, pc.baseAddress, Int32(max(1, c.rows)))
                }
            }
        }
    }

    /// y ← α·op(A)·x + β·y.
    public static func gemv(_ trans: Transpose = .none, _ a: Matrix, _ x: UnsafeBufferPointer<Double>,
                            alpha: Double = 1, beta: Double = 0, into y: UnsafeMutableBufferPointer<Double>) {
        let (m, n) = trans == .none ? (a.rows, a.columns) : (a.columns, a.rows)
        precondition(x.count == n && y.count == m, "gemv: op(A) is \(m)×\(n), x has \(x.count), y has \(y.count)")
        if m == 0 { return }
        if n == 0 { for i in 0..<m { y[i] = beta == 0 ? 0 : beta * y[i] }; return }
        a.storage.withUnsafeBufferPointer { pa in
            cblas_dgemv(CblasColMajor, trans.cblas, Int32(a.rows), Int32(a.columns), alpha, pa.baseAddress,
                        Int32(max(1, a.rows)), x.baseAddress, 1, beta, y.baseAddress, 1)
        }
    }

    /// Dot product of two equal-length buffers.
    public static func dot(_ x: UnsafeBufferPointer<Double>, _ y: UnsafeBufferPointer<Double>) -> Double {
        precondition(x.count == y.count)
        if x.isEmpty { return 0 }
        return cblas_ddot(Int32(x.count), x.baseAddress, 1, y.baseAddress, 1)
    }

    /// y ← α·x + y.
    public static func axpy(_ alpha: Double, _ x: UnsafeBufferPointer<Double>, _ y: UnsafeMutableBufferPointer<Double>) {
        precondition(x.count == y.count)
        if x.isEmpty { return }
        cblas_daxpy(Int32(x.count), alpha, x.baseAddress, 1, y.baseAddress, 1)
    }
}
