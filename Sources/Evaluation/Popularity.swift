import LinearAlgebra

/// Scores every item by its number of likes in the training matrix: the baseline any
/// personalised model must beat to be worth its cost.
public struct Popularity: Recommender {
    public let name = "popularity"
    /// Likes per item in the training matrix (column sums of S).
    public let counts: [Double]

    public init(training: SparseMatrix) {
        counts = training.columnSums
    }

    public var itemCount: Int { counts.count }

    public func scores(for users: [Int], history: SparseMatrix) -> Matrix {
        precondition(history.columns == itemCount, "history has \(history.columns) items, model \(itemCount)")
        var out = Matrix(rows: itemCount, columns: users.count)
        let m = itemCount
        out.storage.withUnsafeMutableBufferPointer { o in
            counts.withUnsafeBufferPointer { c in
                for b in 0..<users.count {
                    _ = UnsafeMutableBufferPointer(rebasing: o[(b * m)..<((b + 1) * m)]).update(fromContentsOf: c)
                }
            }
        }
        return out
    }
}
