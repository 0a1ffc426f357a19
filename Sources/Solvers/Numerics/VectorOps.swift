import LinearAlgebra

/// Level-1 operations on matrices viewed as flat vectors (the optimisers' variables).
enum Flat {
    static func dot(_ a: Matrix, _ b: Matrix) -> Double {
        a.storage.withUnsafeBufferPointer { pa in b.storage.withUnsafeBufferPointer { pb in BLAS.dot(pa, pb) } }
    }

    static func norm(_ a: Matrix) -> Double { dot(a, a).squareRoot() }

    /// y ← y + α·x
    static func axpy(_ alpha: Double, _ x: Matrix, _ y: inout Matrix) {
        x.storage.withUnsafeBufferPointer { px in y.storage.withUnsafeMutableBufferPointer { BLAS.axpy(alpha, px, $0) } }
    }

    /// out ← a + α·b
    static func combine(_ a: Matrix, _ alpha: Double, _ b: Matrix, into out: inout Matrix) {
        precondition(a.count == b.count && out.count == a.count)
        a.storage.withUnsafeBufferPointer { pa in
            b.storage.withUnsafeBufferPointer { pb in
                out.storage.withUnsafeMutableBufferPointer { po in
                    for k in 0..<pa.count { po[k] = pa[k] + alpha * pb[k] }
                }
            }
        }
    }

    /// out ← α·a (in place: no copy-on-write of a shared buffer).
    static func copy(_ a: Matrix, scaledBy alpha: Double, into out: inout Matrix) {
        precondition(a.count == out.count)
        a.storage.withUnsafeBufferPointer { pa in
            out.storage.withUnsafeMutableBufferPointer { po in
                for k in 0..<pa.count { po[k] = alpha * pa[k] }
            }
        }
    }

    static func scale(_ a: inout Matrix, by s: Double) {
        a.storage.withUnsafeMutableBufferPointer { p in for k in 0..<p.count { p[k] *= s } }
    }
}
