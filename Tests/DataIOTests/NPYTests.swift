import Foundation
import Testing
import LinearAlgebra
import TestSupport
@testable import DataIO

/// Builds an .npy file by hand (independently of NPY.encode).
func npyBytes(version: UInt8, header: String, f4: Bool = false, values: [Double]) -> [UInt8] {
    var out: [UInt8] = [0x93] + Array("NUMPY".utf8) + [version, 0]
    let h = Array(header.utf8)
    if version == 1 {
        out += [UInt8(h.count & 0xFF), UInt8(h.count >> 8)]
    } else {
        out += [UInt8(h.count & 0xFF), UInt8((h.count >> 8) & 0xFF), 0, 0]
    }
    out += h
    for v in values {
        if f4 {
            withUnsafeBytes(of: Float(v).bitPattern.littleEndian) { out += $0 }
        } else {
            withUnsafeBytes(of: v.bitPattern.littleEndian) { out += $0 }
        }
    }
    return out
}

@Suite struct NPYTests {
    let m = Matrix([[1, 2, 3], [4, 5, 6.5]])

    @Test(arguments: [UInt8(1), 2, 3])
    func readsHandWrittenVersions(version: UInt8) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        // C order, odd spacing, double quotes, trailing commas.
        let c = try dir.write(bytes: npyBytes(version: version, header: "{ \"descr\":'<f8' ,'fortran_order' :False,'shape':( 2 ,3 ,) , }   \n",
                                              values: [1, 2, 3, 4, 5, 6.5]), to: "c.npy")
        #expect(try NPY.read(c) == m)
        // Fortran order: column-major data.
        let f = try dir.write(bytes: npyBytes(version: version, header: "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3)}\n",
                                              values: [1, 4, 2, 5, 3, 6.5]), to: "f.npy")
        #expect(try NPY.read(f) == m)
        // float32, both orders.
        let c4 = try dir.write(bytes: npyBytes(version: version, header: "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }\n",
                                               f4: true, values: [1, 2, 3, 4, 5, 6.5]), to: "c4.npy")
        #expect(try NPY.read(c4) == m)
        let f4 = try dir.write(bytes: npyBytes(version: version, header: "{'fortran_order': True, 'shape': (2, 3), 'descr': '<f4'}\n",
                                               f4: true, values: [1, 4, 2, 5, 3, 6.5]), to: "f4.npy")
        #expect(try NPY.read(f4) == m)
        // 1-D → column.
        let v = try dir.write(bytes: npyBytes(version: version, header: "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }\n",
                                              values: [7, 8, 9]), to: "v.npy")
        #expect(try NPY.read(v) == Matrix([[7], [8], [9]]))
    }

    @Test func writerMatchesNumpyLayoutAndRoundTrips() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let x = Matrix(rows: 5, columns: 4) { i, j in Double(i) * 0.1 - Double(j) / 3 + (i == j ? .pi : 0) }
        let url = dir.file("x.npy")
        try NPY.write(x, to: url)
        let bytes = Array(try Data(contentsOf: url))
        #expect(Array(bytes[0..<8]) == [0x93] + Array("NUMPY".utf8) + [1, 0])
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        #expect((10 + headerLength) % 64 == 0)
        #expect(bytes[10 + headerLength - 1] == 10)
        let header = String(decoding: bytes[10..<(10 + headerLength)], as: UTF8.self)
        #expect(header.hasPrefix("{'descr': '<f8', 'fortran_order': False, 'shape': (5, 4), }"))
        #expect(bytes.count == 10 + headerLength + 8 * 20)
        // C order: second value is x[0, 1].
        let second = bytes[(10 + headerLength + 8)..<(10 + headerLength + 16)].withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        #expect(Double(bitPattern: UInt64(littleEndian: second)) == x[0, 1])
        let back = try NPY.read(url)
        #expect(back.rows == 5 && back.columns == 4)
        #expect(bitwiseEqual(back.storage, x.storage))
        try NPY.write(Matrix(rows: 0, columns: 3), to: url)
        #expect(try NPY.read(url) == Matrix(rows: 0, columns: 3))
    }

    @Test func rejectsUnsupportedDtypesWithReason() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        for (descr, reason) in [(">f8", "big-endian"), ("<i8", "integer"), ("<f2", "only 4- and 8-byte"), ("<c16", "complex")] {
            let url = try dir.write(bytes: npyBytes(version: 1, header: "{'descr': '\(descr)', 'fortran_order': False, 'shape': (1,), }\n", values: [0]), to: "d.npy")
            let error = dataIOError { try NPY.read(url) }
            guard case let .malformedBinary(file, _, problem)? = error else { Issue.record("\(String(describing: error))"); continue }
            #expect(file == url.path)
            #expect(problem.contains(reason) && problem.contains(descr), "\(problem)")
        }
        let three = try dir.write(bytes: npyBytes(version: 1, header: "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1, 1), }\n", values: [0]), to: "t.npy")
        #expect(dataIOError { try NPY.read(three) }?.description.contains("3 dimensions") == true)
    }

    @Test func truncatedAndMalformedFilesReportByteOffsets() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let full = npyBytes(version: 1, header: "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }\n", values: [1, 2, 3, 4])
        let truncated = try dir.write(bytes: Array(full.dropLast(5)), to: "t.npy")
        let error = dataIOError { try NPY.read(truncated) }
        guard case let .malformedBinary(file, offset, problem)? = error else { Issue.record("\(String(describing: error))"); return }
        #expect(file == truncated.path)
        #expect(offset == full.count - 5)
        #expect(problem.contains("truncated data"))

        let shortHeader = try dir.write(bytes: Array(full.prefix(30)), to: "h.npy")
        #expect(dataIOError { try NPY.read(shortHeader) } == .malformedBinary(file: shortHeader.path, offset: 30,
            problem: "truncated header: declares \(Int(full[8]) | Int(full[9]) << 8) bytes but the file ends after 20"))
        let notNPY = try dir.write("hello, world", to: "n.npy")
        if case let .malformedBinary(_, offset, _)? = dataIOError({ try NPY.read(notNPY) }) { #expect(offset == 0) } else { Issue.record("magic") }
        let badDict = try dir.write(bytes: npyBytes(version: 1, header: "{'descr': '<f8', 'fortran_order': Maybe, 'shape': (1,), }\n", values: [0]), to: "b.npy")
        if case let .malformedBinary(_, offset, problem)? = dataIOError({ try NPY.read(badDict) }) {
            #expect(offset == 10 + 34)
            #expect(problem.contains("unsupported value"))
        } else { Issue.record("dict") }
        let extra = try dir.write(bytes: full + [0], to: "e.npy")
        if case let .malformedBinary(_, offset, _)? = dataIOError({ try NPY.read(extra) }) { #expect(offset == full.count) } else { Issue.record("extra") }
    }
}
