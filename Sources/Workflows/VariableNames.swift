import Foundation
import LinearAlgebra
import DataIO
import Solvers
import Evaluation

/// Names of the variables of a matrix or data file: a CSV's header when it has one, else V1…Vp.
public enum VariableNames {
    public static func read(_ url: URL, count: Int) throws -> [String] {
        let fallback = (0..<count).map { "V\($0 + 1)" }
        guard url.pathExtension.lowercased() == "csv" else { return fallback }
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        let head = try handle.read(upToCount: 1 << 20) ?? Data()
        guard let firstLine = String(decoding: head, as: UTF8.self).split(separator: "\n", maxSplits: 1).first else { return fallback }
        let fields = firstLine.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " \t\"")) }
        guard fields.count == count, fields.contains(where: { Double($0) == nil }) else { return fallback }
        return fields
    }

    /// variables.csv: `row,variable`, the item map of an embedding of a matrix input.
    public static func csv(_ names: [String]) -> String {
        var text = "row,variable\n"
        for (i, name) in names.enumerated() {
            let quoted = name.contains(where: { $0 == "," || $0 == "\"" }) ? "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : name
            text += "\(i),\(quoted)\n"
        }
        return text
    }
}
