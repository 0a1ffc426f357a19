/// Imputation's V and its loss are rebuilt from the saved embedding by `makeState`; the random
/// stream of the exact inner step is the run's, which the driver saves. What V cannot give back
/// is the accelerator's memory: Anderson's stored (d, g(d)) pairs and SQUAREM's step bound. Without
/// them a resumed run would extrapolate from an empty history and leave the uninterrupted path.
extension AlternatingImputation: CheckpointableMethod {
    public func saveState(_ s: State, into r: inout CheckpointRecord) throws {
        switch s.accelerator {
        case nil:
            break
        case let .anderson(history)?:
            r.set("anderson.pairs", history.points.count)
            r.set("anderson.points", history.points.flatMap { $0 })
            r.set("anderson.images", history.images.flatMap { $0 })
        case let .squarem(scheme)?:
            r.set("squarem.maximumStep", scheme.maximumStep)
        }
    }

    public func restoreState(_ s: inout State, from r: CheckpointRecord, context: SolverContext) throws {
        switch s.accelerator {
        case nil:
            break
        case var .anderson(history)?:
            let pairs = try r.int("anderson.pairs")
            let n = context.problem.itemCount
            guard (0...history.memory + 1).contains(pairs) else {
                throw CheckpointError.damaged("impute: \(pairs) Anderson pairs saved, the memory holds at most \(history.memory + 1)")
            }
            let points = try r.doubles("anderson.points", count: pairs * n)
            let images = try r.doubles("anderson.images", count: pairs * n)
            history.points = (0..<pairs).map { Array(points[($0 * n)..<($0 * n + n)]) }
            history.images = (0..<pairs).map { Array(images[($0 * n)..<($0 * n + n)]) }
            s.accelerator = .anderson(history)
        case var .squarem(scheme)?:
            let bound = try r.double("squarem.maximumStep")
            guard bound >= SQUAREM.initialMaximumStep, bound.isFinite else {
                throw CheckpointError.damaged("impute: SQUAREM step bound \(bound) is not ≥ 1")
            }
            scheme.maximumStep = bound
            s.accelerator = .squarem(scheme)
        }
    }
}
