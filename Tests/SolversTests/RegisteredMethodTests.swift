import Testing
import Foundation
import LinearAlgebra
import DataIO
import TestSupport
@testable import Solvers

extension RegisteredMethod: CustomTestStringConvertible {
    public var testDescription: String { name }
}

/// The shared harness every registered method runs through (like Optim.jl's
/// `run_optim_tests(method)`): a method gets these tests by being in `MethodRegistry.all`.
///
/// * masked-loss methods: exact recovery of a planted X = V★V★ᵀ (+ an arbitrary diagonal for
///   methods that iterate from a start); sampled methods: the planted-cluster check;
/// * the same seed gives the same bytes;
/// * `--init` is honoured: iteration 0 is the given start (random or file) for methods that take
///   one; methods that make their own start ignore it, say so in a note, and give the same result;
/// * the time limit stops the run.
@Suite(.serialized) struct RegisteredMethodTests {
    /// Settings for a reproducible run: one thread where a method has Hogwild threads, and
    /// `epochs` epochs where a method counts epochs (nil = its default).
    static func settings(_ method: RegisteredMethod, dimension: Int, maxIterations: Int, epochs: Int? = 2) throws -> SolverSettings {
        var s = SolverSettings(dimension: dimension)
        s.maxIterations = maxIterations
        s.relativeTolerance = 0
        for group in method.settingGroups {
            if group.has("threads") { _ = try group.apply("threads", "1", to: &s) }
            if let epochs, group.has("epochs") { _ = try group.apply("epochs", String(epochs), to: &s) }
        }
        return s
    }

    static let clusters = plantedClusters()

    /// The problem a method of this family is tested on.
    static func problem(for method: RegisteredMethod) throws -> Problem {
        switch method.family {
        case .maskedLoss:
            let s = RandomProblems.interactions(users: 25, items: 40, density: 0.2, seed: 9)
            return try Problem(interactions: s)
        case .sampled:
            return try Problem(interactions: clusters)
        }
    }

    @Test func registryNamesAreUniqueAndDefaultsValid() throws {
        #expect(Set(MethodRegistry.names).count == MethodRegistry.all.count)
        let defaults = SolverSettings(dimension: 3)
        for method in MethodRegistry.all {
            for group in method.settingGroups { try group.validate(defaults) }
            #expect(!method.summary.isEmpty)
        }
        #expect(MethodRegistry.defaultComparison.allSatisfy { $0.family == .maskedLoss })
    }

    /// X = V★V★ᵀ + an arbitrary diagonal: every method that iterates from a start reaches
    /// L ≤ 1e-10·‖offdiag X‖²_F from the eigen start, which is measurably worse. A direct method
    /// (eigen) fits X = V★V★ᵀ exactly when the diagonal is consistent, and not otherwise.
    @Test(arguments: MethodRegistry.all.filter { $0.family == .maskedLoss })
    func maskedLossMethodsRecoverPlantedProblems(method: RegisteredMethod) throws {
        let (x, truth) = RandomProblems.planted(items: 24, rank: 3, seed: 8)
        guard method.startRequirement != .none else {
            var consistent = x
            let gram = BLAS.multiply(truth, .none, truth, .transpose)
            for i in 0..<24 { consistent[i, i] = gram[i, i] }
            let exact = try Problem(dense: consistent)
            let r = try method.run(problem: exact, settings: try Self.settings(method, dimension: 3, maxIterations: 200))
            #expect(r.finalLoss <= 1e-10 * exact.offDiagonalNormSquared, "\(method.name): \(r.finalLoss), \(r.termination)")
            // The arbitrary diagonal is what a direct fit cannot ignore.
            let p = try Problem(dense: x)
            let off = try method.run(problem: p, settings: try Self.settings(method, dimension: 3, maxIterations: 200))
            #expect(off.finalLoss > 1e-6 * p.offDiagonalNormSquared)
            return
        }
        let p = try Problem(dense: x)
        let solved = try method.run(problem: p, settings: try Self.settings(method, dimension: 3, maxIterations: 50_000))
        #expect(solved.finalLoss <= 1e-10 * p.offDiagonalNormSquared, "\(method.name): \(solved.finalLoss), \(solved.termination)")
        #expect(solved.trace[0].loss > 1e-6 * p.offDiagonalNormSquared)
    }

    /// Two planted communities of items: within-cluster cosines clearly above between-cluster
    /// ones after ten epochs at the method's default settings (a random embedding scores ≈ 0 on
    /// both).
    @Test(arguments: MethodRegistry.all.filter { $0.family == .sampled })
    func sampledMethodsSeparatePlantedClusters(method: RegisteredMethod) throws {
        let r = try method.run(problem: try Self.problem(for: method),
                               settings: try Self.settings(method, dimension: 8, maxIterations: 10, epochs: nil))
        let (within, between) = clusterCosines(r.embedding, size: 15)
        #expect(within > between + 0.1, "\(method.name): within \(within), between \(between)")
        #expect(r.iterations == 10, "sampled methods run their epochs (default 10)")
    }

    @Test(arguments: MethodRegistry.all)
    func sameSeedSameBytes(method: RegisteredMethod) throws {
        let problem = try Self.problem(for: method)
        var settings = try Self.settings(method, dimension: 4, maxIterations: 5)
        settings.seed = 42
        if method.startRequirement != .none { settings.initialPoint = .random(scale: 0.5) }
        let a = try method.run(problem: problem, settings: settings)
        let b = try method.run(problem: problem, settings: settings)
        #expect(a.embedding.storage == b.embedding.storage)
        #expect(a.trace.map(\.loss) == b.trace.map(\.loss))
        // Where the seed matters (random starts, sampled tables), another seed changes the result.
        if method.startRequirement != .none || method.family == .sampled {
            settings.seed = 43
            let c = try method.run(problem: problem, settings: settings)
            #expect(c.embedding.storage != a.embedding.storage)
        }
    }

    /// Iteration 0 is the start the run was given, for `--init random` and `--init file.npy`:
    /// its loss is the loss of that V (not of the eigen start).
    @Test(arguments: MethodRegistry.all.filter { $0.startRequirement != .none })
    func initIsHonoured(method: RegisteredMethod) throws {
        let problem = try Self.problem(for: method)
        var settings = try Self.settings(method, dimension: 4, maxIterations: 2)
        settings.seed = 5
        let objective = try MaskedLoss(problem: problem, dimension: 4)
        let eigenStart = try StartingPoint.make(.eigen, problem: problem, dimension: 4, seed: 5).0
        let eigenLoss = objective.loss(eigenStart)

        settings.initialPoint = .random(scale: 0.5)
        let randomStart = try StartingPoint.make(.random(scale: 0.5), problem: problem, dimension: 4, seed: 5).0
        let fromRandom = try method.run(problem: problem, settings: settings)
        #expect(relativeError(fromRandom.trace[0].loss, objective.loss(randomStart)) <= 1e-12, "\(method.name)")
        #expect(relativeError(fromRandom.trace[0].loss, eigenLoss) > 1e-3)
        #expect(fromRandom.initialization == "random(scale=0.5)")

        let dir = try TemporaryDirectory()
        let given = RandomProblems.gaussian(rows: problem.itemCount, columns: 4, scale: 0.3, seed: 77)
        try NPY.write(given, to: dir.file("start.npy"))
        settings.initialPoint = .file(dir.file("start.npy"))
        let fromFile = try method.run(problem: problem, settings: settings, readStart: NPY.read)
        #expect(relativeError(fromFile.trace[0].loss, objective.loss(given)) <= 1e-12, "\(method.name)")
        #expect(fromFile.initialization == "start.npy")
        // Without a reader the file start is refused, not replaced by another start.
        #expect(throws: ProblemError.self) { try method.run(problem: problem, settings: settings) }
    }

    /// Methods that make their own start give the same result whatever `--init` says, and say so.
    @Test(arguments: MethodRegistry.all.filter { $0.startRequirement == .none })
    func ownStartMethodsIgnoreInitAndSaySo(method: RegisteredMethod) throws {
        let problem = try Self.problem(for: method)
        let settings = try Self.settings(method, dimension: 4, maxIterations: 2)
        var random = settings
        random.initialPoint = .random(scale: 0.5)
        let a = try method.run(problem: problem, settings: settings)
        let b = try method.run(problem: problem, settings: random)
        #expect(a.embedding.storage == b.embedding.storage)
        #expect(b.notes.contains { $0.contains("does not apply") }, "\(b.notes)")
        #expect(!a.notes.contains { $0.contains("does not apply") })
    }

    /// A limit shorter than any iteration stops every iterative method before its first step
    /// (direct methods complete in set-up); a larger one ends a long run early.
    @Test(arguments: MethodRegistry.all)
    func timeLimitIsHonoured(method: RegisteredMethod) throws {
        let problem = try Self.problem(for: method)
        var settings = try Self.settings(method, dimension: 4, maxIterations: 1_000_000_000)
        for group in method.settingGroups where group.has("epochs") { _ = try group.apply("epochs", "1000000000", to: &settings) }
        settings.timeLimit = 1e-7
        let immediate = try method.run(problem: problem, settings: settings)
        #expect(immediate.iterations == 0)
        #expect(immediate.termination == .timeLimit || immediate.termination == .completed, "\(immediate.termination)")

        settings.timeLimit = 0.3
        let clock = ContinuousClock(), t0 = clock.now
        let limited = try method.run(problem: problem, settings: settings)
        #expect((clock.now - t0).seconds < 5, "\(method.name) ran past its 0.3 s limit")
        #expect([.timeLimit, .completed, .methodConverged, .lineSearchFailed].contains(limited.termination),
                "\(method.name): \(limited.termination)")
    }
}
