import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Every temporary file this process has created and not yet renamed or removed, so that an
/// error path or a signal handler can remove them all (`removeAll()`): an interrupted run must
/// not leave hidden `.name.tmp-PID-…` files behind.
///
/// `removeAll()` takes a lock and calls `unlink`: call it from ordinary code (a
/// `DispatchSource` signal handler, a `defer`), not from an asynchronous signal handler.
public enum LiveTemporaries {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var paths = Set<String>()

    public static func register(_ path: String) {
        lock.lock(); defer { lock.unlock() }
        paths.insert(path)
    }

    /// Forget `path` (renamed into place or already removed).
    public static func unregister(_ path: String) {
        lock.lock(); defer { lock.unlock() }
        paths.remove(path)
    }

    /// The registered paths (for tests and diagnostics).
    public static var current: Set<String> {
        lock.lock(); defer { lock.unlock() }
        return paths
    }

    /// Removes every registered temporary file (and lock file) and forgets them.
    public static func removeAll() { removeAll { _ in true } }

    /// Removes and forgets the registered paths that `matching` selects.
    public static func removeAll(where matching: (String) -> Bool) {
        lock.lock()
        let selected = paths.filter(matching)
        paths.subtract(selected)
        lock.unlock()
        for path in selected { unlink(path) }
    }
}

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

/// A lock file in a folder, so that two processes writing the same report folder do not mix
/// their files. Created with O_EXCL; a lock whose process is gone (the pid it holds no longer
/// exists) is stale and taken over.
public final class DirectoryLock {
    public let path: String
    /// Set only once the lock file is ours: a failed init must not remove another process's lock.
    private var held = false

    /// The name of the lock file inside the folder.
    public static let fileName = ".coembed.lock"

    public init(_ directory: URL) throws(DataIOError) {
        let path = directory.appendingPathComponent(Self.fileName).path
        self.path = path
        for _ in 0..<3 {
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if fd >= 0 {
                let text = "\(getpid())\n"
                _ = text.withCString { Glibc.write(fd, $0, strlen($0)) }
                close(fd)
                held = true
                LiveTemporaries.register(path)
                return
            }
            guard errno == EEXIST else {
                throw .writeFailed(file: directory.path, reason: "cannot create the lock file \(Self.fileName): \(String(cString: strerror(errno)))")
            }
            let owner = (try? String(contentsOfFile: path, encoding: .utf8))
                .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            if let owner, owner > 0, owner != getpid(), kill(owner, 0) == 0 || errno == EPERM {
                throw .writeFailed(file: directory.path,
                                   reason: "another coembed (pid \(owner)) is writing this folder; wait for it or remove \(path) if it is gone")
            }
            // The process that wrote the lock is gone (killed -9, crashed): the lock is stale.
            unlink(path)
        }
        throw .writeFailed(file: directory.path, reason: "cannot take the lock file \(Self.fileName) (it keeps reappearing)")
    }

    /// Removes the lock file (also done on deinit).
    public func release() {
        guard held else { return }
        held = false
        unlink(path)
        LiveTemporaries.unregister(path)
    }

    deinit { release() }
}

/// File-system errors as one line naming the path and the reason, instead of Foundation's
/// `NSCocoaErrorDomain Code=516 …` text.
public enum FileErrors {
    public static func translate(_ error: Error, path: String) -> Error {
        if error is DataIOError { return error }
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return DataIOError.writeFailed(file: path, reason: String(cString: strerror(Int32(underlying.code))))
        }
        if ns.domain == NSPOSIXErrorDomain { return DataIOError.writeFailed(file: path, reason: String(cString: strerror(Int32(ns.code)))) }
        if ns.domain == NSCocoaErrorDomain {
            switch ns.code {
            case NSFileWriteFileExistsError: return DataIOError.writeFailed(file: path, reason: "a file is in the way (a folder was expected)")
            case NSFileWriteNoPermissionError, NSFileReadNoPermissionError: return DataIOError.writeFailed(file: path, reason: "permission denied")
            case NSFileWriteOutOfSpaceError: return DataIOError.writeFailed(file: path, reason: "no space left on device")
            case NSFileNoSuchFileError, NSFileReadNoSuchFileError: return DataIOError.writeFailed(file: path, reason: "no such file or folder")
            case NSFileWriteVolumeReadOnlyError: return DataIOError.writeFailed(file: path, reason: "read-only file system")
            default: break
            }
        }
        return error
    }

    /// Creates `url` (and its parents) as a folder; one clear line when that fails, including
    /// when a file of that name is in the way.
    public static func createDirectory(_ url: URL) throws(DataIOError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw .writeFailed(file: url.path, reason: "it is a file, not a folder") }
            return
        }
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            // A parent that is a file gives ENOTDIR / "file exists" deep inside Foundation.
            var parent = url.deletingLastPathComponent()
            while parent.path != "/" && !parent.path.isEmpty {
                var dir: ObjCBool = false
                if FileManager.default.fileExists(atPath: parent.path, isDirectory: &dir) {
                    if !dir.boolValue { throw .writeFailed(file: url.path, reason: "\(parent.path) is a file, not a folder") }
                    break
                }
                parent = parent.deletingLastPathComponent()
            }
            if let translated = translate(error, path: url.path) as? DataIOError { throw translated }
            throw .writeFailed(file: url.path, reason: "cannot create the folder")
        }
    }
}
