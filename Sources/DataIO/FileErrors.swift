import Foundation

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
