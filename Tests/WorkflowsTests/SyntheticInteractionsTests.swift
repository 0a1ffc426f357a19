import Testing
import Foundation
import LinearAlgebra
import DataIO
import Solvers
import Workflows

@Suite struct SyntheticInteractionsTests {
    @Test func sameSeedSameBytesOtherSeedOtherBytes() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gen-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func write(_ seed: UInt64, _ name: String) throws -> Data {
            let url = dir.appendingPathComponent(name)
            let s = try SyntheticInteractions(users: 300, items: 500, likes: 7000, seed: seed).generate()
            try InteractionWriter.write(s, format: try InteractionFileFormat.forOutput(url), to: url)
            return try Data(contentsOf: url)
        }
        let a = try write(4, "a.csv"), b = try write(4, "b.csv"), c = try write(5, "c.csv")
        #expect(a == b)
        #expect(a != c)
        // The file reads back as exactly those likes under the default threshold.
        let loaded = try MovieLens.load(ratings: dir.appendingPathComponent("a.csv"))
        let s = try SyntheticInteractions(users: 300, items: 500, likes: 7000, seed: 4).generate()
        #expect(loaded.matrix.nonzeroCount == 7000)
        #expect(loaded.userIDs.count == (0..<300).filter { s.rowPointers[$0 + 1] > s.rowPointers[$0] }.count)
        #expect(loaded.itemIDs.count == s.columnSums.filter { $0 > 0 }.count)
        #expect(throws: ProblemError.self) { try InteractionFileFormat.forOutput(URL(fileURLWithPath: "/tmp/x.parquet")) }
    }

    @Test func countsAreExact() throws {
        for (users, items, likes) in [(1000, 400, 33_333), (50, 20, 500), (7, 1000, 0), (2000, 3000, 1999)] {
            let w = SyntheticInteractions(users: users, items: items, likes: likes, seed: 1)
            let s = try w.generate()
            #expect(s.rows == users && s.columns == items && s.nonzeroCount == likes)
            let perUser = w.likesPerUser()
            #expect(perUser.reduce(0, +) == likes)
            #expect(perUser.allSatisfy { $0 <= items / 2 })
            #expect(s.rowCounts == perUser)
        }
        #expect(throws: ProblemError.self) { try SyntheticInteractions(users: 10, items: 10, likes: 51).generate() }
    }

    /// Popularity follows (r + 10)^−0.9 and activity is log-normal with σ = 1. Two likes per user
    /// on average, so drawing without replacement barely bends the counts of the top items.
    @Test func distributionsHaveTheDocumentedShape() throws {
        let w = SyntheticInteractions(users: 100_000, items: 2000, likes: 200_000, seed: 9)
        let s = try w.generate()
        let counts = s.columnSums.sorted(by: >)
        let weights = (0..<2000).map { pow(Double($0) + 10, -0.9) }
        let total = weights.reduce(0, +)
        for r in [0, 10, 100, 1000] {
            let expected = 200_000 * weights[r] / total
            #expect(abs(counts[r] - expected) <= 0.1 * expected, "rank \(r): \(counts[r]) likes, expected about \(expected)")
        }
        // Activity needs many likes per user for rounding not to blur the log-normal.
        let heavy = SyntheticInteractions(users: 20_000, items: 100_000, likes: 2_000_000, seed: 9)
        let logs = heavy.likesPerUser().filter { $0 > 0 }.map { log(Double($0)) }
        let mean = logs.reduce(0, +) / Double(logs.count)
        let sd = (logs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(logs.count)).squareRoot()
        #expect(abs(sd - 1) <= 0.1, "log-activity standard deviation \(sd)")
    }
}
