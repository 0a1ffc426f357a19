import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The files of one run, written together: each is first written completely to a temporary
/// file in its target's folder; `commit()` renames them into place only after every one of them
/// was written, so a failure (or an interruption before the commit) leaves all earlier files
/// untouched and no new file beside an old one. Temporaries are removed on every error path.
public final class OutputTransaction {
    private var staged: [(temporary: String, target: URL)] = []
    private var finished = false

    public init() {}

    deinit { discard() }

    /// Writes `target`'s new contents through `write` (which receives the temporary path) and
    /// keeps them until `commit()`. Throws (after removing the temporary) if `write` throws.
    public func stage(_ target: URL, _ write: (URL) throws -> Void) throws {
        precondition(!finished, "the transaction was already committed or discarded")
        guard !staged.contains(where: { $0.target.standardizedFileURL == target.standardizedFileURL }) else {
            throw DataIOError.writeFailed(file: target.path, reason: "two outputs of this run have this path")
        }
        let temporary = target.deletingLastPathComponent()
            // The target's name stays last: writers that pick a format by extension see the same one.
            .appendingPathComponent(".staged-\(getpid())-\(String(UInt64.random(in: 0...UInt64.max), radix: 16))-\(target.lastPathComponent)")
        LiveTemporaries.register(temporary.path)
        do {
            try write(temporary)
        } catch {
            unlink(temporary.path)
            LiveTemporaries.unregister(temporary.path)
            // Name the file the user asked for, not the hidden temporary.
            if case let DataIOError.writeFailed(file, reason) = error, file == temporary.path {
                throw DataIOError.writeFailed(file: target.path, reason: reason)
            }
            throw FileErrors.translate(error, path: target.path)
        }
        staged.append((temporary.path, target))
    }

    /// Renames every staged file into place (in staging order).
    public func commit() throws {
        precondition(!finished, "the transaction was already committed or discarded")
        finished = true
        for (k, file) in staged.enumerated() {
            if rename(file.temporary, file.target.path) != 0 {
                let reason = String(cString: strerror(errno))
                for rest in staged[k...] { unlink(rest.temporary); LiveTemporaries.unregister(rest.temporary) }
                staged.removeAll()
                throw DataIOError.writeFailed(file: file.target.path, reason: reason)
            }
            LiveTemporaries.unregister(file.temporary)
        }
        staged.removeAll()
    }

    /// Removes every staged temporary (nothing is written).
    public func discard() {
        finished = true
        for file in staged { unlink(file.temporary); LiveTemporaries.unregister(file.temporary) }
        staged.removeAll()
    }
}
