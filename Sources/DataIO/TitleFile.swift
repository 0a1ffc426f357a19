import Foundation

/// Item titles from a CSV: a header line, then `id,title[,…]` rows (RFC 4180 quoting). MovieLens
/// `movies.csv` is one (header `movieId,title,genres`).
public enum TitleFile {
    /// One title per item, in the items' order; an item missing from the file is titled
    /// "movie <id>" (integer ids) or "item <name>".
    ///
    /// With integer item ids the file's ids must be integers and match by value; with named ids
    /// they match the name exactly. Ids in the file that no row uses are ignored.
    public static func titles(from url: URL, itemIDs: [Int], itemKeys: [String]?) throws(DataIOError) -> [String] {
        try titles(from: url, itemIDs: itemIDs, itemKeys: itemKeys, header: nil)
    }

    /// The titles of a ratings file's items: from `titles` when given (its first columns named
    /// `header`, or any when nil); otherwise, for the MovieLens layout, from `movies.csv` beside
    /// the ratings when it exists; else nil.
    static func titles(ofRatings url: URL, layout: RatingsLayout, titles: URL?, header: [String]?,
                       itemIDs: [Int], itemKeys: [String]?) throws(DataIOError) -> [String]? {
        if let titles {
            return try TitleFile.titles(from: titles, itemIDs: itemIDs, itemKeys: itemKeys, header: header)
        } else if layout.isMovieLens {
            let beside = url.deletingLastPathComponent().appendingPathComponent("movies.csv")
            if FileManager.default.fileExists(atPath: beside.path) {
                return try TitleFile.titles(from: beside, itemIDs: itemIDs, itemKeys: nil, header: MovieLens.titlesHeader)
            }
        }
        return nil
    }

    static func titles(from url: URL, itemIDs: [Int], itemKeys: [String]?, header required: [String]?) throws(DataIOError) -> [String] {
        let file = url.path
        var reader = CSVReader(bytes: try FileBytes.read(url), file: file)
        guard let header = try reader.next() else {
            throw .invalidContent(file: file, problem: "empty file: expected a header line (id,title)")
        }
        guard header.fields.count >= 2 else {
            throw .malformed(file: file, line: header.line,
                             problem: "header must have at least two columns (id,title); found \(header.fields.joined(separator: ","))")
        }
        if let required, Array(header.fields.prefix(required.count)) != required {
            throw .malformed(file: file, line: header.line,
                             problem: "header must start with \(required.joined(separator: ",")); found \(header.fields.joined(separator: ","))")
        }
        let width = header.fields.count
        let idName = header.fields[0]
        var byName: [String: String] = [:]
        var byID: [Int: String] = [:]
        while let record = try reader.next() {
            if record.fields.count == 1 && record.fields[0].isEmpty { continue }  // blank line
            guard record.fields.count == width else {
                throw .malformed(file: file, line: record.line, problem: "expected \(width) fields, found \(record.fields.count)")
            }
            let key = record.fields[0]
            if itemKeys != nil {
                guard byName.updateValue(record.fields[1], forKey: key) == nil else {
                    throw .malformed(file: file, line: record.line, problem: "\(idName) \"\(key)\" appears twice")
                }
            } else {
                guard let id = Int(key, radix: 10) else {
                    throw .malformed(file: file, line: record.line, problem: "\(idName) \"\(key)\" is not an integer")
                }
                guard id >= 0 else {
                    throw .malformed(file: file, line: record.line, problem: "\(idName) \(id) is negative")
                }
                guard byID.updateValue(record.fields[1], forKey: id) == nil else {
                    throw .malformed(file: file, line: record.line, problem: "\(idName) \(id) appears twice")
                }
            }
        }
        if let itemKeys { return itemKeys.map { byName[$0] ?? "item \($0)" } }
        return itemIDs.map { byID[$0] ?? "movie \($0)" }
    }
}
