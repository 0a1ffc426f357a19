import LinearAlgebra

/// Accelerated alternating imputation: Anderson acceleration or SQUAREM on the diagonal d.
///
/// The loop is the fixed-point map d ↦ g(d) = diag(V(d)V(d)ᵀ), V(d) the top-D PSD factor of
/// Y(d) = X − diag(X) + diag(d): M numbers, so extrapolating on d costs O(M·m) beside a refit.
/// The inner step is inexact (one Rayleigh–Ritz on span[V, YV] from a warm basis), so g also
/// depends on the basis it starts from; the basis is carried along — every refit, plain or
/// extrapolated, starts from the current accepted V — so that as d settles V settles with it and
/// the accelerated iteration sees (to the accuracy the plain loop has) a function of d.
///
/// Safeguard: the majorisation L(V) ≤ ‖Y(d) − VVᵀ‖²_F holds for every d, but equality (and hence
/// the guaranteed decrease) only at d = diag(VVᵀ). An extrapolated d is therefore kept only when
/// the masked loss of its refit is strictly below the current loss; otherwise the plain step is
/// taken, which keeps the monotone guarantee of the plain loop.
extension AlternatingImputation {
    public enum Acceleration: String, Sendable, CaseIterable, Codable, SettingValue {
        /// Today's loop, iterate for iterate.
        case none
        /// Anderson acceleration (type II) with `accelerationMemory` difference columns.
        case anderson
        /// SQUAREM (scheme S3): two plain steps, one extrapolation, per iteration.
        case squarem
    }

    /// The extrapolation history carried in the state.
    enum Accelerator {
        case anderson(AndersonAcceleration)
        case squarem(SQUAREM)
    }

    func makeAccelerator() -> Accelerator? {
        switch acceleration {
        case .none: return nil
        case .anderson: return .anderson(AndersonAcceleration(memory: accelerationMemory))
        case .squarem: return .squarem(SQUAREM())
        }
    }

    /// One refit from the current basis at diagonal `d`, with its loss.
    func refit(at d: [Double], from v: Matrix, direction: Matrix?, context: SolverContext) throws -> (v: Matrix, loss: Double, direction: Matrix?) {
        let shift = Self.diagonalShift(d, problem: context.problem)
        let candidate = try refit(base: context.problem.operator_, shift: shift, v: v, direction: direction, context: context)
        return (candidate.v, context.objective.loss(candidate.v), candidate.direction)
    }

    /// ‖d⁺ − d‖/‖d‖, the same diagnostic the plain loop reports (sums completed over participants).
    static func relativeChange(_ new: [Double], _ old: [Double], sums: ItemSums = .oneProcess) -> Double {
        let (changeSquared, oldSquared) = sums(zip(new, old).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) },
                                               old.reduce(0) { $0 + $1 * $1 })
        return changeSquared.squareRoot() / max(oldSquared.squareRoot(), 1e-300)
    }

    /// Extrapolated diagonals leave the cone diag(VVᵀ) ≥ 0 that every g(d) lies in; project back.
    static func clampedToCone(_ d: [Double]) -> [Double] { d.map { max($0, 0) } }

    func acceleratedStep(_ s: inout State, context: SolverContext) throws -> StepReport {
        switch s.accelerator {
        case var .anderson(history)?:
            defer { s.accelerator = .anderson(history) }
            return try andersonStep(&s, history: &history, context: context)
        case var .squarem(scheme)?:
            defer { s.accelerator = .squarem(scheme) }
            return try squaremStep(&s, scheme: &scheme, context: context)
        case nil:
            preconditionFailure("accelerated step without an accelerator")
        }
    }

    /// Anderson: try the mixed diagonal; on a rise, forget the history and take the plain step.
    func andersonStep(_ s: inout State, history: inout AndersonAcceleration, context: SolverContext) throws -> StepReport {
        let d = s.v.rowNormsSquared
        let sums = context.itemSums
        var refits = 0
        if history.count >= 2, let mixed = try history.proposal(sums: sums).map(Self.clampedToCone), !sums.everywhere(mixed == d) {
            let trial = try refit(at: mixed, from: s.v, direction: s.direction, context: context)
            refits += 1
            if trial.loss.isFinite, trial.loss < s.loss {
                let image = trial.v.rowNormsSquared
                history.record(point: mixed, image: image)
                s.v = trial.v
                s.loss = trial.loss
                s.direction = trial.direction
                return StepReport(extras: ["diagonalChange": Self.relativeChange(image, d, sums: sums), "refits": 1, "accelerated": 1])
            }
            history.reset()
        }
        let plain = try refit(at: d, from: s.v, direction: s.direction, context: context)
        refits += 1
        let image = plain.v.rowNormsSquared
        let extras: [String: Double] = ["diagonalChange": Self.relativeChange(image, d, sums: sums), "refits": Double(refits), "accelerated": 0]
        guard plain.loss < s.loss else { return StepReport(status: .converged, extras: extras) }
        history.record(point: d, image: image)
        s.v = plain.v
        s.loss = plain.loss
        s.direction = plain.direction
        return StepReport(extras: extras)
    }

    /// SQUAREM: two plain steps (each monotone), then the extrapolation from their three
    /// diagonals, kept only if its refit lowers the loss below the second plain step's.
    func squaremStep(_ s: inout State, scheme: inout SQUAREM, context: SolverContext) throws -> StepReport {
        let x0 = s.v.rowNormsSquared
        let sums = context.itemSums
        let first = try refit(at: x0, from: s.v, direction: s.direction, context: context)
        let x1 = first.v.rowNormsSquared
        var extras: [String: Double] = ["diagonalChange": Self.relativeChange(x1, x0, sums: sums), "refits": 1, "accelerated": 0]
        guard first.loss < s.loss else { return StepReport(status: .converged, extras: extras) }
        s.v = first.v
        s.loss = first.loss
        s.direction = first.direction
        let second = try refit(at: x1, from: s.v, direction: s.direction, context: context)
        let x2 = second.v.rowNormsSquared
        extras["refits"] = 2
        extras["diagonalChange"] = Self.relativeChange(x2, x0, sums: sums)
        // No decrease from the second step: the fixed point is reached after the first.
        guard second.loss < s.loss else { return StepReport(status: .converged, extras: extras) }
        s.v = second.v
        s.loss = second.loss
        s.direction = second.direction
        guard let (point, alpha) = SQUAREM.proposalClamped(scheme.proposal(x0: x0, x1: x1, x2: x2, sums: sums)) else {
            scheme.recordUnitStep()
            return StepReport(stepSize: 1, extras: extras)
        }
        let trial = try refit(at: point, from: s.v, direction: s.direction, context: context)
        extras["refits"] = 3
        let accepted = trial.loss.isFinite && trial.loss < s.loss
        scheme.record(steplength: alpha, accepted: accepted)
        guard accepted else { return StepReport(stepSize: 1, extras: extras) }
        let image = trial.v.rowNormsSquared
        s.v = trial.v
        s.loss = trial.loss
        s.direction = trial.direction
        extras["diagonalChange"] = Self.relativeChange(image, x0, sums: sums)
        extras["accelerated"] = 1
        return StepReport(stepSize: alpha, extras: extras)
    }
}

extension SQUAREM {
    /// The proposal projected onto the cone d ≥ 0 (see `AlternatingImputation.clampedToCone`).
    static func proposalClamped(_ p: (point: [Double], steplength: Double)?) -> (point: [Double], steplength: Double)? {
        p.map { (AlternatingImputation.clampedToCone($0.point), $0.steplength) }
    }
}
