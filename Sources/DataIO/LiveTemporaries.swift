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
