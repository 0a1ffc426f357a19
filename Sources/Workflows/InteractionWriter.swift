import Foundation
import LinearAlgebra
import DataIO
import Solvers

public enum InteractionWriter {
    /// Writes S in `format` to `url` atomically.
    public static func write(_ s: SparseMatrix, format: InteractionFileFormat, to url: URL) throws {
        switch format {
        case .ratingsCSV: try writeRatingsCSV(s, to: url)
        }
    }

    /// Timestamp of the first like; later likes count up by one second in (user, item) order.
    public static let firstTimestamp = 1_500_000_000

    /// MovieLens ratings: user u → userId u + 1, item i → movieId i + 1, rating 5.0 (a like under
    /// the default threshold 4), one line per stored entry of S.
    public static func writeRatingsCSV(_ s: SparseMatrix, to url: URL) throws {
        try AtomicFile.write(to: url) { out in
            out.write("userId,movieId,rating,timestamp\n")
            var line = [UInt8]()
            line.reserveCapacity(64)
            var stamp = firstTimestamp
            for u in 0..<s.rows {
                for k in s.rowPointers[u]..<s.rowPointers[u + 1] {
                    line.removeAll(keepingCapacity: true)
                    appendDecimal(u + 1, to: &line)
                    line.append(UInt8(ascii: ","))
                    appendDecimal(Int(s.columnIndices[k]) + 1, to: &line)
                    line.append(contentsOf: ",5.0,".utf8)
                    appendDecimal(stamp, to: &line)
                    line.append(UInt8(ascii: "\n"))
                    out.write(line)
                    stamp += 1
                }
            }
        }
    }

    static func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        precondition(value >= 0)
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                      UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = value, count = 0
        withUnsafeMutableBytes(of: &digits) { d in
            repeat {
                d[count] = UInt8(ascii: "0") + UInt8(n % 10)
                n /= 10
                count += 1
            } while n > 0
            for i in stride(from: count - 1, through: 0, by: -1) { out.append(d[i]) }
        }
    }
}
