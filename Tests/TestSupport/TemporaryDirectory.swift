import Foundation

/// A fresh directory under the system temporary folder, removed by `remove()`; tests that
/// write files use one each so they can run in parallel.
public struct TemporaryDirectory: Sendable {
    public let url: URL

    public init(prefix: String = "coembed-test") throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(prefix)-\(getpid())-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// A path inside the directory.
    public func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    /// Writes `text` (UTF-8) to `name` and returns its URL.
    @discardableResult
    public func write(_ text: String, to name: String) throws -> URL {
        let u = file(name)
        try Data(text.utf8).write(to: u)
        return u
    }

    /// Writes raw bytes to `name` and returns its URL.
    @discardableResult
    public func write(bytes: [UInt8], to name: String) throws -> URL {
        let u = file(name)
        try Data(bytes).write(to: u)
        return u
    }

    /// Names of the entries in the directory (including hidden ones).
    public func contents() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: url.path).sorted()
    }

    public func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}
