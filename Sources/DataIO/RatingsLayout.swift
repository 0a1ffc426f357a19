/// How a ratings (interactions) text file is laid out: the separator, whether line 1 is a
/// header, and which columns hold the user, the item, and optionally the rating and timestamp.
///
/// The default is MovieLens `ratings.csv`: comma-separated, header
/// `userId,movieId,rating,timestamp`, non-negative integer ids. Any other layout is "custom":
/// ids are arbitrary tokens (see `RatingsReader`).
public struct RatingsLayout: Sendable, Equatable {
    /// What splits a line into fields.
    public enum Separator: Sendable, Equatable {
        /// Exactly this byte (`,` `;` tab `|` ...); empty fields count.
        case byte(UInt8)
        /// Runs of spaces and tabs; leading and trailing blanks are ignored.
        case whitespace

        /// `,` `;` `|` a single ASCII character, `\t` or `tab`, `whitespace` (or `space`).
        public init?(argument: String) {
            switch argument {
            case "\\t", "\t", "tab", "TAB": self = .byte(ASCII.tab)
            case "whitespace", "space", " ": self = .whitespace
            default:
                let bytes = Array(argument.utf8)
                guard bytes.count == 1, bytes[0] < 128, bytes[0] != ASCII.lf, bytes[0] != ASCII.cr,
                      bytes[0] != ASCII.quote else { return nil }
                self = .byte(bytes[0])
            }
        }
    }

    /// A column: 1-based position, or a header name.
    public enum Column: Sendable, Equatable, CustomStringConvertible {
        case position(Int)
        case name(String)

        public var description: String {
            switch self {
            case let .position(p): return "column \(p)"
            case let .name(n): return "column \"\(n)\""
            }
        }
    }

    /// Where each role's value is. Rating and timestamp are optional: without a rating every row
    /// is a like; the timestamp is only checked to be an integer (it is not used).
    public struct Columns: Sendable, Equatable {
        public var user: Column
        public var item: Column
        public var rating: Column?
        public var timestamp: Column?

        public init(user: Column, item: Column, rating: Column? = nil, timestamp: Column? = nil) {
            self.user = user
            self.item = item
            self.rating = rating
            self.timestamp = timestamp
        }

        /// The roles in the order the options list them (user, item, rating, timestamp).
        static let roleNames = ["user", "item", "rating", "timestamp"]

        /// Parses `--columns`. Three forms:
        /// - role words in file order, `-` for a column to skip: `user,item,rating,timestamp`,
        ///   `item,-,user` (column 1 is the item, column 3 the user);
        /// - `role=column` pairs, column a header name or 1-based position: `user=customer,item=sku`,
        ///   `item=1,user=3,rating=5`;
        /// - columns alone, in the order user, item[, rating[, timestamp]]: `userId,movieId,stars`, `2,1,3`.
        public init(argument: String) throws(LayoutError) {
            let parts = argument.split(separator: ",", omittingEmptySubsequences: false).map {
                String($0).trimmingSpaces
            }
            guard parts.allSatisfy({ !$0.isEmpty }) else { throw LayoutError("--columns has an empty entry: \"\(argument)\"") }
            var found: [String: Column] = [:]
            func assign(_ role: String, _ column: Column) throws(LayoutError) {
                guard Self.roleNames.contains(role) else {
                    throw LayoutError("--columns: unknown role \"\(role)\" (roles: user, item, rating, timestamp)")
                }
                guard found.updateValue(column, forKey: role) == nil else {
                    throw LayoutError("--columns gives \(role) twice")
                }
            }
            if parts.allSatisfy({ Self.roleNames.contains($0) || $0 == "-" }) {
                for (k, part) in parts.enumerated() where part != "-" { try assign(part, .position(k + 1)) }
            } else if parts.allSatisfy({ $0.contains("=") }) {
                for part in parts {
                    let pair = part.split(separator: "=", maxSplits: 1).map { String($0).trimmingSpaces }
                    guard pair.count == 2, !pair[1].isEmpty else { throw LayoutError("--columns: \"\(part)\" is not role=column") }
                    try assign(pair[0], Self.column(pair[1]))
                }
            } else if parts.contains(where: { $0.contains("=") }) {
                throw LayoutError("--columns mixes role=column pairs with plain entries: \"\(argument)\"")
            } else {
                guard parts.count <= 4 else {
                    throw LayoutError("--columns lists \(parts.count) columns; at most 4 (user, item, rating, timestamp)")
                }
                for (k, part) in parts.enumerated() { try assign(Self.roleNames[k], Self.column(part)) }
            }
            guard let user = found["user"], let item = found["item"] else {
                throw LayoutError("--columns must name at least the user and the item column: \"\(argument)\"")
            }
            self.init(user: user, item: item, rating: found["rating"], timestamp: found["timestamp"])
        }

        static func column(_ text: String) -> Column {
            if let p = Int(text), p >= 1 { return .position(p) }
            return .name(text)
        }
    }

    public var separator: Separator
    /// Line 1 holds column names (skipped; used to resolve named columns).
    public var hasHeader: Bool
    /// nil: the MovieLens columns, checked against the header `userId,movieId,rating,timestamp`
    /// (or, without a header, taken as user, item, rating, timestamp in that order).
    public var columns: Columns?

    public init(separator: Separator = .byte(44), hasHeader: Bool = true, columns: Columns? = nil) {
        self.separator = separator
        self.hasHeader = hasHeader
        self.columns = columns
    }

    /// MovieLens `ratings.csv`.
    public static let movieLens = RatingsLayout()

    /// True for the MovieLens layout, read with integer ids and MovieLens's messages.
    var isMovieLens: Bool { columns == nil && hasHeader }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
