import Foundation
import LinearAlgebra

/// Checkpointing of one run: where to write snapshots and how often, and an optional snapshot
/// to continue from.
public struct CheckpointPolicy: Sendable {
    /// Where snapshots are written (atomically); nil = none written.
    public var file: URL?
    /// Seconds between snapshots (0 = after every iteration). A snapshot is also written when the
    /// run ends between iterations.
    public var interval: Double
    /// A snapshot to continue from (`CheckpointRecord.read`).
    public var resume: CheckpointRecord?
    /// Everything that shapes the trajectory besides the method's name, the data, D and the
    /// seed, as one canonical text (e.g. the settings' description); a snapshot taken under
    /// other options is refused.
    public var options: String
    /// Opaque fields the caller stores with every snapshot (e.g. the command line), under `app.`.
    public var applicationFields: CheckpointRecord
    /// Writes a snapshot's bytes to `file` atomically (a reader sees the previous snapshot or
    /// this one); the caller's file layer (Workflows' `CheckpointFile.write`), as this module
    /// does no file I/O of its own.
    public var write: @Sendable (Data, URL) throws -> Void

    public init(file: URL? = nil, interval: Double = 60, resume: CheckpointRecord? = nil, options: String = "",
                applicationFields: CheckpointRecord = CheckpointRecord(),
                write: @escaping @Sendable (Data, URL) throws -> Void) {
        self.write = write
        self.file = file
        self.interval = interval
        self.resume = resume
        self.options = options
        self.applicationFields = applicationFields
    }
}
