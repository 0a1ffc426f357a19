import Testing
import Foundation
import DataIO
import TestSupport

/// The user's own data through the CLI: other ratings layouts (--sep, --no-header, --columns,
/// --titles) and S given directly (--interactions).
@Suite(.serialized) struct OwnDataCLITests {
    static let fixtures = "Tests/DataIOTests/Fixtures"

    @Test func movieLens100kUDataLoadsWithTabsNoHeaderAndColumns() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let url = try dir.write("196\t242\t3\t881250949\n186\t302\t3\t891717742\n22\t377\t1\t878887116\n196\t302\t5\t881251949\n", to: "u.data")
        let r = try coembed(["info", "--ratings", url.path, "--sep", "\\t", "--no-header", "--columns", "user,item,rating,timestamp",
                             "--like-threshold", "3"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("users: 3") && r.out.contains("items: 3") && r.out.contains("likes: 3 (of 4 ratings)"), "\(r.out)")
        // Without the options the tab file is refused, naming the file and line 1.
        let plain = try coembed(["info", "--ratings", url.path])
        #expect(plain.status != 0 && plain.err.contains("\(url.path):1:"), "\(plain.err)")
    }

    @Test func stringIdsAndTitlesReachItemsCsv() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var text = "customer;sku\n"
        for u in 0..<30 { for i in 0..<6 where (u + i) % 3 != 0 { text += "c\(u);sku-\(i)\n" } }
        let ratings = try dir.write(text, to: "likes.csv")
        let titles = try dir.write("sku,name\nsku-1,\"Lamp, blue\"\n", to: "titles.csv")
        let out = dir.file("out/v.csv")
        try FileManager.default.createDirectory(at: out.deletingLastPathComponent(), withIntermediateDirectories: true)
        let r = try coembed(["solve", "--ratings", ratings.path, "--sep", ";", "--columns", "customer,sku", "--titles", titles.path,
                             "--solver", "eigen", "--dim", "2", "--output", out.path])
        #expect(r.status == 0, "\(r.err)")
        let items = try String(contentsOf: dir.file("out/items.csv"), encoding: .utf8)
        #expect(items.hasPrefix("row,movieId,title,likes\n0,sku-1,\"Lamp, blue\",20\n1,sku-2,item sku-2,20\n"), "\(items)")
    }

    @Test(arguments: ["counts_csr.npz", "counts_coo.npz", "counts.mtx"])
    func interactionsFileIsS(name: String) throws {
        let r = try coembed(["info", "--interactions", "\(Self.fixtures)/\(name)"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("users: 4") && r.out.contains("items: 5") && r.out.contains("likes: 6"), "\(r.out)")
    }

    @Test(arguments: [
        (["info", "--sep", ";"], "--sep describes a --ratings file"),
        (["info", "--ratings", "a.csv", "--sep", "ab"], "--sep must be one ASCII character"),
        (["info", "--ratings", "a.csv", "--columns", "item,rating"], "at least the user"),
        (["info", "--ratings", "a.csv", "--interactions", "s.npz"], "--ratings and --interactions are exclusive"),
        (["info", "--interactions", "\(fixtures)/ratings_csr.npz"], "interaction count 4.5 is not a non-negative integer"),
        (["info", "--interactions", "\(fixtures)/make_fixtures.py"], ".npz or Matrix Market"),
    ])
    func badDataOptionsAreRefused(arguments: [String], mention: String) throws {
        let r = try coembed(arguments)
        #expect(r.status != 0)
        #expect(r.err.contains(mention), "stderr: \(r.err)")
    }

    @Test func ratingsInAnInteractionsFileWithAThreshold() throws {
        // At 3, users 0 and 2 each like two items (a co-occurrence to fit); at 4 nobody likes two
        // items, and X would be zero off the diagonal: nothing to learn, one clear error.
        let r = try coembed(["info", "--interactions", "\(Self.fixtures)/ratings_csr.npz", "--like-threshold", "3"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("likes: 5 (of 6 ratings)"), "\(r.out)")
        let none = try coembed(["info", "--interactions", "\(Self.fixtures)/ratings_csr.npz", "--like-threshold", "4"])
        #expect(none.status != 0 && none.err.contains("no non-zero entry off the diagonal"), "\(none.err)")
    }
}
