import Foundation

#if canImport(Glibc)
import Glibc
#endif

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
