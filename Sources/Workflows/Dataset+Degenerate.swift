import DataIO
import Solvers

extension Dataset {
    /// No likes at all (a threshold above every rating) once ended every solver with an all-zero
    /// embedding, loss 0 and exit status 0: refuse it when the data are loaded.
    static func requireLikes(_ interactions: Interactions, file: String) throws {
        guard interactions.likeCount == 0 else { return }
        throw ProblemError.degenerate(
            "\(file) has no likes: none of its \(interactions.ratingCount) ratings is ≥ the like threshold \(interactions.likeThreshold)")
    }

    /// The masked loss ignores X's diagonal: with every off-diagonal entry zero (an all-zero X, an
    /// empty .mtx, users with one like each) V = 0 is optimal and there is nothing to embed.
    static func requireOffDiagonal(_ problem: Problem, file: String) throws {
        if case let .interactions(s) = problem.source {
            // X_ij ≠ 0 for i ≠ j needs a user with two likes (‖X‖² − Σ X_ii² may round to anything).
            if (0..<s.rows).contains(where: { s.rowPointers[$0 + 1] - s.rowPointers[$0] >= 2 }) { return }
        } else if case let .dense(x) = problem.source {
            for j in 0..<x.columns { for i in 0..<x.rows where i != j && x[i, j] != 0 { return } }
        } else if case let .sparse(x) = problem.source {
            for r in 0..<x.rows {
                for k in x.rowPointers[r]..<x.rowPointers[r + 1] where Int(x.columnIndices[k]) != r && x.values[k] != 0 { return }
            }
        }
        throw ProblemError.degenerate(
            "\(file): X (\(problem.itemCount) × \(problem.itemCount)) has no non-zero entry off the diagonal, which is all the masked loss fits")
    }
}
