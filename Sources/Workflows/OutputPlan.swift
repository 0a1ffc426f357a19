import Foundation
import DataIO

/// Why the outputs of a run cannot be written; found before any data is read.
public struct OutputError: Error, Equatable, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// How an embedding file is written, known from its extension.
public enum EmbeddingFormat: String, Sendable, Equatable {
    case npy, csv, word2vec

    public init(url: URL) throws {
        switch url.pathExtension.lowercased() {
        case "npy": self = .npy
        case "csv": self = .csv
        case "txt", "w2v", "vec": self = .word2vec
        default:
            let ext = url.pathExtension.isEmpty ? "no extension" : "unknown extension '.\(url.pathExtension)'"
            throw OutputError("\(url.path): \(ext); an embedding is written as .npy, .csv, .txt, .w2v or .vec")
        }
    }
}

/// The files a `solve` run will write, checked before any work: every format is known from its
/// extension, parent folders exist (created as by `mkdir -p`) and are writable, and no file is
/// named twice. The item map (items.csv, or variables.csv for a matrix input) goes beside
/// every embedding.
public struct OutputPlan: Sendable {
    public struct Embedding: Sendable, Equatable {
        public var url: URL
        public var format: EmbeddingFormat
    }

    public let embeddings: [Embedding]
    public let trace: URL?

    /// Checks and prepares the folders of `embeddings` and `trace` (.csv or .json).
    public init(embeddings paths: [String], trace tracePath: String?) throws {
        let urls = paths.map { URL(fileURLWithPath: $0).standardizedFileURL }
        var seen = Set<String>()
        for url in urls where !seen.insert(url.path).inserted {
            throw OutputError("--output \(url.path) is given twice")
        }
        embeddings = try urls.map { Embedding(url: $0, format: try EmbeddingFormat(url: $0)) }
        trace = tracePath.map { URL(fileURLWithPath: $0).standardizedFileURL }
        if let trace {
            guard ["csv", "json"].contains(trace.pathExtension.lowercased()) else {
                throw OutputError("\(trace.path): a trace is written as .csv or .json")
            }
            guard !seen.contains(trace.path) else { throw OutputError("--trace \(trace.path) is also an --output") }
        }
        for folder in Set(urls.map { $0.deletingLastPathComponent().path } + (trace.map { [$0.deletingLastPathComponent().path] } ?? [])) {
            try Self.prepareFolder(URL(fileURLWithPath: folder))
        }
        let maps = itemMapFolders.flatMap { [$0.appendingPathComponent("items.csv").path, $0.appendingPathComponent("variables.csv").path] }
        for map in maps where seen.contains(map) || trace?.path == map {
            throw OutputError("--output \(map) would be overwritten by the item map written beside the embeddings (items.csv or variables.csv)")
        }
    }

    /// The folders that receive an item map: one per folder holding an embedding.
    public var itemMapFolders: [URL] {
        var seen = Set<String>()
        return embeddings.map { $0.url.deletingLastPathComponent() }.filter { seen.insert($0.path).inserted }
    }

    /// `mkdir -p`, then proof that a file can be created there.
    public static func prepareFolder(_ folder: URL) throws {
        let fm = FileManager.default
        // One line naming the path and the reason (a file in the way, permission, …).
        do { try FileErrors.createDirectory(folder) } catch { throw OutputError(error.description) }
        guard fm.isWritableFile(atPath: folder.path) else { throw OutputError("cannot write in \(folder.path) (permission denied)") }
    }
}

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
