import Foundation
import LinearAlgebra

/// Writes an item embedding in formats other tools open directly: CSV for spreadsheets and
/// pandas, an item table for joining results back to the dataset, and word2vec text for gensim.
/// Numbers use the shortest decimal that reads back to the identical `Double`, so exports
/// round-trip bit for bit. All writes are atomic.
public enum EmbeddingExport {
    /// `movieId,title,d0,…,d{D-1}`, one row per item in `interactions` order; titles are RFC
    /// 4180-quoted when needed (empty when `interactions` has no titles).
    public static func writeCSV(_ embedding: Matrix, interactions: Interactions, to url: URL) throws(DataIOError) {
        try checkRows(embedding, interactions, url)
        let header = (["movieId", "title"] + (0..<embedding.columns).map { "d\($0)" }).joined(separator: ",") + "\n"
        try MatrixMarket.writeAtomically(url) { out in
            out.write(header)
            for i in 0..<embedding.rows {
                var line = "\(TextFormat.csvField(interactions.itemName(i))),\(TextFormat.csvField(title(interactions, i)))"
                for j in 0..<embedding.columns {
                    line += ","
                    line += TextFormat.number(embedding[i, j])
                }
                out.write(line + "\n")
            }
        }
    }

    /// `items.csv`: `row,movieId,title,likes`, where `row` is the 0-based embedding row and
    /// `likes` the item's like count in S.
    public static func writeItems(_ interactions: Interactions, to url: URL) throws(DataIOError) {
        try writeItems(itemNames: interactions.itemName, titles: interactions.titles, likes: interactions.likesPerItem, to: url)
    }

    /// `items.csv` from the item names, titles and like counts alone (what every MPI rank knows
    /// without holding S).
    public static func writeItems(itemNames: (Int) -> String, titles: [String]?, likes: [Int], to url: URL) throws(DataIOError) {
        try MatrixMarket.writeAtomically(url) { out in
            out.write("row,movieId,title,likes\n")
            for i in 0..<likes.count {
                out.write("\(i),\(TextFormat.csvField(itemNames(i))),\(TextFormat.csvField(titles?[i] ?? "")),\(likes[i])\n")
            }
        }
    }

    /// word2vec text format (`gensim.models.KeyedVectors.load_word2vec_format(path, binary=False)`):
    /// a line `M D`, then `movieId v0 … v{D-1}` per item.
    public static func writeWord2Vec(_ embedding: Matrix, interactions: Interactions, to url: URL) throws(DataIOError) {
        try checkRows(embedding, interactions, url)
        try writeWord2Vec(KeyedVectors(keys: (0..<interactions.itemCount).map(interactions.itemName), vectors: embedding), to: url)
    }

    /// word2vec text format for arbitrary keys (which must not contain whitespace).
    public static func writeWord2Vec(_ vectors: KeyedVectors, to url: URL) throws(DataIOError) {
        for key in vectors.keys where key.isEmpty || key.unicodeScalars.contains(where: { $0.properties.isWhitespace }) {
            throw .invalidContent(file: url.path, problem: "word2vec key \"\(key)\" is empty or contains whitespace")
        }
        let m = vectors.vectors
        try MatrixMarket.writeAtomically(url) { out in
            out.write("\(m.rows) \(m.columns)\n")
            for i in 0..<m.rows {
                var line = vectors.keys[i]
                for j in 0..<m.columns {
                    line += " "
                    line += TextFormat.number(m[i, j])
                }
                out.write(line + "\n")
            }
        }
    }

    /// Reads word2vec text: checks the `M D` header against the number of lines and fields.
    public static func readWord2Vec(_ url: URL) throws(DataIOError) -> KeyedVectors {
        let file = url.path
        let bytes = try FileBytes.read(url)
        let result: Result<KeyedVectors, DataIOError> = bytes.withUnsafeBufferPointer { p in
            var lines = LineScanner(p)
            guard let first = lines.next() else { return .failure(.invalidContent(file: file, problem: "empty file: expected a header line 'M D'")) }
            let head = LineScanner.tokens(p, first.start, first.end).compactMap { ByteNumber.parseInt(p, $0.start, $0.end) }
            guard head.count == 2, LineScanner.tokens(p, first.start, first.end).count == 2, head[0] >= 0, head[1] >= 0 else {
                return .failure(.malformed(file: file, line: 1, problem: "header must be two non-negative integers 'M D', found \(TextFormat.excerpt(p, first.start, first.end))"))
            }
            let (count, dimension) = (head[0], head[1])
            var keys: [String] = []
            var values: [Double] = []
            values.reserveCapacity(count * dimension)
            while let l = lines.next() {
                if LineScanner.isBlank(p, l.start, l.end) { continue }
                let tokens = LineScanner.tokens(p, l.start, l.end)
                guard keys.count < count else {
                    return .failure(.malformed(file: file, line: l.line, problem: "more than the \(count) vectors the header declares"))
                }
                guard tokens.count == dimension + 1 else {
                    return .failure(.malformed(file: file, line: l.line, problem: "expected a key and \(dimension) numbers, found \(tokens.count) fields"))
                }
                keys.append(String(decoding: UnsafeBufferPointer(rebasing: p[tokens[0].start..<tokens[0].end]), as: UTF8.self))
                for t in tokens.dropFirst() {
                    guard let v = ByteNumber.parseDouble(p, t.start, t.end) else {
                        return .failure(.malformed(file: file, line: l.line, problem: "\(TextFormat.excerpt(p, t.start, t.end)) is not a number"))
                    }
                    values.append(v)
                }
            }
            guard keys.count == count else {
                return .failure(.malformed(file: file, line: lines.lineNumber, problem: "file ends after \(keys.count) of the \(count) vectors the header declares"))
            }
            return .success(KeyedVectors(keys: keys, vectors: Matrix(rows: count, columns: dimension, rowMajor: values)))
        }
        return try result.get()
    }

    /// Reads a file written by `writeCSV`.
    public static func readCSV(_ url: URL) throws(DataIOError) -> EmbeddingTable {
        let file = url.path
        var reader = CSVReader(bytes: try FileBytes.read(url), file: file)
        guard let header = try reader.next() else { throw .invalidContent(file: file, problem: "empty file: expected a header movieId,title,d0,…") }
        let dimension = header.fields.count - 2
        let expected = ["movieId", "title"] + (0..<max(0, dimension)).map { "d\($0)" }
        guard header.fields == expected else {
            throw .malformed(file: file, line: header.line, problem: "header must be movieId,title,d0,…,d{D-1}; found \(header.fields.joined(separator: ","))")
        }
        var ids: [Int] = []
        var titles: [String] = []
        var values: [Double] = []
        while let record = try reader.next() {
            if record.fields == [""] && reader.atEnd { break }
            guard record.fields.count == header.fields.count else {
                throw .malformed(file: file, line: record.line, problem: "expected \(header.fields.count) fields, found \(record.fields.count)")
            }
            guard let id = Int(record.fields[0]) else {
                throw .malformed(file: file, line: record.line, problem: "movieId \"\(record.fields[0])\" is not an integer")
            }
            ids.append(id)
            titles.append(record.fields[1])
            for (k, field) in record.fields.dropFirst(2).enumerated() {
                guard let v = ByteNumber.parseDouble(field) else {
                    throw .malformed(file: file, line: record.line, problem: "d\(k) \"\(field)\" is not a number")
                }
                values.append(v)
            }
        }
        return EmbeddingTable(itemIDs: ids, titles: titles, vectors: Matrix(rows: ids.count, columns: dimension, rowMajor: values))
    }

    static func title(_ interactions: Interactions, _ i: Int) -> String {
        interactions.titles?[i] ?? ""
    }

    static func checkRows(_ embedding: Matrix, _ interactions: Interactions, _ url: URL) throws(DataIOError) {
        guard embedding.rows == interactions.itemCount else {
            throw .invalidContent(file: url.path, problem: "embedding has \(embedding.rows) rows but there are \(interactions.itemCount) items")
        }
    }
}
