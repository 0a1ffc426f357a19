import Foundation

/// The solver comparison table, rendered identically (same columns, same order)
/// as Markdown, CSV and LaTeX.
///
/// Building the table is where the comparison columns are computed, so every
/// output format is guaranteed to use one and the same best loss.
public struct ResultsTable: Sendable {
    /// Input rows with ``ReportRow/gapToBest`` and ``ReportRow/timesToTolerance`` filled in.
    public let rows: [ReportRow]
    /// The relative gaps of the "time to …" columns, coarsest first.
    public let tolerances: [Double]
    /// Smallest finite final loss over the rows (the gap reference); `nil` if none.
    public let best: Double?
    /// Union of the rows' metric names in first-seen order: the extra columns.
    public let metricNames: [String]
    /// Some row is judged on its own objective: the table gets an "own objective" column.
    public let hasOwnObjectives: Bool

    /// - Parameters:
    ///   - rows: one per solver run.
    ///   - series: loss traces; the k-th row named N is matched with the k-th
    ///     series named N. Rows without a trace get no time-to-tolerance.
    ///   - tolerances: relative gaps in (0, 1), one "time to …" column each (ordered coarsest
    ///     first, repeats dropped).
    public init(rows: [ReportRow], series: [ConvergenceSeries] = [],
                tolerances: [Double] = Convergence.reportedTolerances) {
        precondition(Convergence.problem(with: tolerances) == nil, Convergence.problem(with: tolerances) ?? "")
        let best = Convergence.bestLoss(of: rows)
        let levels = Convergence.ordered(tolerances)
        var remaining: [String: [ConvergenceSeries]] = [:]
        for s in series { remaining[s.solver, default: []].append(s) }

        var completed: [ReportRow] = []
        var names: [String] = []
        for var row in rows {
            for m in row.metrics where !names.contains(m.name) { names.append(m.name) }
            var trace: ConvergenceSeries?
            if var queue = remaining[row.solver], !queue.isEmpty {
                trace = queue.removeFirst()
                remaining[row.solver] = queue
            }
            row.gapToBest = nil
            row.timesToTolerance = levels.map { ToleranceTime(tolerance: $0, seconds: nil) }
            if let b = best, row.reportsMaskedLoss {
                if row.finalLoss.isFinite { row.gapToBest = Convergence.relativeGap(loss: row.finalLoss, best: b) }
                if let t = trace {
                    row.timesToTolerance = levels.map {
                        ToleranceTime(tolerance: $0, seconds: Convergence.firstCrossing(of: t, best: b, tolerance: $0)?.seconds)
                    }
                }
            }
            completed.append(row)
        }
        self.rows = completed
        self.tolerances = levels
        self.best = best
        self.metricNames = names
        self.hasOwnObjectives = rows.contains { $0.ownObjective != nil }
    }

    // MARK: Shared column model

    enum Alignment { case text, number }

    enum Cell {
        case text(String)
        case integer(Int)
        case loss(Double?)
        case gap(Double?)
        case seconds(Double?)
        case metric(Double?)
        /// Not applicable: a masked-loss column of a row judged on another objective.
        case notApplicable
    }

    struct Column {
        var title: String
        var latexTitle: String
        var alignment: Alignment
    }

    var columns: [Column] {
        var cols = [
            Column(title: "solver", latexTitle: "solver", alignment: .text),
            Column(title: "init", latexTitle: "init", alignment: .text),
            Column(title: "iterations", latexTitle: "iterations", alignment: .number),
            Column(title: "seconds", latexTitle: "seconds", alignment: .number),
            Column(title: "final loss", latexTitle: "final loss", alignment: .number),
            Column(title: "gap to best", latexTitle: "gap to best", alignment: .number),
        ]
        for t in tolerances {
            let text = NumberText.tolerance(t)
            cols.append(Column(title: "time to \(text) (s)", latexTitle: "time to \(NumberText.latexNumber(text)) (s)",
                               alignment: .number))
        }
        cols.append(Column(title: "termination", latexTitle: "termination", alignment: .text))
        if hasOwnObjectives {
            cols.append(Column(title: "own objective", latexTitle: "own objective", alignment: .number))
        }
        for name in metricNames {
            cols.append(Column(title: name, latexTitle: LaTeX.escape(name), alignment: .number))
        }
        return cols
    }

    func cells(_ row: ReportRow) -> [Cell] {
        var out: [Cell]
        if row.isReference {
            out = [.text(row.solver), .text(""), .text(""), .text(""), .notApplicable, .notApplicable]
                + tolerances.map { _ in .notApplicable } + [.text(row.termination)]
        } else if row.reportsMaskedLoss {
            out = [.text(row.solver), .text(row.initialization), .integer(row.iterations),
                   .seconds(row.wallSeconds), .loss(row.finalLoss), .gap(row.gapToBest)]
                + tolerances.map { .seconds(row.secondsTo($0)) } + [.text(row.termination)]
        } else {
            out = [.text(row.solver), .text(row.initialization), .integer(row.iterations),
                   .seconds(row.wallSeconds), .notApplicable, .notApplicable]
                + tolerances.map { _ in .notApplicable } + [.text(row.termination)]
        }
        if hasOwnObjectives { out.append(row.ownObjective.map { .loss($0) } ?? .notApplicable) }
        for name in metricNames {
            // A missing metric and a metric explicitly nil render the same.
            out.append(.metric(row.metrics.first(where: { $0.name == name })?.value ?? nil))
        }
        return out
    }

    /// Human-readable text for a cell, before format-specific escaping.
    static func display(_ cell: Cell) -> String? {
        switch cell {
        case .text(let s): return s
        case .integer(let i): return String(i)
        case .loss(let x): return x.map(NumberText.loss)
        case .gap(let x): return x.map(NumberText.gap)
        case .seconds(let x): return x.map(NumberText.seconds)
        case .metric(let x): return x.map(NumberText.metric)
        case .notApplicable: return notApplicable
        }
    }

    static let notApplicable = "n/a"

    static let missing = "—"

    // MARK: Markdown

    /// GitHub pipe table with numbers right-aligned; missing values show "—".
    public func markdown() -> String {
        let cols = columns
        var lines: [String] = []
        lines.append("| " + cols.map { Self.markdownEscape($0.title) }.joined(separator: " | ") + " |")
        lines.append("|" + cols.map { $0.alignment == .number ? " ---: " : " :--- " }.joined(separator: "|") + "|")
        for row in rows {
            let texts = cells(row).map { cell -> String in
                guard let s = Self.display(cell) else { return Self.missing }
                if case .text = cell { return Self.markdownEscape(s) }
                return s
            }
            lines.append("| " + texts.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Pipes would split the cell and newlines would end the row; both are
    /// neutralised, plus the characters that would start emphasis or HTML.
    static func markdownEscape(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "|": out += "\\|"
            case "\\", "*", "_", "`", "[", "]", "<", ">": out += "\\" + String(ch)
            case "\n", "\r": out += " "
            default: out.append(ch)
            }
        }
        return out.isEmpty ? " " : out
    }

    // MARK: CSV

    /// RFC 4180 CSV (CRLF line ends, header row) with round-trip precision numbers
    /// and empty fields for missing values, for spreadsheets and pandas.
    public func csv() -> String {
        var lines: [String] = [columns.map { Self.csvField($0.title) }.joined(separator: ",")]
        for row in rows {
            let fields = cells(row).map { cell -> String in
                switch cell {
                case .text(let s): return Self.csvField(s)
                case .integer(let i): return String(i)
                case .loss(let x), .gap(let x), .seconds(let x), .metric(let x):
                    return x.map(Self.csvNumber) ?? ""
                case .notApplicable: return Self.notApplicable
                }
            }
            lines.append(fields.joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// Swift's shortest round-trip representation, spelled the way most readers
    /// (pandas, R, spreadsheets) parse non-finite values.
    static func csvNumber(_ x: Double) -> String {
        if x.isNaN { return "NaN" }
        if x == .infinity { return "inf" }
        if x == -.infinity { return "-inf" }
        return "\(x)"
    }

    static func csvField(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    // MARK: LaTeX

    /// booktabs `tabular` (needs `\usepackage{booktabs}`, named in a comment on the first line):
    /// text columns left, numbers right, special characters escaped, exponents typeset as math.
    /// With metric columns (a hold-out) the table is a `tabularx` of `\linewidth` (also named in
    /// the comment) in `\small` type, the solver column wrapping and the headers on two lines,
    /// so that it fits a page.
    public func latex() -> String {
        let cols = columns
        let narrow = !metricNames.isEmpty
        var lines: [String] = []
        if narrow {
            lines.append("% needs \\usepackage{booktabs} and \\usepackage{tabularx}")
            let spec = cols.enumerated().map { i, c in i == 0 ? ">{\\raggedright\\arraybackslash}X" : (c.alignment == .number ? "r" : "l") }.joined()
            lines += ["{\\small\\setlength{\\tabcolsep}{3pt}", "\\begin{tabularx}{\\linewidth}{\(spec)}", "\\toprule"]
            lines.append(cols.map { Self.twoLineHeader($0.latexTitle) }.joined(separator: " & ") + " \\\\")
        } else {
            lines.append("% needs \\usepackage{booktabs}")
            let spec = cols.map { $0.alignment == .number ? "r" : "l" }.joined()
            lines += ["\\begin{tabular}{\(spec)}", "\\toprule"]
            lines.append(cols.map(\.latexTitle).joined(separator: " & ") + " \\\\")
        }
        lines.append("\\midrule")
        for row in rows {
            let texts = cells(row).map { cell -> String in
                guard let s = Self.display(cell) else { return "---" }
                if case .text = cell { return LaTeX.escape(s) }
                if case .notApplicable = cell { return s }
                return NumberText.latexNumber(s)
            }
            lines.append(texts.joined(separator: " & ") + " \\\\")
        }
        lines.append("\\bottomrule")
        lines.append(narrow ? "\\end{tabularx}}" : "\\end{tabular}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// A header of several words stacked on two lines (`\shortstack`, core LaTeX).
    static func twoLineHeader(_ title: String) -> String {
        let words = title.split(separator: " ")
        guard words.count > 1 else { return title }
        let cut = (words.count + 1) / 2
        return "\\shortstack{" + words[..<cut].joined(separator: " ") + "\\\\" + words[cut...].joined(separator: " ") + "}"
    }
}
