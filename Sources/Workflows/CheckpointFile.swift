import Foundation
import DataIO
import Solvers

/// Checkpoint snapshots on disk: written atomically (a reader sees the previous snapshot or the
/// new one), through DataIO's `AtomicFile`, whose temporaries an interrupt cleans up.
public enum CheckpointFile {
    /// The writer a `CheckpointPolicy` takes.
    public static let write: @Sendable (Data, URL) throws -> Void = { data, url in try AtomicFile.write(data, to: url) }
}

extension CheckpointRecord {
    /// Writes the record atomically.
    public func write(to url: URL) throws { try CheckpointFile.write(Data(encoded()), url) }
}
