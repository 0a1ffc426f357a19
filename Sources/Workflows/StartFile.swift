import Foundation
import LinearAlgebra
import DataIO

/// Reads a starting embedding (`--init file.npy`) for `RegisteredMethod.run`'s `readStart`; the
/// run checks its shape and finiteness against the problem.
public enum StartFile {
    public static func read(_ url: URL) throws -> Matrix { try NPY.read(url) }
}
