import Foundation
import Testing
import LinearAlgebra
@testable import DataIO

/// A seeded mutation corpus run through every parser in-process: each mutant must give a valid
/// result or a `DataIOError`, never a crash, a hang or another kind of error. A crash takes the
/// whole test process down, which is the failure this suite exists to catch.
@Suite struct FuzzTests {
    /// Deterministic mutations of a seed input: bit flips, byte insertions and deletions, tokens
    /// that stress number parsing, duplicated and truncated lines.
    struct Mutator {
        var rng: SplitMix64

        init(state: UInt64) { rng = SplitMix64(seed: state) }

        mutating func next() -> UInt64 { rng.next() }

        mutating func below(_ n: Int) -> Int { n <= 0 ? 0 : Int(next() % UInt64(n)) }

        static let tokens: [[UInt8]] = [
            "\n", ",", "\r\n", "-", "e", "9", "\0", "%", " ", "\"", "1e309", "-1e309", "nan", "inf", "-0",
            "99999999999999999999", "2147483647", "4294967296", "-1", "0x1p3", "1.5", "", ",,,", "\u{FEFF}",
            "(", ")", "'", "<f8", "<f4", ">i8", "True", "fortran_order",
        ].map { Array($0.utf8) } + [[0xFF], [0xC3], [0x80, 0x80]]

        mutating func mutate(_ seed: [UInt8]) -> [UInt8] {
            var b = seed
            for _ in 0..<(1 + below(4)) {
                switch below(8) {
                case 0 where !b.isEmpty: // flip a bit
                    let i = below(b.count); b[i] ^= UInt8(1 << below(8))
                case 1 where !b.isEmpty: // delete a run
                    let i = below(b.count); b.removeSubrange(i..<min(b.count, i + 1 + below(6)))
                case 2: // insert a token
                    b.insert(contentsOf: Self.tokens[below(Self.tokens.count)], at: below(b.count + 1))
                case 3 where !b.isEmpty: // replace a byte by a token
                    let i = below(b.count); b.replaceSubrange(i...i, with: Self.tokens[below(Self.tokens.count)])
                case 4: // truncate
                    b.removeSubrange(below(b.count + 1)...)
                case 5 where !b.isEmpty: // duplicate a slice
                    let i = below(b.count), j = min(b.count, i + below(40))
                    b.insert(contentsOf: Array(b[i..<j]), at: below(b.count + 1))
                case 6 where !b.isEmpty: // a random byte
                    b[below(b.count)] = UInt8(truncatingIfNeeded: next())
                default: // replace a digit run by a huge or negative number
                    if let i = b.indices.shuffledStart(below(max(1, b.count))).first(where: { (48...57).contains(b[$0]) }) {
                        var j = i
                        while j < b.count, (48...57).contains(b[j]) { j += 1 }
                        b.replaceSubrange(i..<j, with: Self.tokens[[15, 16, 17, 18, 7].randomElement(using: &self)!])
                    }
                }
            }
            return b
        }
    }

    static let ratings = Array("""
        userId,movieId,rating,timestamp
        1,1,4.0,964982703
        1,3,4.0,964981247
        1,6,4.0,964982224
        2,1,5.0,964982931
        2,3,3.5,964983815
        3,6,4.5,964982400
        3,1,4.0,964982176

        """.utf8)
    static let mtx = Array("""
        %%MatrixMarket matrix coordinate real symmetric
        % a comment
        4 4 5
        1 1 2.5
        2 1 1
        3 2 -0.5
        4 4 1e-3
        4 3 7

        """.utf8)
    static let mtxArray = Array("""
        %%MatrixMarket matrix array real general
        2 2
        1
        2
        2
        1

        """.utf8)
    static let denseCSV = Array("a,b,c\n1,2,3\n2,5,6\n3,6,9.5\n".utf8)
    static let npy = NPY.encode(Matrix(rows: 3, columns: 2, rowMajor: [1, 2, 3, 4.5, -5, 6e10]))

    /// Runs `body` and accepts success or a DataIOError; records anything else.
    static func expectCleanOutcome<T>(_ what: String, _ index: Int, _ body: () throws -> T, check: (T) -> Bool = { _ in true }) {
        do {
            let value = try body()
            #expect(check(value), "\(what) mutant \(index): parsed into an invalid value")
        } catch is DataIOError {
        } catch {
            Issue.record("\(what) mutant \(index): threw \(type(of: error)) (\(error)) instead of a DataIOError")
        }
    }

    static func validMatrix(_ m: Matrix) -> Bool { m.rows >= 0 && m.columns >= 0 && m.storage.count == m.rows * m.columns }

    static func validSparse(_ s: SparseMatrix) -> Bool {
        s.rowPointers.count == s.rows + 1 && s.rowPointers.first == 0 && s.rowPointers.last == s.values.count
            && s.columnIndices.count == s.values.count && s.columnIndices.allSatisfy { Int($0) >= 0 && Int($0) < s.columns }
    }

    @Test func mutatedInputsGiveResultsOrTypedErrorsQuickly() {
        let clock = ContinuousClock()
        var mutator = Mutator(state: 0xC0E_BED)
        let perFormat = 800
        // Declared sizes in mutants are bounded by a small budget: a mutant declaring a huge
        // matrix must be refused, not allocated (and not slow the suite).
        let elapsed = clock.measure {
            MemoryLimit.$override.withValue(64 << 20) {
                for k in 0..<perFormat {
                    let bytes = mutator.mutate(Self.ratings)
                    Self.expectCleanOutcome("ratings", k, { try RatingsReader.read(bytes, file: "r.csv", layout: .movieLens, likeThreshold: 4) })
                }
                for k in 0..<perFormat {
                    let bytes = mutator.mutate(k % 4 == 0 ? Self.mtxArray : Self.mtx)
                    Self.expectCleanOutcome("mtx", k, { try MatrixMarket.parse(bytes, file: "x.mtx", value: { v, _ throws(DataIOError) in v }) }) { content in
                        switch content {
                        case let .dense(m): return Self.validMatrix(m)
                        case let .sparse(s): return Self.validSparse(s)
                        }
                    }
                }
                for k in 0..<perFormat {
                    let bytes = mutator.mutate(Self.denseCSV)
                    Self.expectCleanOutcome("dense csv", k, { try DenseMatrixCSV.parse(bytes, file: "x.csv") }, check: Self.validMatrix)
                }
                for k in 0..<perFormat {
                    let bytes = mutator.mutate(Self.npy)
                    Self.expectCleanOutcome("npy", k, { try NPY.decode(bytes, file: "x.npy") }, check: Self.validMatrix)
                }
            }
        }
        // Thousands of tiny parses: far below a second on an idle machine; the bound allows for
        // a loaded one and catches a parser that hangs or allocates per declared size.
        #expect(elapsed < .seconds(20), "fuzzing took \(elapsed)")
    }

    @Test func theCorpusReallyMutatesAndReachesBothOutcomes() throws {
        var mutator = Mutator(state: 0xC0E_BED)
        var failures = 0, successes = 0
        for _ in 0..<400 {
            let bytes = mutator.mutate(Self.mtx)
            do { _ = try MatrixMarket.parse(bytes, file: "x.mtx", value: { v, _ throws(DataIOError) in v }); successes += 1 } catch { failures += 1 }
        }
        // A mutator that never breaks the input (or always does) would test nothing.
        #expect(failures > 40 && successes > 10, "failures \(failures), successes \(successes)")
    }

    // Hand-made cases from issue 13.

    @Test func aDeclaredSizeBeyondMemoryIsRefusedBeforeAllocating() throws {
        let header = "%%MatrixMarket matrix coordinate real symmetric\n2147483647 2147483647 1\n1 1 1\n"
        let error = MemoryLimit.$override.withValue(1 << 30) {
            dataIOError { try MatrixMarket.parse(Array(header.utf8), file: "huge.mtx", value: { v, _ throws(DataIOError) in v }) }
        }
        guard case let .invalidContent(file, problem)? = error else {
            Issue.record("expected .invalidContent, got \(String(describing: error))")
            return
        }
        #expect(file == "huge.mtx")
        #expect(problem.contains("2147483647 × 2147483647") && problem.contains("1.1 GB"), "\(problem)")
        let dense = "%%MatrixMarket matrix array real general\n100000 100000\n1\n"
        let denseError = MemoryLimit.$override.withValue(1 << 30) {
            dataIOError { try MatrixMarket.parse(Array(dense.utf8), file: "dense.mtx", value: { v, _ throws(DataIOError) in v }) }
        }
        #expect(denseError?.description.contains("80.0 GB") == true, "\(String(describing: denseError))")
    }
}

private extension Range where Bound == Int {
    /// The indices rotated to start at `start` (a cheap seeded scan order).
    func shuffledStart(_ start: Int) -> [Int] {
        guard !isEmpty else { return [] }
        let s = lowerBound + (start % count)
        return Array(s..<upperBound) + Array(lowerBound..<s)
    }
}

extension FuzzTests.Mutator: RandomNumberGenerator {}
