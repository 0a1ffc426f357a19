import Foundation

/// Assembles the `report.md` body that accompanies a benchmark run.
public enum Report {
    /// Markdown report: title, problem description, results table, figure link
    /// and a short guide to the columns, so the file is understandable on its own.
    /// - Parameters:
    ///   - problem: what was solved and where.
    ///   - rows: one per solver run.
    ///   - series: loss traces used for the time-to-tolerance columns.
    ///   - plotFile: relative path of the convergence figure; `nil` omits the image.
    ///   - csvFile: relative path of the same table as CSV; `nil` omits the link.
    ///   - traceFiles: relative paths of per-solver trace files to list.
    ///   - title: first-level heading.
    public static func markdown(problem: ProblemSummary, rows: [ReportRow], series: [ConvergenceSeries] = [],
                                plotFile: String? = "convergence.svg", csvFile: String? = nil,
                                traceFiles: [String] = [], title: String = "Solver comparison") -> String {
        markdown(problem: problem, table: ResultsTable(rows: rows, series: series), plotFile: plotFile,
                 csvFile: csvFile, traceFiles: traceFiles, title: title)
    }

    /// Variant for callers that already built the table (e.g. to also write CSV/LaTeX from it).
    public static func markdown(problem: ProblemSummary, table: ResultsTable, plotFile: String? = "convergence.svg",
                                csvFile: String? = nil, traceFiles: [String] = [],
                                title: String = "Solver comparison") -> String {
        let esc = ResultsTable.markdownEscape
        var out = "# \(esc(title))\n\n"

        out += "## Problem\n\n"
        let density: String
        if problem.items > 0, problem.users > 0 {
            density = String(format: " (density %.3g)", Double(problem.likes) / (Double(problem.items) * Double(problem.users)))
        } else {
            density = ""
        }
        out += """
            - **Data:** \(esc(problem.dataSource))
            - **Like threshold:** rating ≥ \(NumberText.plain(problem.likeThreshold))
            - **Items (M):** \(NumberText.grouped(problem.items))
            - **Users:** \(NumberText.grouped(problem.users))
            - **Likes:** \(NumberText.grouped(problem.likes))\(density)
            - **Embedding dimension (D):** \(problem.dimension)
            - **Seed:** \(problem.seed)
            - **Machine:** \(esc(problem.machine))
            - **Date:** \(esc(problem.date))


            """

        out += "## Results\n\n"
        if let best = table.best {
            out += "Best final loss: \(NumberText.loss(best)).\n\n"
        }
        out += table.markdown()
        if let csv = csvFile {
            out += "\nThe same table with full-precision numbers: [\(esc(csv))](\(linkTarget(csv))).\n"
        }
        out += "\n"

        if let plot = plotFile {
            out += "## Convergence\n\n"
            out += "![Relative gap to the best loss against iteration and wall-clock time](\(linkTarget(plot)))\n\n"
        }
        if !traceFiles.isEmpty {
            out += "Per-solver traces:\n\n"
            for file in traceFiles { out += "- [\(esc(file))](\(linkTarget(file)))\n" }
            out += "\n"
        }

        out += """
            ## How to read this

            *Gap to best* is (final loss − best)/best, where best is the lowest final loss \
            of any solver in the table: 0 marks the winner, 1e-06 means a loss one part \
            in a million above it. \(timeColumns(table.tolerances)) the wall-clock \
            seconds at which a solver's recorded loss first came within that relative gap \
            of best; "—" means it never did (or no trace was recorded). \(coarseAndFine(table.tolerances))The figure shows the same gap on a log scale against iteration \
            (left) and seconds (right); points at or below best are drawn at a floor value \
            stated in its caption.

            """
        return out
    }

    /// "*Time to 1e-3*, *time to 1e-6* and *time to 1e-10* are" for the table's columns.
    static func timeColumns(_ tolerances: [Double]) -> String {
        let names = tolerances.enumerated().map { "*\($0.offset == 0 ? "Time" : "time") to \(NumberText.tolerance($0.element))*" }
        guard let last = names.last else { return "" }
        if names.count == 1 { return last + " is" }
        return names.dropLast().joined(separator: ", ") + " and " + last + " are"
    }

    /// The reading of a coarse-but-not-fine row, when the table has two tolerances or more.
    static func coarseAndFine(_ tolerances: [Double]) -> String {
        guard tolerances.count >= 2 else { return "" }
        return "A solver that is fast to \(NumberText.tolerance(tolerances[0])) but never reaches "
            + "\(NumberText.tolerance(tolerances[1])) is good for rough embeddings but not for exact comparisons. "
    }

    /// Paths with spaces or parentheses would break a Markdown link target.
    static func linkTarget(_ path: String) -> String {
        var out = ""
        for ch in path {
            switch ch {
            case " ": out += "%20"
            case "(": out += "%28"
            case ")": out += "%29"
            case "<": out += "%3C"
            case ">": out += "%3E"
            default: out.append(ch)
            }
        }
        return out
    }
}
