import Foundation
import Testing
import LinearAlgebra
import TestSupport
@testable import DataIO

@Suite struct ExportTests {
    func sample() throws -> (Interactions, Matrix) {
        let s = try SparseMatrix(rows: 2, columns: 3, triplets: [(0, 0, 1), (1, 0, 1), (1, 2, 1)])
        let interactions = Interactions(matrix: s, userIDs: [4, 9], itemIDs: [1, 11, 7789],
                                        titles: ["Toy Story (1995)", "American President, The (1995)", "11'09\"01 - September 11 (2002)"],
                                        likeThreshold: 4, ratingCount: 3, source: "test")
        let v = Matrix([[0.1, -1.0 / 3, 1e-300], [.pi, -0.0, 12345678.9], [Double.leastNonzeroMagnitude, .greatestFiniteMagnitude, 2]])
        return (interactions, v)
    }

    @Test func csvRoundTripsBitForBit() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (interactions, v) = try sample()
        let url = dir.file("embedding.csv")
        try EmbeddingExport.writeCSV(v, interactions: interactions, to: url)
        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(text.hasPrefix("movieId,title,d0,d1,d2\n1,Toy Story (1995),0.1,"))
        #expect(text.contains("\n11,\"American President, The (1995)\","))
        #expect(text.contains("\n7789,\"11'09\"\"01 - September 11 (2002)\","))
        let back = try EmbeddingExport.readCSV(url)
        #expect(back.itemIDs == interactions.itemIDs)
        #expect(back.titles == interactions.titles!)
        #expect(bitwiseEqual(back.vectors.storage, v.storage))
        let wrong = Matrix(rows: 2, columns: 3)
        expectInvalid(url, "embedding has 2 rows but there are 3 items") { try EmbeddingExport.writeCSV(wrong, interactions: interactions, to: url) }
        #expect(try EmbeddingExport.readCSV(url).vectors.rows == 3)  // failed write left the file alone
    }

    @Test func itemsTable() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (interactions, _) = try sample()
        let url = dir.file("items.csv")
        try EmbeddingExport.writeItems(interactions, to: url)
        #expect(try String(contentsOf: url, encoding: .utf8) == """
            row,movieId,title,likes
            0,1,Toy Story (1995),2
            1,11,"American President, The (1995)",0
            2,7789,"11'09""01 - September 11 (2002)",1

            """)
    }

    @Test func word2vecFollowsTheFormatAndRoundTrips() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (interactions, v) = try sample()
        let url = dir.file("vectors.txt")
        try EmbeddingExport.writeWord2Vec(v, interactions: interactions, to: url)
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first == "3 3")
        #expect(lines.count == 3 + 2)  // header, 3 vectors, empty string after the final newline
        #expect(lines.last == "")
        for (k, line) in lines.dropFirst().dropLast().enumerated() {
            let fields = line.split(separator: " ")
            #expect(fields.count == 3 + 1)
            #expect(fields[0] == Substring(String(interactions.itemIDs[k])))
            #expect(fields.dropFirst().allSatisfy { Double($0) != nil })
        }
        let back = try EmbeddingExport.readWord2Vec(url)
        #expect(back.keys == ["1", "11", "7789"])
        #expect(bitwiseEqual(back.vectors.storage, v.storage))

        let bad = try dir.write("2 2\na 1 2\nb 1\n", to: "bad.txt")
        expectMalformed(bad, line: 3, "expected a key and 2 numbers, found 2 fields") { try EmbeddingExport.readWord2Vec(bad) }
        let short = try dir.write("2 2\na 1 2\n", to: "short.txt")
        expectMalformed(short, line: 2, "file ends after 1 of the 2 vectors") { try EmbeddingExport.readWord2Vec(short) }
        expectInvalid(url, "whitespace") {
            try EmbeddingExport.writeWord2Vec(KeyedVectors(keys: ["a b"], vectors: Matrix([[1]])), to: url)
        }
    }

    @Test func bundledDataExportsAtScale() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let s = try MovieLens.load(ratings: packageRoot.appendingPathComponent("data/ml-latest-small/ratings.csv"))
        let v = Matrix(rows: s.itemCount, columns: 4) { i, j in sin(Double(i * 4 + j)) / Double(j + 1) }
        let csv = dir.file("e.csv"), w2v = dir.file("e.txt")
        try EmbeddingExport.writeCSV(v, interactions: s, to: csv)
        try EmbeddingExport.writeWord2Vec(v, interactions: s, to: w2v)
        let table = try EmbeddingExport.readCSV(csv)
        #expect(table.itemIDs == s.itemIDs && table.titles == s.titles!)
        #expect(bitwiseEqual(table.vectors.storage, v.storage))
        #expect(bitwiseEqual(try EmbeddingExport.readWord2Vec(w2v).vectors.storage, v.storage))
        #expect(try dir.contents() == ["e.csv", "e.txt"])
    }
}

@Suite struct LoadTiming {
    /// Reports the median of 5 loads of ml-latest-small (meaningful in a release build:
    /// `swift test -c release -Xswiftc -enable-testing --filter LoadTiming`).
    @Test func medianLoadTime() throws {
        let ratings = packageRoot.appendingPathComponent("data/ml-latest-small/ratings.csv")
        var times: [Double] = []
        for _ in 0..<5 {
            let start = DispatchTime.now().uptimeNanoseconds
            let s = try MovieLens.load(ratings: ratings)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            #expect(s.itemCount == 9724)
        }
        times.sort()
        var titleTimes: [Double] = []
        for _ in 0..<5 {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try MovieLens.loadTitles(ratings.deletingLastPathComponent().appendingPathComponent("movies.csv"))
            titleTimes.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        titleTimes.sort()
        print("ml-latest-small load: median \(String(format: "%.2f", times[2])) ms of 5 (\(times.map { String(format: "%.2f", $0) })); "
              + "of which movies.csv titles ≈ \(String(format: "%.2f", titleTimes[2])) ms")
    }
}
