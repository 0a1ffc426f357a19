/// Encodes as `{rows, columns, columnMajor: [...]}` so results with embeddings can be saved as JSON.
extension Matrix: Codable {
    private enum CodingKeys: String, CodingKey { case rows, columns, columnMajor }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let rows = try c.decode(Int.self, forKey: .rows)
        let columns = try c.decode(Int.self, forKey: .columns)
        let storage = try c.decode([Double].self, forKey: .columnMajor)
        guard rows >= 0, columns >= 0, storage.count == rows * columns else {
            throw DecodingError.dataCorruptedError(forKey: .columnMajor, in: c,
                debugDescription: "\(storage.count) elements for a \(rows)×\(columns) matrix")
        }
        self.init(rows: rows, columns: columns, columnMajor: storage)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(rows, forKey: .rows)
        try c.encode(columns, forKey: .columns)
        try c.encode(storage, forKey: .columnMajor)
    }
}
