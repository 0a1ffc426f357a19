import _COpenBLAS
import LinearAlgebra

/// Contiguous item blocks [bounds[b], bounds[b+1]) balanced by work: each item costs its nonzeros
/// in S (its likes: the two sparse passes) plus a fixed share for its row of the dense syrk and gemm.
public struct ItemBlocks: Sendable, Equatable {
    public let bounds: [Int]
    public var count: Int { bounds.count - 1 }
    public func range(_ b: Int) -> Range<Int> { bounds[b]..<bounds[b + 1] }

    /// Dense work per item row in units of one nonzero's sparse work, at dimension D: measured on
    /// ml-latest-small (D = 300, one core, SkylakeX kernels) syrk + gemm cost 4.2 µs per row and the
    /// two sparse passes 0.54 µs per nonzero, a ratio of ≈ D/38; D/32 keeps it simple.
    public static func rowWeight(dimension: Int) -> Int { max(1, dimension / 32) }

    /// Splits the rows of Sᵀ (items) into `count` blocks of about equal Σ (nnz_i + rowWeight).
    public static func balanced(rowPointers: [Int], count: Int, rowWeight: Int) -> ItemBlocks {
        let m = rowPointers.count - 1
        let parts = max(1, min(count, max(1, m)))
        let total = rowPointers[m] + m * rowWeight
        var bounds = [0]
        var item = 0
        for b in 1..<parts {
            let target = (total * b + parts / 2) / parts
            while item < m && rowPointers[item] + item * rowWeight < target { item += 1 }
            bounds.append(max(bounds.last!, item))
        }
        bounds.append(m)
        return ItemBlocks(bounds: bounds)
    }
}
