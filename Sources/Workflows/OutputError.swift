import Foundation
import DataIO

/// Why the outputs of a run cannot be written; found before any data is read.
public struct OutputError: Error, Equatable, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
