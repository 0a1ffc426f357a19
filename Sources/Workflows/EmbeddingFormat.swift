import Foundation
import DataIO

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
