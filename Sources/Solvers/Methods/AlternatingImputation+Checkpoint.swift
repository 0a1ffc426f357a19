/// Imputation's state is V (the imputed diagonal is diag(VVᵀ)) and its loss, both rebuilt from
/// the saved embedding by `makeState`, plus the accelerator's history: Anderson's stored
/// (d, g(d)) pairs or SQUAREM's step bound, and the `lobpcg` inner step's previous direction.
/// The random stream of the exact inner step is the run's, which the driver saves.
extension AlternatingImputation: CheckpointableMethod {
    public func saveState(_ s: State, into r: inout CheckpointRecord) throws {
        if let direction = s.direction { r.set("lobpcg.direction", direction) }
        switch s.accelerator {
        case nil:
            break
        case let .anderson(history)?:
            let (points, images) = history.history
            r.set("anderson.pairs", points.count)
            r.set("anderson.points", points.flatMap { $0 })
            r.set("anderson.images", images.flatMap { $0 })
        case let .squarem(scheme)?:
            r.set("squarem.maximumStep", scheme.maximumStep)
        }
    }

    public func restoreState(_ s: inout State, from r: CheckpointRecord, context: SolverContext) throws {
        let m = s.v.rows
        // Absent in checkpoints of the other inner steps (and of the first refit): no direction.
        if inner == .lobpcg, r["lobpcg.direction"] != nil {
            let direction = try r.matrix("lobpcg.direction", rows: m)
            guard (1...context.dimension).contains(direction.columns) else {
                throw CheckpointError.damaged("the lobpcg direction has \(direction.columns) columns for D = \(context.dimension)")
            }
            s.direction = direction
        }
        switch s.accelerator {
        case nil:
            break
        case var .anderson(history)?:
            let pairs = try r.int("anderson.pairs")
            guard pairs >= 0, pairs <= accelerationMemory + 1 else {
                throw CheckpointError.damaged("the checkpoint holds \(pairs) Anderson pairs, memory \(accelerationMemory) keeps at most \(accelerationMemory + 1)")
            }
            let points = try r.doubles("anderson.points", count: pairs * m)
            let images = try r.doubles("anderson.images", count: pairs * m)
            history.restore(points: (0..<pairs).map { Array(points[$0 * m..<($0 + 1) * m]) },
                            images: (0..<pairs).map { Array(images[$0 * m..<($0 + 1) * m]) })
            s.accelerator = .anderson(history)
        case .squarem?:
            let bound = try r.double("squarem.maximumStep")
            guard bound >= 1, bound.isFinite else { throw CheckpointError.damaged("SQUAREM step bound \(bound) in the checkpoint") }
            s.accelerator = .squarem(SQUAREM(maximumStep: bound))
        }
    }
}
