import Testing
@testable import Reporting

let sampleRows: [ReportRow] = [
    ReportRow(solver: "eigen", initialization: "—", iterations: 1, wallSeconds: 0.8123,
              finalLoss: 1234.56789012345, termination: "exact",
              metrics: [Metric("HitRate@10", 0.31), Metric("NDCG@10", 0.1789)]),
    ReportRow(solver: "gd, \"plain\"", initialization: "random", iterations: 500, wallSeconds: 12.3456,
              finalLoss: 1234.56789012345 * (1 + 3.2e-7), termination: "max iterations\nreached",
              metrics: [Metric("HitRate@10", 0.3)]),
    ReportRow(solver: "adam | lr=1e-2", initialization: "random", iterations: 2000, wallSeconds: 1234.5,
              finalLoss: 1.0 / 3.0 + 1300, termination: "time limit",
              metrics: [Metric("NDCG@10", nil)]),
    ReportRow(solver: "diverged_1 & co", initialization: "eigen", iterations: 3, wallSeconds: 0.01,
              finalLoss: .nan, termination: "NaN loss"),
]

let sampleSeries: [ConvergenceSeries] = [
    geometricSeries("eigen", target: 1234.56789012345, start: 1234.56789012345, rate: 0.5, count: 2, secondsPerIteration: 0.4),
    geometricSeries("gd, \"plain\"", target: 1234.56789012345, start: 2000, rate: 0.97, count: 500, secondsPerIteration: 0.0247),
]

@Suite struct TableTests {
    @Test func gapIsComputedFromAllRows() {
        let table = ResultsTable(rows: sampleRows, series: sampleSeries)
        #expect(table.best == 1234.56789012345)
        #expect(table.rows[0].gapToBest == 0)
        #expect(abs(table.rows[1].gapToBest! - 3.2e-7) < 1e-15)
        #expect(table.rows[2].gapToBest! > 0.05)
        #expect(table.rows[3].gapToBest == nil)   // NaN loss: no gap, and not the best
        #expect(table.metricNames == ["HitRate@10", "NDCG@10"])
        // Rows pick up time-to-tolerance from the series of the same name.
        #expect(table.tolerances == [1e-3, 1e-6, 1e-10])
        #expect(table.rows[0].secondsTo(1e-6) == 0)
        #expect(table.rows[0].secondsTo(1e-10) == 0)
        #expect(table.rows[1].secondsTo(1e-3) != nil)
        // Geometric decay 0.62·0.97^i: 1e-3 first at i = 212, 1e-6 at i = 438, 1e-10 at i = 741
        // (after the trace's 500 points).
        #expect(table.rows[1].secondsTo(1e-3) == 212 * 0.0247)
        #expect(table.rows[1].secondsTo(1e-6) == 438 * 0.0247)
        #expect(table.rows[1].secondsTo(1e-10) == nil)
        #expect(table.rows[1].timesToTolerance.map(\.tolerance) == [1e-3, 1e-6, 1e-10])
        #expect(table.rows[2].secondsTo(1e-3) == nil)   // no trace
        #expect(table.rows[1].secondsTo(1e-4) == nil)   // not one of the table's tolerances
    }

    @Test func allZeroLossesGiveZeroGap() {
        let rows = [ReportRow(solver: "a", initialization: "", iterations: 1, wallSeconds: 1, finalLoss: 0, termination: ""),
                    ReportRow(solver: "b", initialization: "", iterations: 1, wallSeconds: 1, finalLoss: 0, termination: "")]
        #expect(ResultsTable(rows: rows).rows.map(\.gapToBest) == [0, 0])
    }

    @Test func duplicateSolverNamesMatchSeriesInOrder() {
        let rows = ["gd", "gd"].map { ReportRow(solver: $0, initialization: "", iterations: 1, wallSeconds: 1, finalLoss: 1, termination: "") }
        let series = [
            ConvergenceSeries(solver: "gd", points: [(iteration: 0, seconds: 5, loss: 1)]),
            ConvergenceSeries(solver: "gd", points: [(iteration: 0, seconds: 7, loss: 1)]),
        ]
        #expect(ResultsTable(rows: rows, series: series).rows.map { $0.secondsTo(1e-6) } == [5, 7])
    }

    @Test func markdownHasConsistentColumns() {
        let md = ResultsTable(rows: sampleRows, series: sampleSeries).markdown()
        let lines = md.split(separator: "\n")
        #expect(lines.count == 2 + sampleRows.count)
        for line in lines {
            // Cells = unescaped pipes − 1.
            var pipes = 0, previous: Character = " "
            for ch in line {
                if ch == "|", previous != "\\" { pipes += 1 }
                previous = ch
            }
            #expect(pipes - 1 == 12, "\(line)")
        }
        #expect(md.contains("| solver | init | iterations | seconds | final loss | gap to best | time to 1e-3 (s) | time to 1e-6 (s) | time to 1e-10 (s) | termination | HitRate@10 | NDCG@10 |"))
        #expect(md.contains("| 3.2e-07 |"))
        #expect(md.contains("| 1234.567890 |"))     // 10 significant digits
        #expect(md.contains("| 12.3 |"))           // 3 significant digits
        #expect(md.contains("| 1235 |") || md.contains("| 1234 |"))
        #expect(md.contains("adam \\| lr=1e-2"))
        #expect(md.contains("—"))
    }

    @Test func csvRoundTripsExactly() throws {
        let table = ResultsTable(rows: sampleRows, series: sampleSeries)
        let csv = table.csv()
        #expect(csv.hasSuffix("\r\n"))
        let records = parseCSV(csv)
        #expect(records.count == 1 + sampleRows.count)
        #expect(records[0] == ["solver", "init", "iterations", "seconds", "final loss", "gap to best",
                               "time to 1e-3 (s)", "time to 1e-6 (s)", "time to 1e-10 (s)", "termination", "HitRate@10", "NDCG@10"])
        for (record, row) in zip(records.dropFirst(), table.rows) {
            #expect(record.count == 12)
            #expect(record[0] == row.solver)
            #expect(record[1] == row.initialization)
            #expect(Int(record[2]) == row.iterations)
            #expect(Double(record[3]) == row.wallSeconds)
            if row.finalLoss.isNaN { #expect(Double(record[4])?.isNaN == true) } else { #expect(Double(record[4]) == row.finalLoss) }
            #expect(record[5] == "" ? row.gapToBest == nil : Double(record[5]) == row.gapToBest)
            for (offset, tolerance) in table.tolerances.enumerated() {
                let seconds = row.secondsTo(tolerance)
                #expect(record[6 + offset] == "" ? seconds == nil : Double(record[6 + offset]) == seconds)
            }
            #expect(record[9] == row.termination)
            for (offset, name) in table.metricNames.enumerated() {
                let value = row.metrics.first(where: { $0.name == name })?.value ?? nil
                #expect(record[10 + offset] == "" ? value == nil : Double(record[10 + offset]) == value)
            }
        }
        #expect(records[2][0] == "gd, \"plain\"")
        #expect(records[2][9] == "max iterations\nreached")
        #expect(records[3][11] == "")
    }

    @Test func latexEscapingAndStructure() {
        #expect(LaTeX.escape(##"a&b%c_d#e$f{g}h~i^j\k"##)
                == ##"a\&b\%c\_d\#e\$f\{g\}h\textasciitilde{}i\textasciicircum{}j\textbackslash{}k"##)
        #expect(LaTeX.escape("a|b<c>") == ##"a\textbar{}b\textless{}c\textgreater{}"##)
        let tex = ResultsTable(rows: sampleRows, series: sampleSeries).latex()
        let lines = tex.split(separator: "\n").map(String.init)
        // With metric columns: a comment naming the packages, then a page-wide tabularx in small type.
        #expect(lines.first == #"% needs \usepackage{booktabs} and \usepackage{tabularx}"#)
        #expect(lines[1] == #"{\small\setlength{\tabcolsep}{3pt}"#)
        #expect(lines[2] == #"\begin{tabularx}{\linewidth}{>{\raggedright\arraybackslash}Xlrrrrrrrlrr}"#)
        #expect(lines[3] == #"\toprule"#)
        #expect(lines[4].contains(#"\shortstack{final\\loss}"#))
        #expect(lines[5] == #"\midrule"#)
        #expect(lines[lines.count - 2] == #"\bottomrule"#)
        #expect(lines.last == #"\end{tabularx}}"#)
        // Without metrics: the plain booktabs tabular.
        let plain = ResultsTable(rows: sampleRows.map { var r = $0; r.metrics = []; return r }).latex()
        let plainLines = plain.split(separator: "\n").map(String.init)
        #expect(plainLines.first == #"% needs \usepackage{booktabs}"#)
        #expect(plainLines[1] == #"\begin{tabular}{llrrrrrrrl}"# && plainLines.last == #"\end{tabular}"#)
        #expect(tex.contains(#"diverged\_1 \& co"#))
        #expect(tex.contains(#"$3.2\times10^{-7}$"#))
        // Every header/body row has exactly 11 unescaped & (12 columns).
        for line in lines[2...] where line.hasSuffix(#"\\"#) {
            var amps = 0, previous: Character = " "
            for ch in line {
                if ch == "&", previous != "\\" { amps += 1 }
                previous = ch
            }
            #expect(amps == 11, "\(line)")
        }
    }

    /// A row judged on its own objective (a sampled method) and a reference row: neither sets
    /// the best loss, even with a lower masked loss, and their masked-loss columns read n/a.
    @Test func ownObjectiveAndReferenceRowsTakeNoPartInTheBest() {
        let rows = [
            ReportRow(solver: "lbfgs", initialization: "eigen", iterations: 5, wallSeconds: 1, finalLoss: 100, termination: "converged"),
            ReportRow(solver: "sgns", initialization: "word2vec", iterations: 10, wallSeconds: 2, finalLoss: 50,
                      termination: "maxIterations", ownObjective: 0.25, metrics: [Metric("HitRate@10", 0.2)]),
            ReportRow.reference("popularity (reference)", metrics: [Metric("HitRate@10", 0.1)]),
        ]
        let table = ResultsTable(rows: rows, series: [ConvergenceSeries(solver: "sgns", points: [(1, 1, 50)])])
        #expect(table.best == 100)
        #expect(table.rows[0].gapToBest == 0)
        #expect(table.rows[1].gapToBest == nil && table.rows[1].secondsTo(1e-3) == nil)
        let csv = table.csv().split(separator: "\r\n").map(String.init)
        #expect(csv[0].hasSuffix(",termination,own objective,HitRate@10"))
        #expect(csv[1].hasSuffix(",converged,n/a,"))
        #expect(csv[2] == "sgns,word2vec,10,2.0,n/a,n/a,n/a,n/a,n/a,maxIterations,0.25,0.2")
        #expect(csv[3] == "popularity (reference),,,,n/a,n/a,n/a,n/a,n/a,reference,n/a,0.1")
        #expect(table.markdown().contains("| sgns | word2vec | 10 | 2.00 | n/a | n/a | n/a | n/a | n/a | maxIterations |"))
    }

    @Test func numberFormats() {
        #expect(NumberText.gap(3.2e-7) == "3.2e-07")
        #expect(NumberText.gap(0) == "0")
        #expect(NumberText.loss(1.0 / 3.0) == "0.3333333333")
        #expect(NumberText.seconds(0.0123456) == "0.0123")
        #expect(NumberText.seconds(123.456) == "123")
        #expect(NumberText.seconds(1.5) == "1.50")
        #expect(NumberText.grouped(1234567) == "1,234,567")
        #expect(NumberText.latexNumber("1e-05") == "$10^{-5}$")
    }

    /// The "time to …" columns follow the tolerances asked for: ordered coarsest first, repeats
    /// dropped, titled as people write them, in every format.
    @Test func toleranceColumnsFollowTheRequest() {
        let rows = [ReportRow(solver: "a", initialization: "", iterations: 2, wallSeconds: 2, finalLoss: 1, termination: "done"),
                    ReportRow(solver: "b", initialization: "", iterations: 2, wallSeconds: 2, finalLoss: 1.0004, termination: "done")]
        let series = [ConvergenceSeries(solver: "a", points: [(0, 0, 2), (1, 1, 1.0004), (2, 2, 1)]),
                      ConvergenceSeries(solver: "b", points: [(0, 0, 2), (1, 1.5, 1.0004), (2, 2, 1.0004)])]
        let table = ResultsTable(rows: rows, series: series, tolerances: [2.5e-4, 1e-3, 1e-3])
        #expect(table.tolerances == [1e-3, 2.5e-4])
        #expect(table.rows.map { $0.secondsTo(1e-3) } == [1, 1.5])
        #expect(table.rows.map { $0.secondsTo(2.5e-4) } == [2, nil])
        let header = parseCSV(table.csv())[0]
        #expect(header == ["solver", "init", "iterations", "seconds", "final loss", "gap to best",
                           "time to 1e-3 (s)", "time to 2.5e-4 (s)", "termination"])
        #expect(table.latex().contains(#"time to $10^{-3}$ (s) & time to $2.5\times10^{-4}$ (s) & termination"#))
        #expect(table.markdown().contains("| 4.0e-04 | 1.50 | — | done |"))
        let one = ResultsTable(rows: rows, series: series, tolerances: [1e-6])
        #expect(parseCSV(one.csv())[0].filter { $0.hasPrefix("time to") } == ["time to 1e-6 (s)"])
    }

    @Test func tolerancesAreWrittenAsPeopleWriteThem() {
        #expect(NumberText.tolerance(1e-3) == "1e-3")
        #expect(NumberText.tolerance(0.001) == "1e-3")
        #expect(NumberText.tolerance(1e-10) == "1e-10")
        #expect(NumberText.tolerance(2.5e-7) == "2.5e-7")
        #expect(NumberText.tolerance(9.999999999e-7) == "1e-6")
        #expect(NumberText.tolerance(0.5) == "5e-1")
        #expect(Convergence.problem(with: [1e-3, 1e-6]) == nil)
        #expect(Convergence.problem(with: []) != nil)
        for bad in [0, 1, -1e-3, .nan, .infinity] {
            #expect(Convergence.problem(with: [1e-3, bad]) != nil, "\(bad)")
        }
    }

}
