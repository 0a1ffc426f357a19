import Foundation

// Number → text rules shared by the human-readable outputs. Kept in one place
// so Markdown, LaTeX and the plot never disagree about what a value looks like.
enum NumberText {
    /// Losses differ between solvers only in late digits, so show 10 significant
    /// ones, keeping trailing zeros so a column of losses lines up digit for digit.
    static func loss(_ x: Double) -> String {
        if let s = nonFinite(x) { return s }
        if x == 0 { return "0" }
        return String(format: "%#.10g", x)
    }

    /// Gaps span many decades; two significant digits in scientific form read best.
    static func gap(_ x: Double) -> String {
        if let s = nonFinite(x) { return s }
        if x == 0 { return "0" }
        return String(format: "%.1e", x)
    }

    /// Timings are noisy beyond three significant digits; avoid exponents for
    /// the usual range so columns scan easily.
    static func seconds(_ x: Double) -> String {
        if let s = nonFinite(x) { return s }
        if x == 0 { return "0" }
        let a = abs(x)
        if a >= 1000 { return String(format: "%.0f", x) }
        if a < 1e-4 { return String(format: "%.2e", x) }
        let decimals = max(0, 2 - Int(floor(log10(a))))
        return String(format: "%.\(decimals)f", x)
    }

    /// A tolerance as people write it: "1e-3", "5e-4", "2.5e-7" (at most three significant digits).
    static func tolerance(_ x: Double) -> String {
        if let s = nonFinite(x) { return s }
        guard x > 0 else { return plain(x) }
        var exponent = Int(floor(log10(x)))
        var mantissa = (x / pow(10, Double(exponent)) * 100).rounded() / 100
        if mantissa >= 10 { mantissa /= 10; exponent += 1 }
        return "\(plain(mantissa))e\(exponent)"
    }

    /// Ranking metrics are fractions; four significant digits is plenty.
    static func metric(_ x: Double) -> String {
        if let s = nonFinite(x) { return s }
        return String(format: "%.4g", x)
    }

    /// Plain value for prose (thresholds): no trailing ".0" for whole numbers.
    static func plain(_ x: Double) -> String {
        if let s = nonFinite(x) { return s }
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return "\(x)"
    }

    /// Thousands separators for counts such as likes, which run to many digits.
    static func grouped(_ n: some BinaryInteger) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return n < 0 ? "-" + out : out
    }

    static func nonFinite(_ x: Double) -> String? {
        if x.isNaN { return "NaN" }
        if x == .infinity { return "∞" }
        if x == -.infinity { return "−∞" }
        return nil
    }

    /// Turns a formatted number such as "3.2e-07" into LaTeX math "$3.2\times10^{-7}$"
    /// so exponents typeset properly; plain numbers pass through unchanged.
    static func latexNumber(_ text: String) -> String {
        switch text {
        case "NaN": return "NaN"
        case "∞": return "$\\infty$"
        case "−∞": return "$-\\infty$"
        default: break
        }
        guard let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }),
              let exponent = Int(text[text.index(after: e)...]) else { return text }
        let mantissa = String(text[..<e])
        if mantissa == "1" { return "$10^{\(exponent)}$" }
        return "$\(mantissa)\\times10^{\(exponent)}$"
    }
}
