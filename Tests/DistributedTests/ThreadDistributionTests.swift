import XCTest
import LinearAlgebra
@testable import Solvers
import TestSupport

/// The distributed problem on a `ThreadTeam`: participants are threads, each holding only its item
/// block of S, running the same code an MPI rank runs. Compared with the single-process problem.
final class ThreadDistributionTests: XCTestCase, ThreadTeamTestCase {
    static let ownRowsOnly = false

    func testLossGradientAndConstantsMatchOneProcess() throws {
        let s = try interactions()
        let whole = try Problem(interactions: s)
        var rng = SplitMix64(seed: 3)
        let d = 5
        let v = RandomProblems.gaussianMatrix(rows: s.columns, columns: d, using: &rng)
        let reference = try MaskedLoss(problem: whole, dimension: d).evaluate(v)
        for ranks in [2, 3] {
            let out = try onTeam(s, ranks: ranks, dimension: d) { problem -> (Double, Double, Matrix, [Double], Double) in
                let loss = try MaskedLoss(problem: problem, dimension: d)
                let (l, g) = loss.evaluate(v)
                return (problem.frobeniusNormSquared, l, g, problem.diagonal, loss.loss(v))
            }
            for (rank, o) in out.enumerated() {
                XCTAssertEqual(o.0, whole.frobeniusNormSquared, accuracy: 1e-12 * whole.frobeniusNormSquared, "ranks \(ranks) rank \(rank)")
                XCTAssertEqual(o.3, whole.diagonal)
                XCTAssertEqual(o.1, reference.loss, accuracy: 1e-12 * reference.loss)
                XCTAssertEqual(o.4, o.1, "a loss alone is the same number as with the gradient")
                XCTAssertLessThan(maxDifference(o.2, reference.gradient), 1e-12 * maxAbs(reference.gradient))
                // Every participant holds bitwise the same numbers (the solvers' decisions rest on it).
                XCTAssertEqual(o.1, out[0].1)
                XCTAssertEqual(o.2.storage, out[0].2.storage)
            }
        }
    }

    func testOperatorAndEigenInitialisationMatchOneProcess() throws {
        let s = try interactions()
        let whole = try Problem(interactions: s)
        let d = 4
        // ARPACK keeps its state in Fortran SAVE variables (one per process), so its distributed form
        // is tested under mpirun (MPIRunTests), where each participant is a process.
        for backend in [SpectralEmbedding.Route.gram, .block] {
            let reference = try SpectralEmbedding.compute(problem: whole, dimension: d, route: backend, seed: 1)
            let out = try onTeam(s, ranks: 3, dimension: d) { problem in
                try SpectralEmbedding.compute(problem: problem, dimension: d, route: backend, seed: 1)
            }
            for o in out {
                for j in 0..<d {
                    XCTAssertEqual(o.eigenvalues[j], reference.eigenvalues[j], accuracy: 1e-9 * reference.eigenvalues[0], "\(backend)")
                }
                // Same sign convention: the embeddings agree entry by entry, not up to sign.
                XCTAssertLessThan(maxDifference(o.embedding, reference.embedding), 1e-7 * maxAbs(reference.embedding), "\(backend)")
                XCTAssertEqual(o.embedding.storage, out[0].embedding.storage)
            }
        }
    }

    func testSolversReachTheSameLossAsOneProcess() throws {
        let s = try interactions()
        let whole = try Problem(interactions: s)
        for kind in [LBFGS.methodName, GradientDescent.methodName, Adam.methodName, AlternatingImputation.methodName] {
            let method = try MethodRegistry.named(kind)
            var settings = SolverSettings(dimension: 4)
            // impute (lobpcg inner step) reaches the floating-point floor of its loss after ~19
            // refits here, and where it then stops depends on rounding: compare before that.
            settings.maxIterations = kind == AlternatingImputation.methodName ? 12 : 25
            settings.relativeTolerance = 0
            let reference = try method.run(problem: whole, settings: settings)
            let out = try onTeam(s, ranks: 2, dimension: 4) { problem in try method.run(problem: problem, settings: settings) }
            for o in out {
                XCTAssertEqual(o.iterations, reference.iterations, "\(kind)")
                XCTAssertEqual(o.finalLoss, reference.finalLoss, accuracy: 1e-10 * reference.finalLoss, "\(kind)")
                XCTAssertEqual(o.finalLoss, out[0].finalLoss, "\(kind): ranks disagree")
            }
        }
    }

    func testClockDecisionsAreRankZeros() throws {
        // The driver's time limit: whatever each participant's own clock says, all follow rank 0.
        let s = try interactions()
        for zeroSays in [false, true] {
            let out = try onTeam(s, ranks: 3, dimension: 4) { problem in
                Driver.agreed(problem.distribution!.rank == 0 ? zeroSays : !zeroSays, problem)
            }
            XCTAssertEqual(out, [zeroSays, zeroSays, zeroSays])
        }
    }

    func testEigenRouteAndLossBoundAreTheSameOnEveryParticipant() throws {
        // Fewer users than items: gram; more: the block method — the one-process rule, taken from
        // the total likes (each participant's block has its own nonzeros, so a choice made from
        // them could differ).
        for (users, items, expected) in [(30, 37, SpectralEmbedding.Route.gram), (45, 20, .block)] {
            let s = try interactions(users: users, items: items)
            let whole = try Problem(interactions: s)
            XCTAssertEqual(try SpectralEmbedding.resolve(.automatic, for: whole, dimension: 4), expected)
            let routes = try onTeam(s, ranks: 3, dimension: 4) { problem in
                try SpectralEmbedding.resolve(.automatic, for: problem, dimension: 4)
            }
            XCTAssertEqual(routes, [expected, expected, expected])
            let explicit = try onTeam(s, ranks: 2, dimension: 4) { problem in
                try SpectralEmbedding.resolve(.block, for: problem, dimension: 4)
            }
            XCTAssertEqual(explicit, [.block, .block])
            var rng = SplitMix64(seed: 5)
            let v = RandomProblems.gaussianMatrix(rows: s.columns, columns: 4, using: &rng)
            let single = try MaskedLoss(problem: whole, dimension: 4)
            single.allowsDirectRefinement = false
            _ = single.loss(v)
            let bounds = try onTeam(s, ranks: 3, dimension: 4) { problem in
                let loss = try MaskedLoss(problem: problem, dimension: 4)
                _ = loss.loss(v)
                return loss.lastErrorBound
            }
            // Replicated, and never below the single-process bound (a longer row length only widens it).
            XCTAssertEqual(Set(bounds).count, 1, "\(bounds)")
            XCTAssertGreaterThanOrEqual(bounds[0], single.lastErrorBound)
        }
    }

    func testStopReasonIsRankZeros() throws {
        // A deadline that only rank 1's token has passed: nobody stops, every rank runs the same
        // iterations; on rank 0 only: every rank stops after the same iteration.
        let s = try interactions()
        for stopper in [1, 0] {
            let out = try onTeam(s, ranks: 2, dimension: 3) { problem -> (Termination, Int) in
                let method = try MethodRegistry.named(GradientDescent.methodName)
                var settings = SolverSettings(dimension: 3)
                settings.maxIterations = 6
                settings.relativeTolerance = 0
                settings.initialPoint = .random(scale: 1)
                let stop = StopToken()
                if problem.distribution!.rank == stopper { _ = stop.requestStop(.timeLimit) }
                let r = try method.run(problem: problem, settings: settings, control: RunControl(stop: stop))
                return (r.termination, r.iterations)
            }
            let expected: (Termination, Int) = stopper == 0 ? (.timeLimit, 0) : (.maxIterations, 6)
            for o in out {
                XCTAssertEqual(o.0, expected.0, "stopper \(stopper)")
                XCTAssertEqual(o.1, expected.1, "stopper \(stopper)")
            }
        }
    }

    func testAFailingParticipantFailsEveryParticipant() throws {
        let s = try interactions()
        let team = ThreadTeam(size: 3)
        let bounds = ItemDistribution.balancedBounds(itemNonzeros: [Int](repeating: 1, count: s.columns), parts: 3, dimension: 4)
        XCTAssertThrowsError(try team.run { comm in
            let distribution = ItemDistribution(communicator: comm, bounds: bounds)
            // Rank 1 hands in all of S (nonzeros outside its block): every rank must refuse.
            let local = comm.rank == 1 ? s : try distribution.localBlock(of: s)
            _ = try Problem(interactionsBlock: local, distribution: distribution)
        }) { error in
            XCTAssertTrue("\(error)".contains("outside its item block"), "\(error)")
        }
    }
}

final class ResultBox<T>: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var values: [T?]
    init(count: Int) { values = [T?](repeating: nil, count: count) }
    func set(_ i: Int, _ v: T) { lock.lock(); values[i] = v; lock.unlock() }
}
