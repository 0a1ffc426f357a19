import Foundation
import Testing
import LinearAlgebra
import TestSupport
@testable import DataIO

@Suite struct MatrixMarketTests {
    @Test func roundTripGeneralAndSymmetric() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let a = try SparseMatrix(rows: 3, columns: 4, triplets: [(0, 1, 0.1), (2, 3, -1e-300), (1, 0, 1.0 / 3), (2, 0, 7)])
        let url = dir.file("a.mtx")
        try MatrixMarket.write(a, to: url)
        let back = try MatrixMarket.read(url)
        #expect(back.rowPointers == a.rowPointers && back.columnIndices == a.columnIndices)
        #expect(bitwiseEqual(back.values, a.values))
        #expect(try String(contentsOf: url, encoding: .utf8).hasPrefix("%%MatrixMarket matrix coordinate real general\n3 4 4\n"))

        let s = try SparseMatrix(rows: 3, columns: 3, triplets: [(0, 0, 2), (0, 2, 0.5), (2, 0, 0.5), (1, 1, 3)])
        try MatrixMarket.write(s, to: url, symmetric: true)
        #expect(try String(contentsOf: url, encoding: .utf8).contains("3 3 3\n"))
        #expect(try MatrixMarket.read(url) == s)
        expectInvalid(url, "non-symmetric") { try MatrixMarket.write(a, to: url, symmetric: true) }
    }

    @Test func symmetricExpansionCommentsPatternAndCRLF() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let url = try dir.write("""
            %%MatrixMarket Matrix Coordinate Integer Symmetric\r
            % a comment\r
            %\r
            3 3 4\r
            1 1 5\r
            2 1 -2\r
            \r
            3 2   7\r
            3\t3\t1
            """, to: "s.mtx")
        let m = try MatrixMarket.read(url)
        #expect(m.dense == Matrix([[5, -2, 0], [-2, 0, 7], [0, 7, 1]]))
        #expect(m.nonzeroCount == 6)  // diagonal entries stored once

        let pattern = try dir.write("%%MatrixMarket matrix coordinate pattern general\n2 3 2\n1 3\n2 1\n", to: "p.mtx")
        #expect(try MatrixMarket.read(pattern).dense == Matrix([[0, 0, 1], [1, 0, 0]]))
    }

    @Test func arrayFormat() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let general = try dir.write("%%MatrixMarket matrix array real general\n% c\n2 3\n1\n2\n3\n4\n5\n6\n", to: "g.mtx")
        #expect(try MatrixMarket.readArray(general) == Matrix([[1, 3, 5], [2, 4, 6]]))
        let symmetric = try dir.write("%%MatrixMarket matrix array real symmetric\n2 2\n1\n2\n3\n", to: "s.mtx")
        #expect(try MatrixMarket.readArray(symmetric) == Matrix([[1, 2], [2, 3]]))
        let x = Matrix([[0.1, -2], [1e300, .leastNonzeroMagnitude]])
        let url = dir.file("w.mtx")
        try MatrixMarket.write(x, to: url)
        #expect(bitwiseEqual(try MatrixMarket.readArray(url).storage, x.storage))
        expectInvalid(url, "readArray") { try MatrixMarket.read(url) }
        expectMalformed(general, line: 10, "more values") {
            try Data("%%MatrixMarket matrix array real general\n% c\n2 3\n1\n2\n3\n4\n5\n6\n7\n".utf8).write(to: general)
            return try MatrixMarket.readArray(general)
        }
    }

    @Test(arguments: [
        ("%%MatrixMarket matrix coordinate real general\n2 2 1\n3 1 1.0\n", 3, "outside the 2×2"),
        ("%%MatrixMarket matrix coordinate real general\n2 2 1\n0 1 1.0\n", 3, "outside"),
        ("%%MatrixMarket matrix coordinate real general\n2 2 2\n1 1 1.0\n", 3, "file ends after 1 of the 2 entries"),
        ("%%MatrixMarket matrix coordinate real general\n2 2 1\n1 1 1.0\n2 2 2\n", 4, "more entries than the 1"),
        ("%%MatrixMarket matrix coordinate real general\n2 2 1\n1 1 x\n", 3, "\"x\" is not a number"),
        ("%%MatrixMarket matrix coordinate integer general\n2 2 1\n1 1 1.5\n", 3, "not an integer"),
        ("%%MatrixMarket matrix coordinate real general\n2 2 1\n1 1\n", 3, "expected 3 fields"),
        ("%%MatrixMarket matrix coordinate real general\n2 2\n", 2, "bad size line"),
        ("%%MatrixMarket matrix coordinate real symmetric\n2 2 1\n1 2 1\n", 3, "above the diagonal"),
        ("%%MatrixMarket matrix coordinate real symmetric\n2 3 0\n", 2, "must be square"),
        ("%%MatrixMarket matrix coordinate complex general\n1 1 0\n", 1, "complex"),
        ("%%MatrixMarket matrix coordinate real hermitian\n1 1 0\n", 1, "symmetry 'hermitian'"),
        ("%%MatrixMarket tensor coordinate real general\n1 1 0\n", 1, "bad header"),
        ("1 1 1\n1 1 1\n", 1, "bad header"),
    ])
    func errorsCarryLineNumbers(text: String, line: Int, fragment: String) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let url = try dir.write(text, to: "bad.mtx")
        expectMalformed(url, line: line, fragment) { try MatrixMarket.read(url) }
    }
}

@Suite struct DenseMatrixCSVTests {
    @Test func readsWithAndWithoutHeader() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let plain = try dir.write("1,2,3\r\n4, 5.5 ,-6e1\r\n", to: "p.csv")
        #expect(try DenseMatrixCSV.read(plain) == Matrix([[1, 2, 3], [4, 5.5, -60]]))
        let header = try dir.write("\"a, quoted\",b\n1,2\n3,4", to: "h.csv")
        #expect(try DenseMatrixCSV.read(header) == Matrix([[1, 2], [3, 4]]))
        let x = Matrix(rows: 3, columns: 2) { i, j in Double(i + 1) / Double(j + 7) }
        let url = dir.file("w.csv")
        try DenseMatrixCSV.write(x, to: url)
        #expect(bitwiseEqual(try DenseMatrixCSV.read(url).storage, x.storage))
    }

    @Test func errorsCarryLineNumbers() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ragged = try dir.write("x,y\n1,2\n3\n", to: "r.csv")
        expectMalformed(ragged, line: 3, "expected 2 fields like the first row, found 1") { try DenseMatrixCSV.read(ragged) }
        let word = try dir.write("1,2\n3,four\n", to: "w.csv")
        expectMalformed(word, line: 2, "field 2 \"four\" is not a number") { try DenseMatrixCSV.read(word) }
        let blank = try dir.write("1,2\n\n3,4\n", to: "b.csv")
        expectMalformed(blank, line: 2, "blank line") { try DenseMatrixCSV.read(blank) }
        let empty = try dir.write("a,b\n", to: "e.csv")
        expectInvalid(empty, "no data rows") { try DenseMatrixCSV.read(empty) }
    }
}
