import Foundation
import DataIO

/// A `compare --report` folder: created when missing; refused when it holds files of an earlier
/// run (they would mix with the new run's), unless `force`, which removes Coembed's own report
/// files and leaves everything else in the folder alone.
public enum ReportFolder {
    /// The names a comparison writes into its folder.
    public static func isReportFile(_ name: String) -> Bool {
        let fixed: Set<String> = ["report.md", "results.csv", "results.tex", "convergence.svg", "embedding.npy",
                                  "items.csv", "variables.csv"]
        if fixed.contains(name) { return true }
        return (name.hasPrefix("trace-") && name.hasSuffix(".csv")) || (name.hasPrefix("embedding-") && name.hasSuffix(".npy"))
    }

    /// Prepares `folder`; returns the earlier files removed (with `force`).
    @discardableResult
    public static func prepare(_ folder: URL, force: Bool) throws -> [String] {
        try OutputPlan.prepareFolder(folder)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter(isReportFile).sorted()
        guard !names.isEmpty else { return [] }
        guard force else {
            let listed = names.prefix(4).joined(separator: ", ") + (names.count > 4 ? ", …" : "")
            throw OutputError("\(folder.path) holds an earlier report (\(listed)); give another --report folder, or --force to replace Coembed's files in it")
        }
        for name in names {
            do { try FileManager.default.removeItem(at: folder.appendingPathComponent(name)) } catch {
                throw OutputError("cannot remove \(folder.appendingPathComponent(name).path): \(error.localizedDescription)")
            }
        }
        return names
    }
}
