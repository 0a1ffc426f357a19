import Foundation

/// Standalone SVG figure of relative gap to best against iteration (left panel)
/// and wall-clock seconds (right panel).
///
/// Hand-written SVG rather than a plotting dependency keeps Reporting pure
/// Foundation and the output diffable; the figure is sized and styled to be
/// pasted into a report as is.
public enum ConvergencePlot {
    /// Okabe–Ito palette (colour-blind safe), yellow dropped for contrast on white.
    static let colours = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
    /// Five patterns against seven colours: the (colour, dash) pair repeats only
    /// after 35 series, and two lines never differ by colour alone.
    static let dashes = ["", "7 4", "2 3", "9 3 2 3", "4 2 1 2 1 2"]
    /// Used when no gap is positive (every point sits at the best loss).
    public static let defaultFloor = 1e-16

    /// Renders the figure.
    /// - Parameters:
    ///   - series: one trace per solver; non-finite losses are skipped.
    ///   - title: figure title (escaped, any characters allowed).
    ///   - best: reference loss; pass ``ResultsTable/best`` so figure and table
    ///     agree. Defaults to the lowest finite loss over all series.
    ///   - width: total width in px; the height follows from the legend size.
    public static func svg(series: [ConvergenceSeries], title: String, best: Double? = nil,
                           width: Int = 960) -> String {
        let reference = best ?? Convergence.bestLoss(of: series)
        let prepared = prepare(series, best: reference)
        let layout = Layout(width: Double(max(width, 480)), legendNames: series.map(legendLabel), prepared: prepared)

        var svg = SVGWriter()
        svg.line(##"<?xml version="1.0" encoding="UTF-8"?>"##)
        svg.line(##"<svg xmlns="http://www.w3.org/2000/svg" width="\##(fmt(layout.width))" height="\##(fmt(layout.height))" viewBox="0 0 \##(fmt(layout.width)) \##(fmt(layout.height))" font-family="Helvetica, Arial, 'DejaVu Sans', sans-serif" font-size="13">"##)
        svg.line("<title>\(XML.escape(title))</title>")
        svg.line(##"<rect x="0" y="0" width="\##(fmt(layout.width))" height="\##(fmt(layout.height))" fill="#ffffff"/>"##)
        svg.line(##"<text x="\##(fmt(layout.width / 2))" y="28" text-anchor="middle" font-size="16" font-weight="bold" fill="#222222">\##(XML.escape(title))</text>"##)

        let panels: [(id: String, subtitle: String, axis: String, x: (PlotPoint) -> Double?)] = [
            ("iteration", "Gap vs iteration", "iteration", { Double($0.iteration) }),
            ("seconds", "Gap vs wall-clock time", "wall-clock time (s)", { $0.seconds.isFinite ? $0.seconds : nil }),
        ]
        for (index, panel) in panels.enumerated() {
            drawPanel(&svg, index: index, id: panel.id, subtitle: panel.subtitle, xLabel: panel.axis,
                      x: panel.x, prepared: prepared, layout: layout)
        }
        drawLegend(&svg, series: series, layout: layout)
        drawCaption(&svg, best: reference, prepared: prepared, layout: layout)
        svg.line("</svg>")
        return svg.text
    }

    // MARK: Data preparation

    struct PlotPoint {
        var iteration: Int
        var seconds: Double
        /// Gap already clamped to the floor, so always > 0 and log-safe.
        var value: Double
    }

    struct Prepared {
        var names: [String]
        var points: [[PlotPoint]]
        var floor: Double
        var flooredCount: Int
        /// Decade exponents bounding the y axis.
        var yScale: LogScale
        var hasData: Bool { points.contains { !$0.isEmpty } }
    }

    static func prepare(_ series: [ConvergenceSeries], best: Double?) -> Prepared {
        var raw: [[(Int, Double, Double)]] = []
        var minPositive = Double.infinity
        for s in series {
            var pts: [(Int, Double, Double)] = []
            if let b = best, b.isFinite {
                for p in s.points where p.loss.isFinite {
                    let g = Convergence.relativeGap(loss: p.loss, best: b)
                    guard g.isFinite else { continue }
                    pts.append((p.iteration, p.seconds, g))
                    if g > 0 { minPositive = min(minPositive, g) }
                }
            }
            raw.append(pts)
        }
        // One decade below the smallest real gap keeps "reached best" visibly
        // under every genuine point without squashing the axis to 1e-300.
        var floorValue = defaultFloor
        if minPositive.isFinite {
            floorValue = max(pow(10, Double(decadeBelow(minPositive) - 1)), 1e-300)
        }
        var floored = 0
        var lo = Double.infinity, hi = -Double.infinity
        let points = raw.map { pts in
            pts.map { (it, sec, g) -> PlotPoint in
                if g <= floorValue { floored += g <= 0 ? 1 : 0 }
                let v = max(g, floorValue)
                lo = min(lo, v)
                hi = max(hi, v)
                return PlotPoint(iteration: it, seconds: sec, value: v)
            }
        }
        let scale: LogScale
        if lo.isFinite {
            scale = LogScale(minValue: lo, maxValue: hi)
        } else {
            scale = LogScale(lowDecade: -3, highDecade: 0, step: 1)
        }
        return Prepared(names: series.map(\.solver), points: points, floor: floorValue, flooredCount: floored, yScale: scale)
    }

    static func legendLabel(_ s: ConvergenceSeries) -> String {
        s.points.contains(where: { $0.loss.isFinite }) ? s.solver : s.solver + " (no finite points)"
    }

    // MARK: Layout

    struct Layout {
        var width: Double
        var plotTop = 68.0
        var plotHeight = 280.0
        var panelLeftMargin = 76.0
        var panelRightMargin = 22.0
        var legendTop: Double
        var legendColumns: Int
        var legendColumnWidth: Double
        var legendRows: Int
        var captionTop: Double
        var height: Double
        static let legendRowHeight = 22.0
        static let captionLineHeight = 18.0
        static let captionLines = 2

        init(width: Double, legendNames: [String], prepared: Prepared) {
            self.width = width
            let usable = width - 48
            // Rough glyph width for 13 px sans-serif; generous so names never overlap.
            let longest = Double(legendNames.map(\.count).max() ?? 0)
            legendColumnWidth = min(usable, max(150, longest * 7.5 + 60))
            legendColumns = max(1, min(legendNames.count, Int(usable / legendColumnWidth)))
            legendRows = (legendNames.count + legendColumns - 1) / legendColumns
            legendTop = plotTop + plotHeight + 66
            captionTop = legendTop + Double(legendRows) * Self.legendRowHeight + 10
            height = captionTop + Double(Self.captionLines) * Self.captionLineHeight + 8
        }

        func plotLeft(panel: Int) -> Double { Double(panel) * width / 2 + panelLeftMargin }
        func plotRight(panel: Int) -> Double { Double(panel + 1) * width / 2 - panelRightMargin }
        var plotBottom: Double { plotTop + plotHeight }
    }

    // MARK: Drawing

    static func drawPanel(_ svg: inout SVGWriter, index: Int, id: String, subtitle: String, xLabel: String,
                          x: (PlotPoint) -> Double?, prepared: Prepared, layout: Layout) {
        let left = layout.plotLeft(panel: index), right = layout.plotRight(panel: index)
        let top = layout.plotTop, bottom = layout.plotBottom
        let xs = prepared.points.flatMap { $0.compactMap(x) }
        let xScale = LinearScale(minValue: min(0, xs.min() ?? 0), maxValue: xs.max() ?? 1)
        let yScale = prepared.yScale
        func px(_ v: Double) -> Double { left + (right - left) * xScale.fraction(v) }
        func py(_ v: Double) -> Double { bottom - (bottom - top) * yScale.fraction(v) }

        svg.line(##"<g class="panel" data-panel="\##(id)">"##)
        svg.line(##"<text x="\##(fmt((left + right) / 2))" y="\##(fmt(top - 12))" text-anchor="middle" font-size="14" fill="#222222">\##(XML.escape(subtitle))</text>"##)

        // Grid and tick labels; unlabelled decades get fainter lines when ticks skip some.
        if yScale.step > 1 {
            for k in yScale.lowDecade...yScale.highDecade where !yScale.tickDecades.contains(k) {
                let y = py(pow(10, Double(k)))
                svg.line(##"<line class="grid minor" x1="\##(fmt(left))" y1="\##(fmt(y))" x2="\##(fmt(right))" y2="\##(fmt(y))" stroke="#f2f2f2" stroke-width="1"/>"##)
            }
        }
        for k in yScale.tickDecades {
            let y = py(pow(10, Double(k)))
            svg.line(##"<line class="grid y" data-decade="\##(k)" x1="\##(fmt(left))" y1="\##(fmt(y))" x2="\##(fmt(right))" y2="\##(fmt(y))" stroke="#e3e3e3" stroke-width="1"/>"##)
            svg.line(##"<text x="\##(fmt(left - 8))" y="\##(fmt(y + 4))" text-anchor="end" font-size="12" fill="#333333">10<tspan dy="-6" font-size="9">\##(k < 0 ? "−" : "")\##(abs(k))</tspan></text>"##)
        }
        for t in xScale.ticks {
            let xp = px(t)
            svg.line(##"<line class="grid x" x1="\##(fmt(xp))" y1="\##(fmt(top))" x2="\##(fmt(xp))" y2="\##(fmt(bottom))" stroke="#e3e3e3" stroke-width="1"/>"##)
            svg.line(##"<text x="\##(fmt(xp))" y="\##(fmt(bottom + 18))" text-anchor="middle" font-size="12" fill="#333333">\##(xScale.label(t))</text>"##)
        }
        svg.line(##"<rect x="\##(fmt(left))" y="\##(fmt(top))" width="\##(fmt(right - left))" height="\##(fmt(bottom - top))" fill="none" stroke="#888888" stroke-width="1"/>"##)

        // Axis labels.
        svg.line(##"<text x="\##(fmt((left + right) / 2))" y="\##(fmt(bottom + 40))" text-anchor="middle" font-size="13" fill="#222222">\##(XML.escape(xLabel))</text>"##)
        let yMid = (top + bottom) / 2, yLabelX = left - 52
        svg.line(##"<text x="\##(fmt(yLabelX))" y="\##(fmt(yMid))" text-anchor="middle" font-size="13" fill="#222222" transform="rotate(-90 \##(fmt(yLabelX)) \##(fmt(yMid)))">(loss − best) / best</text>"##)

        if !prepared.hasData {
            svg.line(##"<text x="\##(fmt((left + right) / 2))" y="\##(fmt(yMid))" text-anchor="middle" font-size="13" fill="#666666">no finite losses to plot</text>"##)
        }

        // Series.
        for (i, pts) in prepared.points.enumerated() where !pts.isEmpty {
            var coords: [(Double, Double)] = []
            for p in pts {
                guard let xv = x(p) else { continue }
                let c = (px(xv), py(p.value))
                // Drop points that land within a quarter pixel of the previous
                // one: long traces otherwise produce megabyte files for no gain.
                if let last = coords.last, abs(last.0 - c.0) < 0.25, abs(last.1 - c.1) < 0.25 { continue }
                coords.append(c)
            }
            if let last = pts.last(where: { x($0) != nil }), let xv = x(last) {
                let c = (px(xv), py(last.value))
                if let prev = coords.last, prev != c { coords.append(c) }
            }
            guard let end = coords.last else { continue }
            let name = XML.escape(prepared.names[i])
            let colour = colours[i % colours.count], dash = dashes[i % dashes.count]
            let dashAttr = dash.isEmpty ? "" : ##" stroke-dasharray="\##(dash)""##
            let pointList = coords.map { "\(fmt($0.0)),\(fmt($0.1))" }.joined(separator: " ")
            svg.line(##"<polyline class="series" data-solver="\##(name)" points="\##(pointList)" fill="none" stroke="\##(colour)" stroke-width="2"\##(dashAttr) stroke-linejoin="round" stroke-linecap="round"/>"##)
            // End marker: shows where each run stopped and makes one-point series visible.
            svg.line(##"<circle class="end" data-solver="\##(name)" cx="\##(fmt(end.0))" cy="\##(fmt(end.1))" r="3.5" fill="\##(colour)" stroke="#ffffff" stroke-width="1"/>"##)
        }
        svg.line("</g>")
    }

    static func drawLegend(_ svg: inout SVGWriter, series: [ConvergenceSeries], layout: Layout) {
        svg.line(##"<g class="legend">"##)
        for (i, s) in series.enumerated() {
            let col = i % layout.legendColumns, row = i / layout.legendColumns
            let totalWidth = Double(layout.legendColumns) * layout.legendColumnWidth
            let x0 = (layout.width - totalWidth) / 2 + Double(col) * layout.legendColumnWidth
            let y = layout.legendTop + Double(row) * Layout.legendRowHeight
            let colour = colours[i % colours.count], dash = dashes[i % dashes.count]
            let dashAttr = dash.isEmpty ? "" : ##" stroke-dasharray="\##(dash)""##
            let label = XML.escape(legendLabel(s))
            svg.line(##"<g class="legend-entry" data-solver="\##(XML.escape(s.solver))">"##)
            svg.line(##"<line x1="\##(fmt(x0))" y1="\##(fmt(y))" x2="\##(fmt(x0 + 36))" y2="\##(fmt(y))" stroke="\##(colour)" stroke-width="2.5"\##(dashAttr) stroke-linecap="round"/>"##)
            svg.line(##"<circle cx="\##(fmt(x0 + 36))" cy="\##(fmt(y))" r="3.5" fill="\##(colour)" stroke="#ffffff" stroke-width="1"/>"##)
            svg.line(##"<text x="\##(fmt(x0 + 46))" y="\##(fmt(y + 4.5))" font-size="13" fill="#222222">\##(label)</text>"##)
            svg.line("</g>")
        }
        svg.line("</g>")
    }

    static func drawCaption(_ svg: inout SVGWriter, best: Double?, prepared: Prepared, layout: Layout) {
        let bestText = best.map { "best = \(String(format: "%.10g", $0)) (lowest finite loss)" } ?? "no finite loss, so no reference"
        let exponent = Int(log10(prepared.floor).rounded())
        let floorText = pow(10, Double(exponent)) == prepared.floor ? "1e\(exponent)" : NumberText.gap(prepared.floor)
        let lines = [
            "Relative gap (loss − best)/best on a log scale; \(bestText). Dots mark each run's last point.",
            "Points with gap ≤ 0 (at or below best) are drawn at the floor \(floorText); non-finite losses are omitted.",
        ]
        for (i, text) in lines.enumerated() {
            let y = layout.captionTop + Double(i) * Layout.captionLineHeight + 12
            svg.line(##"<text class="caption" x="24" y="\##(fmt(y))" font-size="12" fill="#444444">\##(XML.escape(text))</text>"##)
        }
    }
}

// MARK: - Scales

/// Maps a value to its fraction of the axis on a log10 scale whose ends are
/// whole decades, so tick labels are exact powers of ten.
struct LogScale: Equatable {
    var lowDecade: Int
    var highDecade: Int
    var step: Int

    init(lowDecade: Int, highDecade: Int, step: Int) {
        self.lowDecade = lowDecade
        self.highDecade = highDecade
        self.step = step
    }

    init(minValue: Double, maxValue: Double) {
        var lo = decadeBelow(minValue)
        var hi = decadeAbove(maxValue)
        if hi <= lo { lo -= 1; hi += 1 }      // all values equal (or one exact decade)
        // At most ~8 labelled decades keep labels from colliding.
        let step = max(1, Int((Double(hi - lo) / 8).rounded(.up)))
        lo = Int((Double(lo) / Double(step)).rounded(.down)) * step
        hi = Int((Double(hi) / Double(step)).rounded(.up)) * step
        self.init(lowDecade: lo, highDecade: hi, step: step)
    }

    func fraction(_ v: Double) -> Double {
        (log10(v) - Double(lowDecade)) / Double(highDecade - lowDecade)
    }

    var tickDecades: [Int] { Array(stride(from: lowDecade, through: highDecade, by: step)) }
}

/// Linear axis with "nice" (1, 2, 5 × 10^k) tick spacing and ends snapped to ticks.
struct LinearScale {
    var low: Double
    var high: Double
    var step: Double

    init(minValue: Double, maxValue: Double) {
        var lo = minValue, hi = maxValue
        if !(hi > lo) { hi = lo + 1 }
        let step = Self.niceStep((hi - lo) / 5)
        lo = (lo / step).rounded(.down) * step
        hi = (hi / step).rounded(.up) * step
        low = lo
        high = hi
        self.step = step
    }

    static func niceStep(_ raw: Double) -> Double {
        let magnitude = pow(10, log10(raw).rounded(.down))
        let f = raw / magnitude
        let nice: Double = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10
        return nice * magnitude
    }

    func fraction(_ v: Double) -> Double { (v - low) / (high - low) }

    var ticks: [Double] {
        let n = Int(((high - low) / step).rounded())
        return (0...n).map { low + Double($0) * step }
    }

    /// Enough decimals to distinguish ticks, no more.
    func label(_ v: Double) -> String {
        let decimals = max(0, -Int(log10(step).rounded(.down)))
        let s = String(format: "%.\(decimals)f", v)
        return s == "-0" ? "0" : s
    }
}

/// Decade exponent at or below `v`. A gap computed as 1.0001 − 1 comes out as
/// 9.99999999999989e-05; snapping near-integers keeps such values on "their"
/// decade instead of wasting a whole extra decade of axis on round-off.
func decadeBelow(_ v: Double) -> Int {
    let e = log10(v)
    return abs(e - e.rounded()) < 1e-9 ? Int(e.rounded()) : Int(e.rounded(.down))
}

/// Decade exponent at or above `v`, with the same snapping as ``decadeBelow(_:)``.
func decadeAbove(_ v: Double) -> Int {
    let e = log10(v)
    return abs(e - e.rounded()) < 1e-9 ? Int(e.rounded()) : Int(e.rounded(.up))
}

// MARK: - XML helpers

/// XML escaping for text and attribute values (solver names may contain & < > ").
enum XML {
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default:
                // Control characters other than tab/newline are illegal in XML 1.0.
                if let a = ch.asciiValue, a < 0x20, a != 0x09, a != 0x0A, a != 0x0D { out += " " } else { out.append(ch) }
            }
        }
        return out
    }
}

struct SVGWriter {
    var text = ""
    mutating func line(_ s: String) {
        text += s
        text += "\n"
    }
}

/// Two decimals: sub-pixel precision without bloating the file.
func fmt(_ x: Double) -> String {
    let s = String(format: "%.2f", x)
    var t = Substring(s)
    if t.contains(".") {
        while t.hasSuffix("0") { t = t.dropLast() }
        if t.hasSuffix(".") { t = t.dropLast() }
    }
    return t == "-0" ? "0" : String(t)
}
