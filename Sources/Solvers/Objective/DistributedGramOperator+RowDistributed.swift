import LinearAlgebra

/// The distributed X = SᵀS as the block eigensolver sees it with local rows: panels hold the
/// block's rows only, the product is the own-rows product (`applyOwnRows`: S_{:,b}·P_b summed over
/// users, then the block's rows of Sᵀ(SP)), and sums over items are completed by `ItemSums`.
public struct OwnRowsGramOperator: RowDistributedOperator {
    let gram: DistributedGramOperator
    let sums: ItemSums

    /// The problem's operator with local rows; nil when its rows are replicated or it is not distributed.
    public init?(_ problem: Problem) {
        guard problem.itemSums.isDistributed, let gram = problem.operator_ as? DistributedGramOperator else { return nil }
        self.gram = gram
        self.sums = problem.itemSums
    }

    public var dimension: Int { gram.dimension }
    public var ownRows: Range<Int> { gram.distribution.block }
    public func applyOwnRows(_ x: Matrix, into y: inout Matrix) { y = gram.applyOwnRows(x) }
    public func sumOverRows(_ partial: UnsafeMutableBufferPointer<Double>) { sums.reduce(partial) }
}
