import ArgumentParser
import Foundation
import LinearAlgebra
import DataIO
import Solvers
import Workflows

/// Alternating imputation started from a given V (the benchmark reuses its eigen start).
struct ImputeFromStart: SolverMethod {
    let base = AlternatingImputation()
    var name: String { base.name }
    var needsStart: Bool { true }
    func makeState(start: Matrix?, context: SolverContext) throws -> AlternatingImputation.State {
        try base.makeState(start: start, context: context)
    }
    func step(_ state: inout AlternatingImputation.State, context: SolverContext) throws -> StepReport {
        try base.step(&state, context: context)
    }
    func embedding(of state: AlternatingImputation.State) -> Matrix { base.embedding(of: state) }
    func loss(of state: AlternatingImputation.State) -> Double { base.loss(of: state) }
}
