import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Crash-safe file replacement: data goes to a uniquely named temporary file in the target's
/// folder, is flushed to disk with `fsync`, then `rename(2)`d over the target. Readers see the
/// old file or the complete new one, never a torn write; on any failure the temporary file is
/// removed and an existing target is left byte-for-byte untouched.
public enum AtomicFile {
    /// Writes `data` to `url` atomically.
    public static func write(_ data: Data, to url: URL) throws(DataIOError) {
        try write(Array(data), to: url)
    }

    /// Writes `bytes` to `url` atomically.
    public static func write(_ bytes: [UInt8], to url: URL) throws(DataIOError) {
        do {
            try write(to: url) { out in out.write(bytes) }
        } catch let error as DataIOError {
            throw error
        } catch {
            throw .writeFailed(file: url.path, reason: "\(error)")
        }
    }

    /// Streams the new contents through `body`, then atomically replaces `url`. If `body`
    /// throws, its error is rethrown unchanged after the temporary file is removed; I/O
    /// failures throw `DataIOError.writeFailed`.
    public static func write(to url: URL, _ body: (inout Writer) throws -> Void) throws {
        let target = url.path
        let directory = url.deletingLastPathComponent().path
        let name = url.lastPathComponent
        var tempPath = ""
        var fd: Int32 = -1
        for _ in 0..<16 {
            let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 16)
            tempPath = (directory as NSString).appendingPathComponent(".\(name).tmp-\(getpid())-\(suffix)")
            fd = open(tempPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if fd >= 0 || errno != EEXIST { break }
        }
        guard fd >= 0 else {
            throw DataIOError.writeFailed(file: target, reason: "cannot create a temporary file in \(directory): \(String(cString: strerror(errno)))")
        }
        var writer = Writer(fd: fd, file: target)
        var committed = false
        LiveTemporaries.register(tempPath) // removed by an interrupt's clean-up if it comes first
        defer {
            if writer.fd >= 0 { close(writer.fd) }
            if !committed { unlink(tempPath) }
            LiveTemporaries.unregister(tempPath)
        }
        // Keep the permissions of the file being replaced.
        var st = stat()
        if stat(target, &st) == 0 { _ = fchmod(fd, st.st_mode & 0o7777) }

        try body(&writer)
        try writer.flush()
        guard fsync(fd) == 0 else { throw writer.failure("fsync") }
        let closeResult = close(fd)
        writer.fd = -1
        guard closeResult == 0 else { throw writer.failure("close") }
        guard rename(tempPath, target) == 0 else { throw writer.failure("rename") }
        committed = true
        // Persist the directory entry too; failure here cannot undo the rename, so it is ignored.
        let dirFD = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirFD >= 0 {
            _ = fsync(dirFD)
            close(dirFD)
        }
    }

    /// A buffered writer handed to the streaming `write(to:_:)` body. Bytes are queued and
    /// flushed in large blocks; the first I/O error is remembered and thrown when the body
    /// returns, so the body itself need not handle errors for every small write.
    public struct Writer {
        fileprivate var fd: Int32
        fileprivate let file: String
        private var buffer: [UInt8] = []
        private var error: DataIOError?
        private static let blockSize = 1 << 16

        fileprivate init(fd: Int32, file: String) {
            self.fd = fd
            self.file = file
            buffer.reserveCapacity(Self.blockSize * 2)
        }

        /// Appends raw bytes.
        public mutating func write<Bytes: Sequence<UInt8>>(_ bytes: Bytes) {
            guard error == nil else { return }  // the file is already lost; don't grow the buffer
            buffer.append(contentsOf: bytes)
            if buffer.count >= Self.blockSize { try? flush() }
        }

        /// Appends `text` as UTF-8.
        public mutating func write(_ text: String) {
            write(text.utf8)
        }

        /// Appends `data`.
        public mutating func write(_ data: Data) {
            guard error == nil else { return }
            buffer.append(contentsOf: data)
            if buffer.count >= Self.blockSize { try? flush() }
        }

        fileprivate func failure(_ call: String) -> DataIOError {
            .writeFailed(file: file, reason: "\(call): \(String(cString: strerror(errno)))")
        }

        /// Sends buffered bytes to the file (also done automatically as the buffer fills).
        public mutating func flush() throws(DataIOError) {
            if let error { throw error }
            var offset = 0
            let result: DataIOError? = buffer.withUnsafeBytes { raw in
                while offset < raw.count {
                    let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                    if n < 0 {
                        if errno == EINTR { continue }
                        return failure("write")
                    }
                    offset += n
                }
                return nil
            }
            buffer.removeAll(keepingCapacity: true)
            if let result {
                error = result
                throw result
            }
        }
    }
}
