import Foundation
import LinearAlgebra

/// Builds the start of a method that takes one from `InitialPoint`.
public enum StartingPoint {
    /// The starting embedding and notes about it. The eigen start uses the eigen method's
    /// settings; a file start is read by `readStart` (this module does no file I/O).
    public static func make(_ point: InitialPoint, problem: Problem, dimension: Int, seed: UInt64,
                            eigen: EigenMethod.Settings = .init(),
                            readStart: ((URL) throws -> Matrix)? = nil) throws -> (Matrix, [String]) {
        switch point {
        case .eigen:
            let out = try SpectralEmbedding.compute(problem: problem, dimension: dimension, route: eigen.route,
                                                    blockTolerance: SpectralEmbedding.initializationTolerance, seed: seed)
            return (out.embedding, out.notes)
        case let .random(scale):
            guard scale > 0, scale.isFinite else { throw ProblemError.invalidOption("init-scale must be positive, got \(scale)") }
            var rng = SeededGenerator(seed: seed ^ 0x5EED_0F_4A4D)
            let held = problem.heldRows
            if held.count < problem.itemCount {
                // Local rows: the one-process stream (column-major over all M rows), keeping only
                // this participant's rows, so the start is the one-process start cut into blocks.
                var v = Matrix(rows: held.count, columns: dimension)
                for j in 0..<dimension {
                    for i in 0..<problem.itemCount {
                        let x = scale * rng.nextGaussian()
                        if held.contains(i) { v[i - held.lowerBound, j] = x }
                    }
                }
                return (v, [])
            }
            return (Matrix(rows: problem.itemCount, columns: dimension) { _, _ in scale * rng.nextGaussian() }, [])
        case let .file(url):
            guard let readStart else {
                throw ProblemError.invalidOption("init=\(url.path): a file start needs a reader (Workflows.StartFile.read)")
            }
            // Distributed: a reader that fails on one participant fails on all (one collective).
            var read: Matrix? = nil, failure: (any Error)? = nil
            do { read = try readStart(url) } catch { failure = error }
            if let distribution = problem.distribution { try distribution.agree(failure) } else if let failure { throw failure }
            let v = read!
            // A reader may hand over only the held rows (local rows: `StartFile.readRows` reads just
            // the participant's rows); a whole file is cut to them.
            let whole = v.rows == problem.itemCount
            guard whole || v.rows == problem.heldRows.count, v.columns == dimension else {
                throw ProblemError.shapeMismatch("\(url.path) holds a \(v.rows)×\(v.columns) embedding, the problem needs \(problem.itemCount)×\(dimension)")
            }
            guard problem.itemSums.everywhere(v.isFinite) else { throw ProblemError.nonFinite("\(url.path) has NaN or infinite entries") }
            return (whole ? problem.heldPart(of: v) : v, [])
        }
    }
}
