import Testing
import Foundation
import Solvers
import Workflows
import TestSupport

/// Data with nothing to embed is refused when it is loaded, with the file named.
@Suite struct DegenerateDataTests {
    @Test func noLikesIsOneClearErrorWhenLoading() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let url = try dir.write("userId,movieId,rating,timestamp\n1,1,3.0,0\n1,2,2.0,0\n2,1,3.5,0\n", to: "r.csv")
        #expect(throws: ProblemError.self) { try Dataset.ratings(url, likeThreshold: 4) }
        do { _ = try Dataset.ratings(url, likeThreshold: 4) } catch {
            #expect("\(error)".contains("no likes") && "\(error)".contains("4.0"), "\(error)")
        }
    }

    @Test func anAllZeroOrDiagonalOrEmptyXIsRefused() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let zero = try dir.write("0,0,0\n0,0,0\n0,0,0\n", to: "zero.csv")
        let diagonal = try dir.write("5,0\n0,7\n", to: "diag.csv")
        let empty = try dir.write("%%MatrixMarket matrix coordinate real symmetric\n20 20 0\n", to: "empty.mtx")
        for url in [zero, diagonal, empty] {
            do {
                _ = try Dataset.matrix(url)
                Issue.record("\(url.lastPathComponent) was accepted")
            } catch let error as ProblemError {
                guard case .degenerate = error else { Issue.record("\(error)"); continue }
                #expect(error.description.contains(url.path))
            }
        }
        // A user with two likes is enough to learn something.
        let fine = try dir.write("userId,movieId,rating,timestamp\n1,1,5,0\n1,2,5,0\n", to: "ok.csv")
        _ = try Dataset.ratings(fine, likeThreshold: 4)
    }
}
