import Foundation
import Testing
import LinearAlgebra
import TestSupport
@testable import DataIO

/// `NPY.layout` + `NPY.readRows` (a block of rows without the rest of the file): the rows equal
/// those of `NPY.read` in every layout, and every malformed file gives `NPY.read`'s error.
@Suite struct NPYRowsTests {
    /// 5 × 3, entries 10·i + j (exact in float32 too).
    let rows = 5, columns = 3
    func value(_ i: Int, _ j: Int) -> Double { Double(10 * i + j) + 0.5 }

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func blocksOfRowsEqualTheWholeRead(fortran: Bool, f4: Bool) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let values = fortran ? (0..<columns).flatMap { j in (0..<rows).map { value($0, j) } }
                             : (0..<rows).flatMap { i in (0..<columns).map { value(i, $0) } }
        let header = "{'descr': '\(f4 ? "<f4" : "<f8")', 'fortran_order': \(fortran ? "True" : "False"), 'shape': (\(rows), \(columns)), }\n"
        let url = try dir.write(bytes: npyBytes(version: 1, header: header, f4: f4, values: values), to: "v.npy")
        let whole = try NPY.read(url)
        let layout = try NPY.layout(of: url)
        #expect(layout.rows == rows && layout.columns == columns && layout.fortranOrder == fortran && layout.width == (f4 ? 4 : 8))
        for block in [0..<5, 0..<2, 2..<5, 3..<4, 4..<4] {
            let part = try NPY.readRows(url, layout: layout, rows: block)
            #expect(part.rows == block.count && part.columns == columns)
            for (k, i) in block.enumerated() {
                for j in 0..<columns { #expect(part[k, j] == whole[i, j] && part[k, j] == value(i, j)) }
            }
        }
    }

    @Test func malformedFilesGiveTheWholeReadsError() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let full = npyBytes(version: 1, header: "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }\n", values: [1, 2, 3, 4])
        let files: [[UInt8]] = [
            Array(full.dropLast(5)), Array(full.prefix(30)), Array("hello, world".utf8), full + [0], Array(full.prefix(5)),
            npyBytes(version: 1, header: "{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }\n", values: [0]),
            npyBytes(version: 1, header: "{'descr': '<f8', 'fortran_order': Maybe, 'shape': (1,), }\n", values: [0]),
            npyBytes(version: 1, header: "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1, 1), }\n", values: [0]),
            [0x93] + Array("NUMPY".utf8) + [7, 0, 0, 0],
        ]
        for (k, bytes) in files.enumerated() {
            let url = try dir.write(bytes: bytes, to: "bad\(k).npy")
            let expected = dataIOError { try NPY.read(url) }
            #expect(expected != nil)
            #expect(dataIOError { _ = try NPY.layout(of: url) } == expected, "file \(k)")
        }
        #expect(dataIOError { _ = try NPY.layout(of: dir.file("missing.npy")) } == dataIOError { try NPY.read(dir.file("missing.npy")) })
    }
}
