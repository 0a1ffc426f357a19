import Foundation
import Testing
import LinearAlgebra
import TestSupport
@testable import DataIO

/// S from SciPy-written `.npz` and `.mtx` files (Fixtures/make_fixtures.py), and the writer.
@Suite struct SparseNPZTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static func fixture(_ name: String) -> URL { fixtures.appendingPathComponent(name) }

    /// The counts matrix of make_fixtures.py, and its like pattern.
    static let counts = Matrix([[1, 0, 2, 0, 0], [0, 0, 0, 0, 0], [0, 3, 0, 0, 1], [1, 1, 0, 0, 0]])
    static let likes = Matrix([[1, 0, 1, 0, 0], [0, 0, 0, 0, 0], [0, 1, 0, 0, 1], [1, 1, 0, 0, 0]])

    @Test(arguments: ["counts_csr.npz", "counts_csc.npz", "counts_coo.npz", "counts_coo_array.npz"])
    func readsEveryScipyFormatWithItsValues(name: String) throws {
        let m = try SparseNPZ.read(Self.fixture(name))
        #expect(m.dense == Self.counts)
    }

    @Test(arguments: ["counts_csr.npz", "counts_csc.npz", "counts_coo.npz", "likes_bool_int64.npz", "counts.mtx"])
    func interactionsAreTheLikePattern(name: String) throws {
        let s = try InteractionFile.load(Self.fixture(name))
        #expect(s.matrix.dense == Self.likes)
        #expect(s.userCount == 4 && s.itemCount == 5 && s.likeCount == 6)
        #expect(s.itemIDs == (name.hasSuffix(".mtx") ? [1, 2, 3, 4, 5] : [0, 1, 2, 3, 4]))
    }

    @Test func ratingsNeedAThresholdAndApplyIt() throws {
        let url = Self.fixture("ratings_csr.npz")
        expectInvalid(url, "data[0]: interaction count 4.5 is not a non-negative integer") { try InteractionFile.load(url) }
        let s = try InteractionFile.load(url, likeThreshold: 4)
        #expect(s.matrix.dense == Matrix([[1, 0, 0, 0], [0, 1, 0, 0], [1, 0, 0, 0]]))
        #expect(s.likeThreshold == 4 && s.ratingCount == 6)
    }

    @Test func compressedRandomMatrixMatchesTheMatrixMarketCopy() throws {
        let npz = try SparseNPZ.read(Self.fixture("random_csr.npz"))
        let mtx = try MatrixMarket.read(Self.fixture("random.mtx"))
        #expect(npz.rows == 300 && npz.columns == 200 && npz.nonzeroCount == 3000)
        #expect(npz == mtx)
    }

    @Test func writerRoundTripsAndScipyReadsIt() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var rng = SplitMix64(seed: 3)
        let s = try RandomProblems.binarySparse(rows: 40, columns: 30, density: 0.2, using: &rng)
        let url = dir.file("s.npz")
        try SparseNPZ.write(s, to: url)
        #expect(try SparseNPZ.read(url) == s)
        #expect(try InteractionFile.load(url).matrix == s)
        // SciPy itself, when this machine has it (the project's fixtures were made with 1.17).
        let python = URL(fileURLWithPath: "/usr/bin/python3")
        guard FileManager.default.isExecutableFile(atPath: python.path) else { return }
        let check = Process()
        check.executableURL = python
        check.arguments = ["-c", """
            import sys
            try:
                import scipy.sparse as sp
            except ImportError:
                sys.exit(3)
            m = sp.load_npz(sys.argv[1])
            print(m.format, m.shape[0], m.shape[1], m.nnz, int(m.sum()), m.indices.sum() + m.indptr.sum())
            """, url.path]
        let pipe = Pipe()
        check.standardOutput = pipe
        try check.run()
        check.waitUntilExit()
        guard check.terminationStatus != 3 else { return }
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let indexSum = s.columnIndices.reduce(0) { $0 + Int($1) } + s.rowPointers.reduce(0, +)
        #expect(out.trimmingCharacters(in: .whitespacesAndNewlines) == "csr 40 30 \(s.nonzeroCount) \(s.nonzeroCount) \(indexSum)")
    }

    @Test func damagedArchivesAreRefusedWithTheirProblem() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var bytes = Array(try Data(contentsOf: Self.fixture("counts_csc.npz")))
        let notZip = try dir.write("hello", to: "a.npz")
        #expect(dataIOError { try SparseNPZ.read(notZip) }?.description.contains("not a zip") == true)
        // Flip a byte inside the first member's deflated data: inflate or the CRC check fails.
        bytes[100] ^= 0xFF
        let damaged = dir.file("b.npz")
        try Data(bytes).write(to: damaged)
        let problem = dataIOError { try SparseNPZ.read(damaged) }?.description ?? ""
        #expect(problem.contains("CRC-32") || problem.contains("inflate"), "\(problem)")
        let truncated = dir.file("c.npz")
        try Data(Array(try Data(contentsOf: Self.fixture("counts_csr.npz")).prefix(700))).write(to: truncated)
        #expect(dataIOError { try SparseNPZ.read(truncated) } != nil)
        let wrongExtension = try dir.write("x", to: "s.csv")
        expectInvalid(wrongExtension, ".npz or Matrix Market") { try InteractionFile.load(wrongExtension) }
    }

    @Test func outOfShapeIndexIsNamed() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let bad = SparseMatrixBytes.csr(rows: 2, columns: 2, indptr: [0, 1, 2], indices: [0, 5], data: [1, 1])
        let url = dir.file("bad.npz")
        try Data(bad).write(to: url)
        expectInvalid(url, "entry 1 at (1, 5) lies outside the shape 2×2") { try SparseNPZ.read(url) }
    }
}

/// Hand-made `.npz` bytes for malformed inputs SciPy would not write.
enum SparseMatrixBytes {
    static func csr(rows: Int, columns: Int, indptr: [Int32], indices: [Int32], data: [Double]) -> [UInt8] {
        func raw<T>(_ values: [T]) -> [UInt8] { values.withUnsafeBytes { Array($0) } }
        return ZipArchive.storedArchive([
            ("indices.npy", NPYArray.encode(descr: "<i4", shape: [indices.count], data: raw(indices))),
            ("indptr.npy", NPYArray.encode(descr: "<i4", shape: [indptr.count], data: raw(indptr))),
            ("format.npy", NPYArray.encode(descr: "|S3", shape: [], data: Array("csr".utf8))),
            ("shape.npy", NPYArray.encode(descr: "<i8", shape: [2], data: raw([Int64(rows), Int64(columns)]))),
            ("data.npy", NPYArray.encode(descr: "<f8", shape: [data.count], data: raw(data))),
        ])
    }
}
