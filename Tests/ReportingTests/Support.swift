import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import Reporting

/// Minimal RFC 4180 reader: quoted fields, doubled quotes, CRLF or LF records.
func parseCSV(_ text: String) -> [[String]] {
    var records: [[String]] = []
    var record: [String] = []
    var field = ""
    var inQuotes = false
    var chars = Array(text.unicodeScalars)[...]
    while let c = chars.popFirst() {
        if inQuotes {
            if c == "\"" {
                if chars.first == "\"" { field.unicodeScalars.append("\""); chars.removeFirst() } else { inQuotes = false }
            } else {
                field.unicodeScalars.append(c)
            }
        } else {
            switch c {
            case "\"": inQuotes = true
            case ",": record.append(field); field = ""
            case "\r": break
            case "\n": record.append(field); records.append(record); record = []; field = ""
            default: field.unicodeScalars.append(c)
            }
        }
    }
    if !field.isEmpty || !record.isEmpty { record.append(field); records.append(record) }
    return records
}

/// One parsed SVG element with the `data-panel` of its enclosing panel group.
struct SVGElement {
    var name: String
    var attributes: [String: String]
    var text: String
    var panel: String?
}

/// Collects every element; text of an element includes its children's text
/// (so "10" + tspan "−3" reads as "10−3").
final class SVGCollector: NSObject, XMLParserDelegate {
    var elements: [SVGElement] = []
    var open: [Int] = []
    var error: Error?

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
        let panel = attributeDict["data-panel"] ?? open.last.flatMap { elements[$0].panel }
        elements.append(SVGElement(name: elementName, attributes: attributeDict, text: "", panel: panel))
        open.append(elements.count - 1)
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?) {
        open.removeLast()
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        for i in open { elements[i].text += string }
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) { error = parseError }
}

struct ParsedSVG {
    var ok: Bool
    var elements: [SVGElement]

    func all(_ name: String, class cls: String? = nil) -> [SVGElement] {
        elements.filter { $0.name == name && (cls == nil || $0.attributes["class"] == cls) }
    }

    /// (x, y) pairs of a polyline's points attribute.
    static func points(_ e: SVGElement) -> [(Double, Double)] {
        (e.attributes["points"] ?? "").split(separator: " ").map { pair in
            let xy = pair.split(separator: ",").map { Double($0)! }
            return (xy[0], xy[1])
        }
    }
}

func parseSVG(_ svg: String) -> ParsedSVG {
    let parser = XMLParser(data: Data(svg.utf8))
    let collector = SVGCollector()
    parser.delegate = collector
    let ok = parser.parse() && collector.error == nil
    return ParsedSVG(ok: ok, elements: collector.elements)
}

/// A trace that converges geometrically from `start` towards `target`.
func geometricSeries(_ name: String, target: Double, start: Double, rate: Double, count: Int,
                     secondsPerIteration: Double) -> ConvergenceSeries {
    var pts: [ConvergencePoint] = []
    var loss = start
    for i in 0..<count {
        pts.append(ConvergencePoint(iteration: i, seconds: Double(i) * secondsPerIteration, loss: loss))
        loss = target + (loss - target) * rate
    }
    return ConvergenceSeries(solver: name, points: pts)
}
