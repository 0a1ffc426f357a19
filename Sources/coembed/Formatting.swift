import ArgumentParser
import Foundation
import Solvers
import LinearAlgebra
import Workflows

enum Formatting {
    /// Integers print without a decimal point; other values with 12 significant digits.
    static func number(_ x: Double) -> String {
        if x == x.rounded(), abs(x) < 1e15 { return String(format: "%.0f", x) }
        return String(format: "%.12g", x)
    }
}
