import Foundation
import DataIO

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
