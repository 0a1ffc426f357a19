import Foundation
import Testing
import LinearAlgebra
import TestSupport
@testable import DataIO

@Suite struct MovieLensLoaderTests {
    @Test func loadsSmallFileWithCRLFDuplicatesAndZeroLikeMovies() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ratings = try dir.write("""
            userId,movieId,rating,timestamp\r
            7,30,4.5,1\r
            3,10,3,2\r
            3,20,4.0e0,3\r
            7,10,5.0,4\r
            3,20,4,5\r
            7,30,1.0,6\r
            9,40,0.5,7
            """, to: "ratings.csv")
        let s = try MovieLens.load(ratings: ratings)
        #expect(s.userIDs == [3, 7, 9])
        #expect(s.itemIDs == [10, 20, 30, 40])  // 40 has no like but is still an item
        #expect(s.ratingCount == 7)
        #expect(s.titles == nil)
        #expect(s.likeCount == 3)  // (3,20) twice counts once; (7,30) liked once, then rated 1.0
        #expect(s.matrix.dense == Matrix([[0, 1, 0, 0], [1, 0, 1, 0], [0, 0, 0, 0]]))
        #expect(s.likesPerItem == [1, 1, 1, 0])
        #expect(s.likeThreshold == 4.0)
    }

    @Test func thresholdOptionAndExactDecimalComparison() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ratings = try dir.write("userId,movieId,rating,timestamp\n1,1,3.5,0\n1,2,3.49999,0\n2,1,0.35e1,0\n2,3,5,0\n", to: "ratings.csv")
        let s = try MovieLens.load(ratings: ratings, likeThreshold: 3.5)
        #expect(s.matrix.dense == Matrix([[1, 0, 0], [1, 0, 1]]))
        let all = try MovieLens.load(ratings: ratings, likeThreshold: 0)
        #expect(all.likeCount == 4)
    }

    @Test func titlesFromMoviesBesideRatingsWithRFC4180Quoting() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ratings = try dir.write("userId,movieId,rating,timestamp\n1,1,5,0\n1,2,5,0\n1,3,5,0\n", to: "ratings.csv")
        try dir.write("""
            movieId,title,genres\r
            1,"American President, The (1995)",Comedy|Drama|Romance\r
            2,"11'09""01 - September 11 (2002)",Drama\r
            5,Unrated (1990),Drama\r
            """, to: "movies.csv")
        let s = try MovieLens.load(ratings: ratings)
        #expect(s.titles == ["American President, The (1995)", "11'09\"01 - September 11 (2002)", "movie 3"])

        let other = try dir.write("movieId,title,genres\n3,\"Multi\nline\",x\n", to: "other.csv")
        let t = try MovieLens.load(ratings: ratings, movies: other)
        #expect(t.titles == ["movie 1", "movie 2", "Multi\nline"])
    }

    @Test func headerIsRequiredAndChecked() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let noHeader = try dir.write("1,1,5,0\n", to: "a.csv")
        expectMalformed(noHeader, line: 1, "header must be userId,movieId,rating,timestamp") { try MovieLens.load(ratings: noHeader) }
        let wrong = try dir.write("userId,itemId,rating,timestamp\n1,1,5,0\n", to: "b.csv")
        expectMalformed(wrong, line: 1, "itemId") { try MovieLens.load(ratings: wrong) }
        let empty = try dir.write("", to: "c.csv")
        expectInvalid(empty, "empty file") { try MovieLens.load(ratings: empty) }
        let headerOnly = try dir.write("userId,movieId,rating,timestamp\n", to: "d.csv")
        expectInvalid(headerOnly, "no rating rows") { try MovieLens.load(ratings: headerOnly) }
    }

    @Test(arguments: [
        ("1,1,5\n", "expected 4 fields"),
        ("1,1,5,0,9\n", "found 5"),
        ("x,1,5,0\n", "userId \"x\" is not an integer"),
        ("1,1.5,5,0\n", "movieId \"1.5\" is not an integer"),
        ("1,1,good,0\n", "rating \"good\" is not a number"),
        ("1,1,,0\n", "rating \"\" is not a number"),
        ("1,1,5,noon\n", "timestamp"),
        ("1,1,NaN,0\n", "not a finite number"),
        ("1,1,inf,0\n", "not a finite number"),
        ("-1,1,5,0\n", "userId -1 is negative"),
        ("1,-4,5,0\n", "movieId -4 is negative"),
        ("\n1,1,5,0\n", "empty line"),
    ])
    func eachErrorNamesFileAndLine(bad: String, fragment: String) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let url = try dir.write("userId,movieId,rating,timestamp\n2,2,4,0\n" + bad, to: "ratings.csv")
        expectMalformed(url, line: 3, fragment) { try MovieLens.load(ratings: url) }
    }

    @Test func moviesFileErrors() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ratings = try dir.write("userId,movieId,rating,timestamp\n1,1,5,0", to: "ratings.csv")
        let unclosed = try dir.write("movieId,title,genres\n1,\"Open,x\n2,b,c\n", to: "m1.csv")
        expectMalformed(unclosed, line: 2, "never closed") { try MovieLens.load(ratings: ratings, movies: unclosed) }
        let stray = try dir.write("movieId,title,genres\n1,\"A\"b,x\n", to: "m2.csv")
        expectMalformed(stray, line: 2, "after the closing quote") { try MovieLens.load(ratings: ratings, movies: stray) }
        let count = try dir.write("movieId,title,genres\n1,A\n", to: "m3.csv")
        expectMalformed(count, line: 2, "expected 3 fields, found 2") { try MovieLens.load(ratings: ratings, movies: count) }
        let badID = try dir.write("movieId,title,genres\n1,A,x\nq,B,y\n", to: "m4.csv")
        expectMalformed(badID, line: 3, "not an integer") { try MovieLens.load(ratings: ratings, movies: badID) }
        let header = try dir.write("id,title\n", to: "m5.csv")
        expectMalformed(header, line: 1, "movieId,title") { try MovieLens.load(ratings: ratings, movies: header) }
        let dup = try dir.write("movieId,title,genres\n1,A,x\n1,B,y\n", to: "m6.csv")
        expectMalformed(dup, line: 3, "twice") { try MovieLens.load(ratings: ratings, movies: dup) }
        let missing = dir.file("nope.csv")
        #expect(dataIOError { try MovieLens.load(ratings: ratings, movies: missing) } == .unreadable(file: missing.path, reason: "No such file or directory"))
    }

    @Test func bundledMovieLensSmall() throws {
        let ratings = packageRoot.appendingPathComponent("data/ml-latest-small/ratings.csv")
        let s = try MovieLens.load(ratings: ratings)
        #expect(s.userCount == 610)
        #expect(s.itemCount == 9724)
        #expect(s.ratingCount == 100_836)

        // Independent count: plain String splitting and Double(String).
        let text = try String(contentsOf: ratings, encoding: .utf8)
        var likes = Set<String>()
        var users = Set<Substring>(), items = Set<Substring>()
        for line in text.split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",")
            users.insert(f[0])
            items.insert(f[1])
            if Double(f[2])! >= 4.0 { likes.insert("\(f[0]),\(f[1])") }
        }
        #expect(s.likeCount == likes.count)
        #expect(users.count == 610 && items.count == 9724)
        #expect(s.matrix.values.allSatisfy { $0 == 1 })
        #expect(s.likesPerItem.reduce(0, +) == likes.count)

        let titles = try #require(s.titles)
        let index = try #require(s.itemIDs.firstIndex(of: 11))
        #expect(titles[index] == "American President, The (1995)")
        #expect(titles[try #require(s.itemIDs.firstIndex(of: 1))] == "Toy Story (1995)")
        #expect(!titles.contains { $0.hasPrefix("movie ") })
    }

    @Test func decimalParsingMatchesStandardLibrary() {
        let samples = ["4.5", "3", "0.5", "4.0e0", "-0", "1e-5", "0.1", "123456789012345678901234", "1.7976931348623157e308",
                       "2.2250738585072014e-308", "5e-324", "0.30000000000000004", "9007199254740993", "1E+2", ".5", "5.", "+7.25"]
        for s in samples {
            #expect(ByteNumber.parseDouble(s)?.bitPattern == Double(s)?.bitPattern, "\(s)")
        }
        for bad in ["", "-", "1e", "e5", "1.2.3", " 1", "0x10", "1,0", "--1", "."] {
            #expect(ByteNumber.parseDouble(bad) == nil, "\(bad)")
        }
        for _ in 0..<2000 {
            let x = Double.random(in: -1e6...1e6) * pow(10, Double(Int.random(in: -30...30)))
            #expect(ByteNumber.parseDouble(x.description) == x)
            let fixed = String(format: "%.6f", x)
            #expect(ByteNumber.parseDouble(fixed) == Double(fixed))
        }
    }
}
