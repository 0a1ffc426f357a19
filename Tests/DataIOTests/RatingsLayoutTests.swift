import Foundation
import Testing
import LinearAlgebra
import TestSupport
@testable import DataIO

/// Ratings files in other layouts (--sep, --no-header, --columns, --titles) and the parallel reader.
@Suite struct RatingsLayoutTests {
    static func layout(_ sep: String = ",", header: Bool = true, columns: String? = nil) throws -> RatingsLayout {
        RatingsLayout(separator: try #require(RatingsLayout.Separator(argument: sep)), hasHeader: header,
                      columns: try columns.map { try RatingsLayout.Columns(argument: $0) })
    }

    @Test func movieLens100kUData() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let url = try dir.write("196\t242\t3\t881250949\n186\t302\t3\t891717742\n22\t377\t1\t878887116\n196\t302\t5\t881251949\n", to: "u.data")
        let s = try RatingsFile.load(url, layout: Self.layout("\\t", header: false, columns: "user,item,rating,timestamp"), likeThreshold: 3)
        #expect(s.userIDs == [22, 186, 196])   // integer ids: ascending, as for MovieLens
        #expect(s.itemIDs == [242, 302, 377])
        #expect(s.userKeys == nil && s.itemKeys == nil)
        #expect(s.matrix.dense == Matrix([[0, 0, 0], [0, 1, 0], [1, 1, 0]]))
        #expect(s.ratingCount == 4)
        // The same file without --columns: user, item, rating, timestamp is the default order.
        let t = try RatingsFile.load(url, layout: Self.layout("tab", header: false), likeThreshold: 3)
        #expect(t.matrix == s.matrix)
    }

    @Test func semicolonsNamedColumnsStringIdsFirstSeenOrder() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let url = try dir.write("when;stars;sku;customer\n1;5;B-7;ann\n2;2;A-1;bob\n3;4;A-1;ann\n4;4.5;C;cy\n", to: "r.csv")
        for spec in ["user=customer,item=sku,rating=stars", "customer,sku,stars", "4,3,2,1", "timestamp,rating,item,user"] {
            let s = try RatingsFile.load(url, layout: Self.layout(";", columns: spec), likeThreshold: 4)
            #expect(s.userKeys == ["ann", "bob", "cy"], "\(spec)")
            #expect(s.itemKeys == ["B-7", "A-1", "C"], "\(spec)")
            #expect(s.userIDs == [0, 1, 2] && s.itemIDs == [0, 1, 2])
            #expect(s.matrix.dense == Matrix([[1, 1, 0], [0, 0, 0], [0, 0, 1]]), "\(spec)")
            #expect(s.itemName(0) == "B-7" && s.userName(2) == "cy")
        }
        // items.csv writes the names back.
        let s = try RatingsFile.load(url, layout: Self.layout(";", columns: "customer,sku,stars"), likeThreshold: 4)
        let items = dir.file("items.csv")
        try EmbeddingExport.writeItems(s, to: items)
        #expect(try String(contentsOf: items, encoding: .utf8) == "row,movieId,title,likes\n0,B-7,,1\n1,A-1,,1\n2,C,,1\n")
    }

    @Test func withoutARatingEveryRowIsALike() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let url = try dir.write("u1 i9\nu2   i9\n  u1\ti3  \nu1 i9\n", to: "likes.txt")
        let s = try RatingsFile.load(url, layout: Self.layout("whitespace", header: false, columns: "user,item"), likeThreshold: 4)
        #expect(s.userKeys == ["u1", "u2"] && s.itemKeys == ["i9", "i3"])
        #expect(s.matrix.dense == Matrix([[1, 1], [1, 0]]))
        #expect(s.likeThreshold == 1 && s.ratingCount == 4)
    }

    @Test func mixedIdsAreNamesAndLeadingZerosAreNotNumbers() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let url = try dir.write("user,item\n10,007\n2,7\n10,x\n", to: "r.csv")
        let s = try RatingsFile.load(url, layout: Self.layout(columns: "user,item"), likeThreshold: 4)
        #expect(s.userKeys == nil && s.userIDs == [2, 10])
        #expect(s.itemKeys == ["007", "7", "x"])
    }

    @Test func titlesFileForNamesAndForIntegers() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let url = try dir.write("u,i\nann,B-7\nann,\"A\"\n", to: "r.csv")
        let titles = try dir.write("sku,name\nB-7,\"Lamp, blue\"\nZ,unused\n", to: "t.csv")
        let s = try RatingsFile.load(url, layout: Self.layout(columns: "u,i"), titles: titles)
        #expect(s.titles == ["Lamp, blue", "item \"A\""])
        let numeric = try dir.write("196\t242\t3\t881250949\n", to: "u.data")
        let numericTitles = try dir.write("id,title\n242,Kolya (1996)\n", to: "u.titles")
        let t = try RatingsFile.load(numeric, layout: Self.layout("\\t", header: false), likeThreshold: 3, titles: numericTitles)
        #expect(t.titles == ["Kolya (1996)"])
        let bad = try dir.write("id,title\nx,A\n", to: "bad.csv")
        expectMalformed(bad, line: 2, "id \"x\" is not an integer") {
            try RatingsFile.load(numeric, layout: Self.layout("\\t", header: false), titles: bad)
        }
    }

    @Test(arguments: [
        ("a,b,c\n1,2\n", "user,item,rating", 2, "expected 3 fields, found 2"),
        ("a,b,c\n1,2,x\n", "user,item,rating", 2, "rating \"x\" is not a number"),
        ("a,b,c\n1,2,4\n,2,4\n", "user,item,rating", 3, "the user id is empty"),
        ("a,b,c\n1,2,4\n1,2,4,1\n", "user,item,-", 3, "expected 3 fields, found 4"),
        ("a,b,t\n1,2,noon\n", "user,item,timestamp", 2, "timestamp \"noon\" is not an integer"),
        ("a,b\n1,2\n", "a,zz", 1, "no column named \"zz\""),
        ("a,b\n1,2\n", "1,3", 1, "the item is in column 3, but line 1 has 2 fields"),
    ])
    func customLayoutErrorsNameLine(text: String, columns: String, line: Int, fragment: String) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let url = try dir.write(text, to: "r.csv")
        expectMalformed(url, line: line, fragment) { try RatingsFile.load(url, layout: Self.layout(columns: columns)) }
    }

    @Test func columnSpecificationsAreChecked() {
        for (spec, fragment) in [("user,user", "twice"), ("item,rating", "at least the user"), ("user=a,b", "mixes"),
                                 ("a,b,c,d,e", "at most 4"), ("user,,item", "empty entry"), ("who=1,item=2", "unknown role")] {
            #expect(throws: LayoutError.self, "\(spec)") { try RatingsLayout.Columns(argument: spec) }
            #expect((try? RatingsLayout.Columns(argument: spec)) == nil)
            do { _ = try RatingsLayout.Columns(argument: spec) } catch { #expect(error.description.contains(fragment), "\(spec): \(error)") }
        }
        #expect(RatingsLayout.Separator(argument: "ab") == nil)
        #expect(RatingsLayout.Separator(argument: "\"") == nil)
        #expect(RatingsLayout.Separator(argument: ";") == .byte(59))
    }

    @Test func namedColumnWithoutHeaderIsRefused() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let url = try dir.write("1,2\n", to: "r.csv")
        expectInvalid(url, "no header line") { try RatingsFile.load(url, layout: Self.layout(header: false, columns: "user=uid,item=2")) }
    }

    /// Several megabytes, so the reader cuts many chunks: same S as a plain sequential count,
    /// and an error deep in the file reports its true line.
    @Test func chunkedReadMatchesSequentialCountAndLineNumbers() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var rng = SplitMix64(seed: 9)
        var text = "userId,movieId,rating,timestamp\n"
        var likes = Set<[Int]>(), users = Set<Int>(), items = Set<Int>()
        let lines = 150_000
        for _ in 0..<lines {
            let u = Int(rng.next() % 5000), i = Int(rng.next() % 3000) * 7, r = Double(rng.next() % 10 + 1) / 2
            text += "\(u),\(i),\(r),\(rng.next() % 1_000_000)\n"
            users.insert(u); items.insert(i)
            if r >= 4 { likes.insert([u, i]) }
        }
        #expect(text.utf8.count > 3 << 20)
        let url = try dir.write(text, to: "ratings.csv")
        let s = try MovieLens.load(ratings: url)
        #expect(s.ratingCount == lines && s.likeCount == likes.count)
        #expect(s.userIDs == users.sorted() && s.itemIDs == items.sorted())
        for u in [0, s.userCount / 2, s.userCount - 1] {
            let row = s.matrix.rowPointers[u]..<s.matrix.rowPointers[u + 1]
            let expected = items.sorted().enumerated().filter { likes.contains([s.userIDs[u], $0.element]) }.map(\.offset)
            #expect(s.matrix.columnIndices[row].map(Int.init) == expected)
        }
        // Errors at several depths, two at once: the first one in the file wins.
        var all = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for bad in [2, 77_777, lines + 1] {
            var copy = all
            copy[bad - 1] = "1,2,x,3"
            if bad < lines { copy[lines] = "" }   // a later empty line must not win
            let broken = try dir.write(copy.joined(separator: "\n"), to: "broken.csv")
            expectMalformed(broken, line: bad, "rating \"x\" is not a number") { try MovieLens.load(ratings: broken) }
        }
        // The same rows tab-separated without a header, named ids: the parallel merge keeps
        // first-seen order across chunks.
        all.removeFirst()
        let named = all.map { line -> String in
            let f = line.split(separator: ",")
            return f.isEmpty ? "" : "u\(f[0])\ti\(f[1])\t\(f[2])"
        }.joined(separator: "\n")
        let namedURL = try dir.write(named, to: "named.tsv")
        let t = try RatingsFile.load(namedURL, layout: Self.layout("\\t", header: false, columns: "user,item,rating"))
        var seen = Set<String>(), order: [String] = []
        for line in named.split(separator: "\n") {
            let key = String(line.split(separator: "\t")[1])
            if seen.insert(key).inserted { order.append(key) }
        }
        #expect(t.itemKeys == order)
        #expect(t.likeCount == likes.count)
    }
}
