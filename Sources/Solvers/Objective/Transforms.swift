#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import LinearAlgebra

/// What the closed-form solvers factorise in place of raw co-occurrence counts.
///
/// Counts are dominated by popular items; PMI reweights every pair by how much more often it
/// occurs than independence predicts, and SPPMI is the matrix SGNS with k negatives factorises
/// implicitly (Levy & Goldberg 2014). Offering the transforms here lets the exact solvers be
/// compared with the sampled ones on the same target.
public enum CooccurrenceTransform: Sendable, Equatable {
    /// X = SᵀS as it is (the implicit interactions problem).
    case counts
    /// PMI_ij = log(X_ij · T / (c_i · c_j)) on the nonzero off-diagonal pattern of X (positive
    /// and negative values kept), with c_i = Σ_{j≠i} X_ij and T = Σ_i c_i. Pairs never seen
    /// together (PMI = −∞) stay structural zeros.
    case pmi
    /// Shifted positive PMI: max(PMI_ij − log k, 0), entries that become 0 dropped. `shift` is
    /// k, the number of SGNS negatives the matrix corresponds to (k = 1: plain PPMI).
    case sppmi(shift: Double)

    /// The transformed X as a sparse symmetric matrix (both triangles stored, rows sorted).
    ///
    /// The diagonal is not stored (zero) for every transform including `counts`: the masked loss
    /// never reads it, and PMI of an item with itself has no meaning when positive pairs have
    /// i ≠ j. Built item by item from Sᵀ and S with one scratch row of length M, so the memory
    /// is O(nnz(X)) and no dense M × M matrix is formed; the cost is Σ_u n_u².
    public func matrix(_ s: SparseMatrix) throws -> SparseMatrix {
        let counts = Self.offDiagonalCooccurrence(s)
        switch self {
        case .counts:
            return counts
        case .pmi:
            return try Self.pmi(counts, shift: nil)
        case let .sppmi(k):
            guard k > 0, k.isFinite else { throw ProblemError.invalidOption("sppmi shift k must be positive, got \(k)") }
            return try Self.pmi(counts, shift: log(k))
        }
    }

    /// The off-diagonal part of SᵀS in CSR, accumulated one item (row) at a time.
    static func offDiagonalCooccurrence(_ s: SparseMatrix) -> SparseMatrix {
        let m = s.columns
        let st = s.transposed // items × users
        var scratch = [Double](repeating: 0, count: m)
        var seen = [Bool](repeating: false, count: m)
        var touched: [Int] = []
        var pointers = [Int](repeating: 0, count: m + 1)
        var columns: [Int32] = []
        var values: [Double] = []
        for i in 0..<m {
            for q in st.rowPointers[i]..<st.rowPointers[i + 1] {
                let u = Int(st.columnIndices[q]), a = st.values[q]
                for k in s.rowPointers[u]..<s.rowPointers[u + 1] {
                    let j = Int(s.columnIndices[k])
                    if j == i { continue }
                    if !seen[j] { seen[j] = true; touched.append(j) }
                    scratch[j] += a * s.values[k]
                }
            }
            touched.sort()
            for j in touched {
                if scratch[j] != 0 { columns.append(Int32(j)); values.append(scratch[j]) }
                scratch[j] = 0
                seen[j] = false
            }
            touched.removeAll(keepingCapacity: true)
            pointers[i + 1] = columns.count
        }
        return try! SparseMatrix(rows: m, columns: m, rowPointers: pointers, columnIndices: columns, values: values)
    }

    /// PMI on the pattern of the off-diagonal counts; with `shift`, max(PMI − shift, 0) with zeros dropped.
    static func pmi(_ x: SparseMatrix, shift: Double?) throws -> SparseMatrix {
        let m = x.rows
        var c = [Double](repeating: 0, count: m)
        for i in 0..<m { for k in x.rowPointers[i]..<x.rowPointers[i + 1] { c[i] += x.values[k] } }
        let total = c.reduce(0, +)
        guard total > 0 else { throw ProblemError.invalidOption("PMI needs positive co-occurrence counts; no user likes two items") }
        let logT = log(total)
        let logC = c.map { $0 > 0 ? log($0) : 0 }
        var pointers = [Int](repeating: 0, count: m + 1)
        var columns: [Int32] = []
        var values: [Double] = []
        columns.reserveCapacity(x.nonzeroCount)
        values.reserveCapacity(x.nonzeroCount)
        for i in 0..<m {
            for k in x.rowPointers[i]..<x.rowPointers[i + 1] where x.values[k] > 0 {
                let j = Int(x.columnIndices[k])
                // Written symmetrically in i and j so that X stays exactly symmetric.
                var v = log(x.values[k]) + logT - (logC[i] + logC[j])
                if let shift {
                    v -= shift
                    if !(v > 0) { continue }
                }
                columns.append(Int32(j))
                values.append(v)
            }
            pointers[i + 1] = columns.count
        }
        return try SparseMatrix(rows: m, columns: m, rowPointers: pointers, columnIndices: columns, values: values)
    }
}

extension Problem {
    /// The problem of factorising `t` applied to X = SᵀS. `.counts` gives the implicit
    /// interactions problem unchanged (X never formed); PMI and SPPMI give an explicit sparse X
    /// with a zero diagonal (see `CooccurrenceTransform.matrix`).
    public static func transformed(_ s: SparseMatrix, _ t: CooccurrenceTransform) throws -> Problem {
        switch t {
        case .counts: return try Problem(interactions: s)
        default: return try Problem(sparse: try t.matrix(s), symmetryTolerance: 0)
        }
    }
}
