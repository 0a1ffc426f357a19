import Foundation
import LinearAlgebra

/// A loss printed with only the digits its error bound supports.
public enum LossText {
    /// Significant digits of `value` down to the first decimal place whose unit is at least
    /// `bound` (1 … 17): 1109.12 with bound 0.5 → 4 ("1109").
    public static func digits(_ value: Double, bound: Double?) -> Int {
        guard let bound, bound > 0, bound.isFinite, value.isFinite, value != 0 else { return 17 }
        let leading = Int(log10(abs(value)).rounded(.down)), last = Int(log10(bound).rounded(.up))
        return min(17, max(1, leading - last + 1))
    }

    /// "%.Ng" with N from `digits`; "nan"/"inf" for non-finite values.
    public static func value(_ value: Double, bound: Double?) -> String {
        String(format: "%.\(digits(value, bound: bound))g", value)
    }
}
