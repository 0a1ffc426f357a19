import Foundation

/// LaTeX text-mode escaping, public because captions and labels written by
/// callers around the table need the same treatment.
public enum LaTeX {
    /// Escapes & % _ # $ { } ~ ^ \ so arbitrary solver names compile, and | < >,
    /// which compile but print as other glyphs in the default OT1 font encoding.
    public static func escape(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "&", "%", "_", "#", "$", "{", "}": out += "\\" + String(ch)
            case "~": out += "\\textasciitilde{}"
            case "^": out += "\\textasciicircum{}"
            case "\\": out += "\\textbackslash{}"
            case "|": out += "\\textbar{}"
            case "<": out += "\\textless{}"
            case ">": out += "\\textgreater{}"
            case "\n", "\r": out += " "
            default: out.append(ch)
            }
        }
        return out
    }
}
