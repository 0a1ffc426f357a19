import LinearAlgebra

/// How a solver completes a sum over items (an inner product or norm of M × D arrays, VᵀV-like
/// D × D products): the identity in one process and with replicated rows; with local rows
/// (`ItemDistribution.holdsOwnRowsOnly`) the participants' partial sums added in rank order by
/// the communicator's `allreduceSum`, so every participant gets bitwise the same number and takes
/// the same decisions. In one process this is a branch on nil: the results are bitwise those of
/// the solvers before the distribution existed.
public struct ItemSums {
    /// Set only when the participants hold their own rows.
    let distribution: ItemDistribution?

    public init(_ problem: Problem) {
        self.distribution = problem.distribution.flatMap { $0.holdsOwnRowsOnly ? $0 : nil }
    }

    /// Whether the sums are partial (local rows) and `reduce` communicates.
    public var isDistributed: Bool { distribution != nil }

    public func callAsFunction(_ partial: Double) -> Double {
        guard distribution != nil else { return partial }
        var x = partial
        withUnsafeMutablePointer(to: &x) { reduce(UnsafeMutableBufferPointer(start: $0, count: 1)) }
        return x
    }

    /// Two partial sums completed in one collective.
    public func callAsFunction(_ a: Double, _ b: Double) -> (Double, Double) {
        guard distribution != nil else { return (a, b) }
        var x = [a, b]
        reduce(&x)
        return (x[0], x[1])
    }

    /// Two partial sums given as a pair.
    public func pair(_ x: (Double, Double)) -> (Double, Double) { self(x.0, x.1) }

    public func reduce(_ buffer: UnsafeMutableBufferPointer<Double>) {
        guard let distribution, buffer.count > 0 else { return }
        do {
            try distribution.communicator.allreduceSum(buffer)
        } catch {
            distribution.failureHandler(error)
        }
    }

    public func reduce(_ values: inout [Double]) {
        guard distribution != nil else { return }
        values.withUnsafeMutableBufferPointer { reduce($0) }
    }

    public func reduce(_ m: inout Matrix) {
        guard distribution != nil else { return }
        m.storage.withUnsafeMutableBufferPointer { reduce($0) }
    }

    /// Whether `local` holds on every participant (one collective with local rows).
    public func everywhere(_ local: Bool) -> Bool {
        guard distribution != nil else { return local }
        return self(local ? 0 : 1) == 0
    }
}

extension Problem {
    /// The sums over items the solvers must complete (see `ItemSums`).
    public var itemSums: ItemSums { ItemSums(self) }

    /// The rows of V this participant's solver holds: its block with local rows, else all items.
    public var heldRows: Range<Int> {
        if let distribution, distribution.holdsOwnRowsOnly { return distribution.block }
        return 0..<itemCount
    }

    /// `v`'s held rows (a copy), for a start computed with all M rows.
    public func heldPart(of v: Matrix) -> Matrix {
        let rows = heldRows
        if rows.count == v.rows { return v }
        return Matrix(rows: rows.count, columns: v.columns) { i, j in v[rows.lowerBound + i, j] }
    }
}

extension SolverContext {
    /// The sums over items the run's solver must complete (see `ItemSums`).
    public var itemSums: ItemSums { problem.itemSums }
}
