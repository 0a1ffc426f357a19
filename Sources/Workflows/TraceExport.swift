import Foundation
import DataIO
import Solvers

extension SolverResult {
    /// The trace as CSV: iteration, seconds, loss, gradient norm, step size, then one column per
    /// method-specific extra (sorted by name). Empty fields where a value is not defined.
    public var traceCSV: String {
        let extraNames = Set(trace.flatMap { $0.extras.keys }).sorted()
        var lines = [(["iteration", "seconds", "loss", "gradient_norm", "step_size"] + extraNames).joined(separator: ",")]
        func f(_ x: Double?) -> String { x.map { "\($0)" } ?? "" }
        for e in trace {
            let fields = ["\(e.iteration)", f(e.seconds), f(e.loss), f(e.gradientNorm), f(e.stepSize)] + extraNames.map { f(e.extras[$0]) }
            lines.append(fields.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes the trace atomically: JSON (the whole result but the embedding) for `.json`,
    /// otherwise CSV.
    public func writeTrace(to url: URL) throws {
        if url.pathExtension.lowercased() == "json" {
            var copy = self
            copy.embedding = .init(rows: 0, columns: 0)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
            try AtomicFile.write(try encoder.encode(copy), to: url)
        } else {
            try AtomicFile.write(Data(traceCSV.utf8), to: url)
        }
    }
}
