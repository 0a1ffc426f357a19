import ArgumentParser
import Foundation
import Solvers
import LinearAlgebra
import Workflows

struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info", abstract: "Describe the data: users, items, likes, density and the size of X.",
        discussion: """
            Examples:
              coembed info
              coembed info --ratings my/ratings.csv --like-threshold 3.5
              coembed info --matrix X.mtx
            """)

    @OptionGroup var data: DataOptions

    func run() throws {
        let dataset = try data.load()
        let p = dataset.problem
        print("source: \(dataset.description)")
        if let s = dataset.interactions {
            let likes = s.likesPerItem
            let users = s.userCount, items = s.itemCount
            print("users: \(users)")
            print("items: \(items)")
            print("likes: \(s.likeCount) (of \(s.ratingCount) ratings)")
            print(String(format: "density: %.6f", Double(s.likeCount) / (Double(users) * Double(items))))
            print("items with no like: \(likes.filter { $0 == 0 }.count)")
        } else {
            print("items: \(p.itemCount)")
        }
        let largest = p.largestOffDiagonal()
        var where_ = "items \(largest.i), \(largest.j)"
        if let s = dataset.interactions {
            let name: (Int) -> String = { i in s.titles.map { "\"\($0[i])\"" } ?? "movieId \(s.itemName(i))" }
            where_ = "\(name(largest.i)) and \(name(largest.j))"
        }
        print("largest X_ij (i ≠ j): \(Formatting.number(largest.value)) (\(where_))")
        print("‖offdiag X‖²_F: \(Formatting.number(p.offDiagonalNormSquared))")
        print("‖X‖²_F: \(Formatting.number(p.frobeniusNormSquared))")
        print(String(format: "load time: %.1f ms", dataset.loadSeconds * 1000))
        print("BLAS: \(BLASCore.current)")
    }
}
