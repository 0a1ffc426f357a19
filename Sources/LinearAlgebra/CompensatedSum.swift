/// Neumaier's compensated summation: the error of a long sum stays at a few ulps of the result
/// instead of growing with the number of terms. Used wherever a printed number is a large sum.
public struct CompensatedSum: Sendable {
    @usableFromInline var sum = 0.0
    @usableFromInline var compensation = 0.0

    public init() {}

    @inlinable
    public mutating func add(_ x: Double) {
        let t = sum + x
        if abs(sum) >= abs(x) {
            compensation += (sum - t) + x
        } else {
            compensation += (x - t) + sum
        }
        sum = t
    }

    public var value: Double { sum + compensation }
}

extension Sequence where Element == Double {
    /// The compensated sum of the elements.
    public func compensatedSum() -> Double {
        var s = CompensatedSum()
        for x in self { s.add(x) }
        return s.value
    }
}
