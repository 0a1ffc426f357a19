import Foundation
import Testing
import LinearAlgebra
import TestSupport
@testable import DataIO

@Suite struct CooccurrenceFileTests {
    @Test func dispatchesOnExtension() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let x = Matrix([[2, 1, 0], [1, 3, 4], [0, 4, 5]])
        let npy = dir.file("x.npy")
        try NPY.write(x, to: npy)
        #expect(try CooccurrenceFile.load(npy) == .dense(x))
        let csv = dir.file("x.CSV")
        try DenseMatrixCSV.write(x, to: csv)
        #expect(try CooccurrenceFile.load(csv) == .dense(x))
        let mtx = try dir.write("%%MatrixMarket matrix coordinate real symmetric\n3 3 5\n1 1 2\n2 1 1\n2 2 3\n3 2 4\n3 3 5\n", to: "x.mtx")
        let loaded = try CooccurrenceFile.load(mtx)
        guard case let .sparse(s) = loaded else { Issue.record("expected sparse"); return }
        #expect(s.dense == x)
        #expect(loaded.dimension == 3)
        let array = dir.file("a.mtx")
        try MatrixMarket.write(x, to: array)
        #expect(try CooccurrenceFile.load(array) == .dense(x))
        let other = try dir.write("1", to: "x.txt")
        expectInvalid(other, "unknown extension '.txt'") { try CooccurrenceFile.load(other) }
    }

    @Test func rejectsNonSquareAsymmetricNonFiniteAndEmpty() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let rect = dir.file("rect.npy")
        try NPY.write(Matrix([[1, 2, 3], [2, 1, 3]]), to: rect)
        expectInvalid(rect, "must be square, found 2×3") { try CooccurrenceFile.load(rect) }

        let asym = try dir.write("1,2\n2.5,1\n", to: "asym.csv")
        expectInvalid(asym, "not symmetric: |x(1,2) − x(2,1)| = 0.5 exceeds the tolerance 1e-09") { try CooccurrenceFile.load(asym) }
        // Within tolerance relative to the largest entry: accepted.
        let near = try dir.write("1e6,2\n2.0000001,1\n", to: "near.csv")
        #expect(throws: Never.self) { try CooccurrenceFile.load(near) }
        #expect(dataIOError { try CooccurrenceFile.load(near, symmetryTolerance: 1e-15) } != nil)

        let sparseAsym = try dir.write("%%MatrixMarket matrix coordinate real general\n2 2 1\n1 2 3\n", to: "sa.mtx")
        expectInvalid(sparseAsym, "|x(1,2) − x(2,1)| = 3.0") { try CooccurrenceFile.load(sparseAsym) }

        let nan = try dir.write("1,nan\nnan,1\n", to: "nan.csv")
        expectInvalid(nan, "entry (2, 1) is nan; all entries must be finite") { try CooccurrenceFile.load(nan) }
        let inf = try dir.write("%%MatrixMarket matrix coordinate real symmetric\n2 2 1\n2 2 inf\n", to: "inf.mtx")
        expectInvalid(inf, "entry (2, 2) is inf") { try CooccurrenceFile.load(inf) }

        let emptyNPY = dir.file("e.npy")
        try NPY.write(Matrix(rows: 0, columns: 0), to: emptyNPY)
        expectInvalid(emptyNPY, "empty") { try CooccurrenceFile.load(emptyNPY) }
        let emptyMTX = try dir.write("%%MatrixMarket matrix coordinate real general\n0 0 0\n", to: "e.mtx")
        expectInvalid(emptyMTX, "empty") { try CooccurrenceFile.load(emptyMTX) }
    }
}

@Suite struct InteractionFileTests {
    @Test func readsCountsClipsAndAssignsIDs() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let url = try dir.write("%%MatrixMarket matrix coordinate integer general\n2 3 4\n1 1 1\n1 3 5\n2 2 0\n1 3 1\n", to: "s.mtx")
        let s = try InteractionFile.load(url)
        #expect(s.matrix.dense == Matrix([[1, 0, 1], [0, 0, 0]]))
        #expect(s.userIDs == [1, 2] && s.itemIDs == [1, 2, 3])
        #expect(s.ratingCount == 4)
        #expect(s.titles == nil)
        let real = try dir.write("%%MatrixMarket matrix coordinate real general\n1 2 1\n1 2 2.0\n", to: "r.mtx")
        #expect(try InteractionFile.load(real).matrix.dense == Matrix([[0, 1]]))
        let pattern = try dir.write("%%MatrixMarket matrix coordinate pattern general\n1 2 1\n1 2\n", to: "p.mtx")
        #expect(try InteractionFile.load(pattern).likeCount == 1)
    }

    @Test func rejectsNegativeAndFractionalCounts() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let negative = try dir.write("%%MatrixMarket matrix coordinate integer general\n2 2 2\n1 1 1\n2 2 -1\n", to: "n.mtx")
        expectMalformed(negative, line: 4, "count -1.0 is not a non-negative integer") { try InteractionFile.load(negative) }
        let fraction = try dir.write("%%MatrixMarket matrix coordinate real general\n2 2 1\n% c\n1 2 0.5\n", to: "f.mtx")
        expectMalformed(fraction, line: 4, "count 0.5") { try InteractionFile.load(fraction) }
        let array = try dir.write("%%MatrixMarket matrix array real general\n1 1\n1\n", to: "a.mtx")
        expectInvalid(array, "coordinate") { try InteractionFile.load(array) }
    }
}
