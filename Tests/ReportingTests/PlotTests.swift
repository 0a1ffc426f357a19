import Foundation
import Testing
@testable import Reporting

@Suite struct PlotTests {
    static let names = ["eigen", "L-BFGS <m=10>", "adam & \"friends\"", "sgns 'sampled'"]

    static func solverSeries() -> [ConvergenceSeries] {
        [
            geometricSeries(names[0], target: 10, start: 10.5, rate: 0.01, count: 4, secondsPerIteration: 0.3),
            geometricSeries(names[1], target: 10, start: 30, rate: 0.5, count: 60, secondsPerIteration: 0.05),
            geometricSeries(names[2], target: 10, start: 30, rate: 0.9, count: 300, secondsPerIteration: 0.01),
            geometricSeries(names[3], target: 10.001, start: 25, rate: 0.95, count: 200, secondsPerIteration: 0.02),
        ]
    }

    @Test func wellFormedWithPanelsLegendAndEscapedNames() {
        let svg = ConvergencePlot.svg(series: Self.solverSeries(), title: "Masked loss <M=1000> & more")
        let doc = parseSVG(svg)
        #expect(doc.ok)
        let root = doc.elements.first
        #expect(root?.name == "svg")
        #expect(root?.attributes["xmlns"] == "http://www.w3.org/2000/svg")
        #expect(root?.attributes["width"] != nil && root?.attributes["height"] != nil)
        #expect(root?.attributes["viewBox"]?.hasPrefix("0 0 ") == true)

        let lines = doc.all("polyline", class: "series")
        #expect(lines.count == 2 * Self.names.count)
        for panel in ["iteration", "seconds"] {
            let inPanel = lines.filter { $0.panel == panel }
            #expect(inPanel.map { $0.attributes["data-solver"]! } == Self.names)
            // Distinct (colour, dash) per solver.
            let styles = Set(inPanel.map { "\($0.attributes["stroke"]!)|\($0.attributes["stroke-dasharray"] ?? "")" })
            #expect(styles.count == Self.names.count)
        }
        let legend = doc.all("g", class: "legend-entry")
        #expect(legend.map { $0.attributes["data-solver"]! } == Self.names)
        #expect(legend.map { $0.text.trimmingCharacters(in: .whitespacesAndNewlines) } == Self.names)

        // The escaping happened in the source text, the parser undid it.
        #expect(svg.contains("L-BFGS &lt;m=10&gt;"))
        #expect(svg.contains("adam &amp; &quot;friends&quot;"))
        #expect(!svg.contains("<m=10>"))
        #expect(doc.all("text").contains { $0.text == "Masked loss <M=1000> & more" })

        // Tick labels: decades as 10^k, axes labelled, caption states the floor.
        let texts = doc.all("text").map(\.text)
        #expect(texts.contains("10−3"))
        #expect(texts.contains("iteration"))
        #expect(texts.contains("wall-clock time (s)"))
        #expect(texts.contains { $0.contains("floor") })
        #expect(!svg.lowercased().contains("nan"))
    }

    @Test func logScaleDecadesAreEquallySpaced() throws {
        // Gaps 1e-2, 1e-3, 1e-4 (plus round-off) then exactly best (gap 0 → floor 1e-5).
        let s = ConvergenceSeries(solver: "x", points: [
            (iteration: 0, seconds: 0, loss: 1.01),
            (iteration: 1, seconds: 1, loss: 1.001),
            (iteration: 2, seconds: 2, loss: 1.0001),
            (iteration: 3, seconds: 3, loss: 1.0),
        ])
        let doc = parseSVG(ConvergencePlot.svg(series: [s], title: "t"))
        #expect(doc.ok)
        let line = try #require(doc.all("polyline", class: "series").first { $0.panel == "iteration" })
        let ys = ParsedSVG.points(line).map(\.1)
        #expect(ys.count == 4)
        let grid = doc.all("line", class: "grid y").filter { $0.panel == "iteration" }
        var gridY: [Int: Double] = [:]
        for e in grid { gridY[Int(e.attributes["data-decade"]!)!] = Double(e.attributes["y1"]!)! }
        let y2 = try #require(gridY[-2]), y3 = try #require(gridY[-3])
        let decade = y3 - y2
        #expect(decade > 20)   // smaller values sit lower (larger SVG y)
        #expect(abs(ys[0] - y2) < 0.05)
        #expect(abs(ys[1] - y3) < 0.05)
        #expect(abs((ys[1] - ys[0]) - decade) < 0.05)
        #expect(abs((ys[2] - ys[1]) - decade) < 0.05)
        // The point at best is drawn at the floor, one decade below 1e-4.
        #expect(abs((ys[3] - ys[2]) - decade) < 0.05)
        #expect(doc.all("text", class: "caption").contains { $0.text.contains("floor 1e-5") })

        // Unit check of the scale itself: 10× smaller is exactly 1/(decades) lower.
        let scale = LogScale(minValue: 1e-5, maxValue: 1e-2)
        #expect(abs(scale.fraction(1e-3) - scale.fraction(1e-4) - 1.0 / Double(scale.highDecade - scale.lowDecade)) < 1e-12)
    }

    @Test func degenerateSeriesStillRender() {
        let series = [
            ConvergenceSeries(solver: "one point", points: [(iteration: 5, seconds: 0.2, loss: 3.0)]),
            ConvergenceSeries(solver: "flat", points: (0..<5).map { (iteration: $0, seconds: Double($0), loss: 3.0) }),
            ConvergenceSeries(solver: "empty", points: []),
            ConvergenceSeries(solver: "broken", points: [
                (iteration: 0, seconds: 0, loss: .nan), (iteration: 1, seconds: 1, loss: .infinity),
                (iteration: 2, seconds: 2, loss: 4.0), (iteration: 3, seconds: .nan, loss: 3.5),
            ]),
            ConvergenceSeries(solver: "none finite", points: [(iteration: 0, seconds: 0, loss: .nan)]),
        ]
        let svg = ConvergencePlot.svg(series: series, title: "edge cases")
        let doc = parseSVG(svg)
        #expect(doc.ok)
        #expect(!svg.lowercased().contains("nan"))
        #expect(!svg.contains("inf"))
        let lines = doc.all("polyline", class: "series")
        let iter = lines.filter { $0.panel == "iteration" }
        #expect(iter.map { $0.attributes["data-solver"]! } == ["one point", "flat", "broken"])
        #expect(ParsedSVG.points(iter[0]).count == 1)
        #expect(ParsedSVG.points(iter[2]).count == 2)          // NaN and inf skipped
        let secs = lines.filter { $0.panel == "seconds" }
        #expect(ParsedSVG.points(secs[2]).count == 1)          // NaN seconds skipped in time panel only
        // Every coordinate is a finite number inside the viewBox.
        for l in lines { for (x, y) in ParsedSVG.points(l) { #expect(x.isFinite && y.isFinite && x >= 0 && y >= 0) } }
        let legend = doc.all("g", class: "legend-entry")
        #expect(legend.count == 5)
        #expect(legend.contains { $0.text.contains("empty (no finite points)") })
    }

    @Test func noDataAtAll() {
        for input in [[], [ConvergenceSeries(solver: "x", points: [])]] {
            let svg = ConvergencePlot.svg(series: input, title: "nothing")
            let doc = parseSVG(svg)
            #expect(doc.ok)
            #expect(doc.all("polyline").isEmpty)
            #expect(svg.contains("no finite losses to plot"))
        }
    }

    @Test func allEqualLossesUseDefaultFloor() {
        let s = [ConvergenceSeries(solver: "flat", points: (0..<3).map { (iteration: $0, seconds: Double($0), loss: 2.0) })]
        let doc = parseSVG(ConvergencePlot.svg(series: s, title: "flat"))
        #expect(doc.ok)
        #expect(doc.all("text", class: "caption").contains { $0.text.contains("floor 1e-16") })
        let ys = ParsedSVG.points(doc.all("polyline", class: "series")[0]).map(\.1)
        #expect(Set(ys).count == 1)
    }

    /// Writes a sample figure for visual inspection when REPORTING_SAMPLE_DIR is set.
    @Test func writeSampleWhenRequested() throws {
        guard let dir = ProcessInfo.processInfo.environment["REPORTING_SAMPLE_DIR"] else { return }
        let svg = ConvergencePlot.svg(series: Self.solverSeries() + [ConvergenceSeries(solver: "empty run", points: [])],
                                      title: "Masked loss convergence (M = 1,000, D = 32)")
        try svg.write(toFile: dir + "/convergence.svg", atomically: true, encoding: .utf8)
        let edge = ConvergencePlot.svg(series: [
            ConvergenceSeries(solver: "one point", points: [(iteration: 5, seconds: 0.2, loss: 3.0)]),
            ConvergenceSeries(solver: "flat", points: (0..<5).map { (iteration: $0, seconds: Double($0) * 0.1, loss: 3.0) }),
        ], title: "Edge cases")
        try edge.write(toFile: dir + "/edge.svg", atomically: true, encoding: .utf8)
        let table = ResultsTable(rows: sampleRows, series: sampleSeries)
        try (table.latex() + "\n" + table.csv()).write(toFile: dir + "/table.txt", atomically: true, encoding: .utf8)
        try Report.markdown(problem: ReportTests.problem, table: table, csvFile: "results.csv")
            .write(toFile: dir + "/report.md", atomically: true, encoding: .utf8)
    }
}
