import LinearAlgebra

/// An embedding read back from `EmbeddingExport.writeCSV`.
public struct EmbeddingTable: Sendable, Equatable {
    public var itemIDs: [Int]
    public var titles: [String]
    /// Row `i` is item `itemIDs[i]`.
    public var vectors: Matrix
}
