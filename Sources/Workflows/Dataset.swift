import Foundation
import LinearAlgebra
import DataIO
import Solvers

/// A loaded problem with what is known about where it came from: the interactions (when X =
/// SᵀS came from a ratings file or an interaction matrix) and a description for reports.
public struct Dataset: Sendable {
    public let problem: Problem
    /// The interactions S, when X = SᵀS (nil for a user-supplied X).
    public let interactions: Interactions?
    /// Human-readable source (file and options).
    public let description: String
    /// Seconds spent reading and parsing files.
    public let loadSeconds: Double
    /// X = SᵀS before a transform (nil when no transform was applied).
    public let untransformed: Problem?
    /// The transform that made `problem` (nil = counts).
    public private(set) var currentTransform: CooccurrenceTransform?

    public init(problem: Problem, interactions: Interactions?, description: String, loadSeconds: Double,
                untransformed: Problem? = nil) {
        self.problem = problem
        self.interactions = interactions
        self.description = description
        self.loadSeconds = loadSeconds
        self.untransformed = untransformed
    }

    /// The problem a solver works on: sampled methods always train on the interactions; the
    /// closed-form and gradient methods see the (possibly transformed) X.
    public func problem(for method: RegisteredMethod) -> Problem {
        method.family == .sampled ? (untransformed ?? problem) : problem
    }

    /// The same data with S replaced by a training split (hold-out); transforms are re-applied.
    public func withTraining(_ training: SparseMatrix) throws -> Dataset {
        guard let s = interactions else { throw ProblemError.invalidOption("a hold-out needs interactions") }
        let trained = s.replacingMatrix(training)
        let counts = try Problem(interactions: training)
        let base = Dataset(problem: counts, interactions: trained, description: description + ", hold-out training split",
                           loadSeconds: loadSeconds)
        guard case .sparse = problem.source, untransformed != nil else { return base }
        return Dataset(problem: try Problem.transformed(training, currentTransform ?? .counts), interactions: trained,
                       description: base.description, loadSeconds: loadSeconds, untransformed: counts)
    }

    /// This dataset with X replaced by a transform of SᵀS (PMI, SPPMI); a sparse explicit X.
    public func transformed(_ transform: CooccurrenceTransform) throws -> Dataset {
        if case .counts = transform { return self }
        guard let s = interactions else {
            throw ProblemError.invalidOption("--transform needs interactions (--ratings), not a matrix file")
        }
        let x = try Problem.transformed(s.matrix, transform)
        var out = Dataset(problem: x, interactions: interactions, description: description + ", X = \(transform)",
                          loadSeconds: loadSeconds, untransformed: problem)
        out.currentTransform = transform
        return out
    }

    /// A ratings file (MovieLens by default, or `layout`) → S (like = rating ≥ threshold) → the
    /// implicit problem X = SᵀS. `progress` hears about a long set-up (see `GramNorm`).
    public static func ratings(_ url: URL, likeThreshold: Double, layout: RatingsLayout = .movieLens, titles: URL? = nil,
                               progress: (@Sendable (GramNorm.Progress) -> Void)? = nil) throws -> Dataset {
        let clock = ContinuousClock()
        var interactions: Interactions!
        let elapsed = try clock.measure {
            interactions = try RatingsFile.load(url, layout: layout, likeThreshold: likeThreshold, titles: titles)
        }
        try requireLikes(interactions, file: url.path)
        let problem = try Problem(interactions: interactions.matrix, progress: progress)
        try requireOffDiagonal(problem, file: url.path)
        let like = layout.hasRatingColumn ? "like = rating ≥ \(likeThreshold)" : "every row a like"
        return Dataset(problem: problem, interactions: interactions, description: "\(url.path) (\(like))",
                       loadSeconds: elapsed.seconds)
    }

    /// S given directly (`.npz` or users × items `.mtx`, see `InteractionFile`) → X = SᵀS.
    public static func interactions(_ url: URL, likeThreshold: Double? = nil,
                                    progress: (@Sendable (GramNorm.Progress) -> Void)? = nil) throws -> Dataset {
        let clock = ContinuousClock()
        var interactions: Interactions!
        let elapsed = try clock.measure { interactions = try InteractionFile.load(url, likeThreshold: likeThreshold) }
        try requireLikes(interactions, file: url.path)
        let problem = try Problem(interactions: interactions.matrix, progress: progress)
        try requireOffDiagonal(problem, file: url.path)
        let like = likeThreshold.map { "like = value ≥ \($0)" } ?? "like = positive count"
        return Dataset(problem: problem, interactions: interactions, description: "\(url.path) (S, \(like))",
                       loadSeconds: elapsed.seconds)
    }

    /// A user-supplied X: dense (.npy, .csv) or sparse (.mtx).
    public static func matrix(_ url: URL) throws -> Dataset {
        let clock = ContinuousClock()
        var loaded: CooccurrenceMatrix!
        let elapsed = try clock.measure { loaded = try CooccurrenceFile.load(url) }
        let problem: Problem
        switch loaded! {
        case let .dense(x): problem = try Problem(dense: x)
        case let .sparse(x): problem = try Problem(sparse: x)
        }
        try requireOffDiagonal(problem, file: url.path)
        return Dataset(problem: problem, interactions: nil, description: url.path, loadSeconds: elapsed.seconds)
    }
}
