import Foundation
import LinearAlgebra
import DataIO
import Solvers
import Workflows
import Distributed

/// One `.npy` written by all ranks: rank 0 writes the header and sizes the file, each rank writes
/// its block of rows at its offset with pwrite (rows are contiguous in C order), rank 0 renames
/// the finished file into place. A reader never sees a partial file.
enum DistributedNPY {
    /// `v` holds rows firstRow ..< firstRow + v.rows of the embedding (all of them when replicated).
    static func write(_ v: Matrix, firstRow: Int = 0, rows block: Range<Int>, itemCount: Int, to url: URL, comm: any Communicator) throws {
        let header = NPY.header(rows: itemCount, columns: v.columns)
        let partial = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial")
        let rowBytes = v.columns * 8
        try DistributedSolve.agreed(nil, comm: comm) {
            guard comm.rank == 0 else { return }
            let fd = open(partial.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            guard fd >= 0 else { throw CLIError("cannot create \(partial.path): \(String(cString: strerror(errno)))") }
            defer { close(fd) }
            try positionedWrite(fd, header, at: 0, path: partial.path)
            guard ftruncate(fd, off_t(header.count + itemCount * rowBytes)) == 0 else {
                throw CLIError("cannot size \(partial.path): \(String(cString: strerror(errno)))")
            }
        }
        try DistributedSolve.agreed(nil, comm: comm) {
            guard !block.isEmpty else { return }
            var bytes = [UInt8](repeating: 0, count: block.count * rowBytes)
            bytes.withUnsafeMutableBytes { raw in
                var k = 0
                for i in block { for j in 0..<v.columns { raw.storeBytes(of: v[i - firstRow, j].bitPattern.littleEndian, toByteOffset: 8 * k, as: UInt64.self); k += 1 } }
            }
            let fd = open(partial.path, O_WRONLY)
            guard fd >= 0 else { throw CLIError("cannot open \(partial.path): \(String(cString: strerror(errno)))") }
            defer { close(fd) }
            try positionedWrite(fd, bytes, at: header.count + block.lowerBound * rowBytes, path: partial.path)
            guard fsync(fd) == 0 else { throw CLIError("cannot flush \(partial.path): \(String(cString: strerror(errno)))") }
        }
        try DistributedSolve.agreed(nil, comm: comm) {
            guard comm.rank == 0 else { return }
            guard rename(partial.path, url.path) == 0 else {
                throw CLIError("cannot rename \(partial.path) to \(url.path): \(String(cString: strerror(errno)))")
            }
        }
    }

    private static func positionedWrite(_ fd: Int32, _ bytes: [UInt8], at offset: Int, path: String) throws {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress! + done, bytes.count - done, off_t(offset + done)) }
            guard n > 0 else { throw CLIError("cannot write \(path): \(String(cString: strerror(errno)))") }
            done += n
        }
    }
}
