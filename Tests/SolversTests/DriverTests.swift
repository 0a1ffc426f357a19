import Testing
import LinearAlgebra
import TestSupport
@testable import Solvers

/// A method that counts steps and reports a scripted loss, to test the driver's rules alone.
struct ScriptedMethod: SolverMethod {
    var losses: [Double]
    var statuses: [StepReport.Status] = []
    var name: String { "scripted" }
    static var startRequirement: StartRequirement { .none }
    struct State { var k = 0; var v: Matrix }
    func makeState(start: Matrix?, context: SolverContext) throws -> State {
        State(v: Matrix(rows: context.problem.itemCount, columns: context.dimension))
    }
    func step(_ s: inout State, context: SolverContext) throws -> StepReport {
        s.k += 1
        return StepReport(status: s.k - 1 < statuses.count ? statuses[s.k - 1] : .proceed, stepSize: Double(s.k))
    }
    func embedding(of s: State) -> Matrix { s.v }
    func loss(of s: State) -> Double { losses[min(s.k, losses.count - 1)] }
}

@Suite struct DriverTests {
    let problem = try! Problem(dense: RandomProblems.planted(items: 8, rank: 2, seed: 1).x)

    @Test func stopsAtMaxIterationsAndRecordsTrace() throws {
        let r = try Driver.run(ScriptedMethod(losses: (0..<100).map { 100 - Double($0) }), problem: problem, dimension: 2,
                               options: DriverOptions(maxIterations: 5, relativeTolerance: 0))
        #expect(r.termination == .maxIterations)
        #expect(r.iterations == 5)
        #expect(r.trace.map(\.iteration) == [0, 1, 2, 3, 4, 5])
        #expect(r.trace.map(\.loss) == [100, 99, 98, 97, 96, 95])
        #expect(r.trace.last?.stepSize == 5)
        #expect(zip(r.trace, r.trace.dropFirst()).allSatisfy { $0.seconds <= $1.seconds })
    }

    @Test func stopsOnRelativeLossChange() throws {
        let r = try Driver.run(ScriptedMethod(losses: [10, 5, 4.9999999]), problem: problem, dimension: 2,
                               options: DriverOptions(maxIterations: 50, relativeTolerance: 1e-6))
        #expect(r.termination == .lossConverged)
        #expect(r.iterations == 2)
    }

    @Test func nonFiniteLossReturnsLastFiniteIterate() throws {
        let r = try Driver.run(ScriptedMethod(losses: [10, 9, .nan]), problem: problem, dimension: 2,
                               options: DriverOptions(maxIterations: 50, relativeTolerance: 0))
        #expect(r.termination == .nonFiniteLoss)
        #expect(r.finalLoss == 9)
    }

    @Test func methodStatusesMapToTerminations() throws {
        let converged = try Driver.run(ScriptedMethod(losses: [3, 2, 1], statuses: [.proceed, .converged]),
                                       problem: problem, dimension: 2, options: DriverOptions(relativeTolerance: 0))
        #expect(converged.termination == .methodConverged && converged.iterations == 2)
        let failed = try Driver.run(ScriptedMethod(losses: [3, 2, 1], statuses: [.lineSearchFailed]),
                                    problem: problem, dimension: 2, options: DriverOptions(relativeTolerance: 0))
        #expect(failed.termination == .lineSearchFailed && failed.iterations == 1)
    }

    @Test func callbackCanStopTheRun() throws {
        var seen: [Int] = []
        let r = try Driver.run(ScriptedMethod(losses: (0..<100).map { 100 - Double($0) }), problem: problem, dimension: 2,
                               options: DriverOptions(maxIterations: 50, relativeTolerance: 0, callback: { e in
                                   seen.append(e.iteration); return e.iteration < 3 }))
        #expect(r.termination == .stoppedByCallback)
        #expect(seen == [0, 1, 2, 3])
    }

    @Test func timeLimitStopsTheRun() throws {
        struct Slow: SolverMethod {
            var name: String { "slow" }
            static var startRequirement: StartRequirement { .none }
            func makeState(start: Matrix?, context: SolverContext) throws -> Matrix { Matrix(rows: 8, columns: 2) }
            func step(_ s: inout Matrix, context: SolverContext) throws -> StepReport {
                let clock = ContinuousClock(); let t = clock.now
                while clock.now - t < .milliseconds(20) {}
                return StepReport()
            }
            func embedding(of s: Matrix) -> Matrix { s }
            func loss(of s: Matrix) -> Double { 1 }
        }
        let r = try Driver.run(Slow(), problem: problem, dimension: 2,
                               options: DriverOptions(maxIterations: 10_000, timeLimit: 0.1, relativeTolerance: 0))
        #expect(r.termination == .timeLimit)
        #expect(r.iterations >= 2 && r.iterations <= 10)
    }

    @Test func refusesBadOptionsAndShapesBeforeWork() throws {
        #expect(throws: ProblemError.self) {
            try Driver.run(ScriptedMethod(losses: [1]), problem: problem, dimension: 0)
        }
        #expect(throws: ProblemError.self) {
            try Driver.run(ScriptedMethod(losses: [1]), problem: problem, dimension: 9)
        }
        #expect(throws: ProblemError.self) {
            try Driver.run(ScriptedMethod(losses: [1]), problem: problem, dimension: 2, options: DriverOptions(timeLimit: -1))
        }
        #expect(throws: ProblemError.self) {
            try Driver.run(LBFGS(), problem: problem, dimension: 2) // needs a start
        }
        #expect(throws: ProblemError.self) {
            try Driver.run(LBFGS(), problem: problem, dimension: 2, start: Matrix(rows: 8, columns: 3))
        }
        var bad = Matrix(rows: 8, columns: 2); bad[0, 0] = .infinity
        #expect(throws: ProblemError.self) { try Driver.run(LBFGS(), problem: problem, dimension: 2, start: bad) }
    }

    /// The start requirement is checked before any work: a required start must be given, and a
    /// method that makes its own start refuses one rather than silently dropping it.
    @Test func startRequirementIsEnforced() throws {
        let start = Matrix(rows: 8, columns: 2) { i, j in Double(i + j + 1) / 10 }
        #expect(throws: ProblemError.invalidOption("lbfgs needs a starting embedding")) {
            try Driver.run(LBFGS(), problem: problem, dimension: 2)
        }
        #expect(throws: ProblemError.invalidOption("scripted makes its own start and takes no starting embedding")) {
            try Driver.run(ScriptedMethod(losses: [1]), problem: problem, dimension: 2, start: start)
        }
        // impute takes a start when given one (iteration 0 is its loss) and makes its own otherwise.
        let given = try Driver.run(AlternatingImputation(), problem: problem, dimension: 2, start: start,
                                   options: DriverOptions(maxIterations: 1))
        #expect(given.trace[0].loss == (try MaskedLoss(problem: problem, dimension: 2).loss(start)))
        let own = try Driver.run(AlternatingImputation(), problem: problem, dimension: 2, options: DriverOptions(maxIterations: 1))
        #expect(own.trace[0].loss != given.trace[0].loss)
    }

    @Test func resultAndTraceAreCodable() throws {
        let r = try Driver.run(ScriptedMethod(losses: [3, 2, 1]), problem: problem, dimension: 2,
                               options: DriverOptions(maxIterations: 2, relativeTolerance: 0))
        let data = try JSONEncoder().encode(r)
        let back = try JSONDecoder().decode(SolverResult.self, from: data)
        #expect(back.trace == r.trace)
        #expect(back.embedding == r.embedding)
        #expect(back.termination == r.termination)
    }
}

import Foundation

/// Records whether writing into the state's iterate had to copy it first (copy-on-write: someone
/// else still held the start's storage).
private final class WriteProbe: @unchecked Sendable { var copied: [Bool] = [] }

private struct InPlaceWriter: SolverMethod {
    let probe: WriteProbe
    var name: String { "in-place" }
    struct State { var v: Matrix }
    func makeState(start: Matrix?, context: SolverContext) throws -> State { State(v: try StartRequirement.require(start, for: name)) }
    func step(_ s: inout State, context: SolverContext) throws -> StepReport {
        let before = s.v.storage.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
        let after = s.v.storage.withUnsafeMutableBufferPointer { b -> UInt in b[0] += 1; return UInt(bitPattern: b.baseAddress) }
        probe.copied.append(before != after)
        return StepReport(status: .proceed)
    }
    func embedding(of s: State) -> Matrix { s.v }
    func loss(of s: State) -> Double { 1 }
    var keepsLastFiniteIterate: Bool { true }
}

@Suite struct DriverStartOwnershipTests {
    let problem = try! Problem(dense: RandomProblems.planted(items: 8, rank: 2, seed: 1).x)

    /// A start handed over with `consume` is the state's own storage: the first write does not
    /// copy it (at 10⁶ items × 128 the copy is one more GB for the whole run).
    @Test func aConsumedStartIsWrittenInPlace() throws {
        let probe = WriteProbe()
        let start = RandomProblems.gaussian(rows: 8, columns: 2, seed: 3)
        _ = try Driver.run(InPlaceWriter(probe: probe), problem: problem, dimension: 2, start: consume start,
                           options: DriverOptions(maxIterations: 2, relativeTolerance: 0))
        #expect(probe.copied == [false, false])
    }

    /// The control: a caller that keeps its start makes the first write copy it, and its own
    /// start is left as it was.
    @Test func aKeptStartIsCopiedOnFirstWrite() throws {
        let probe = WriteProbe()
        let start = RandomProblems.gaussian(rows: 8, columns: 2, seed: 3)
        let kept = start[0, 0]
        _ = try Driver.run(InPlaceWriter(probe: probe), problem: problem, dimension: 2, start: start,
                           options: DriverOptions(maxIterations: 2, relativeTolerance: 0))
        #expect(probe.copied == [true, false])
        #expect(start[0, 0] == kept)
    }
}
