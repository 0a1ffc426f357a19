/// Everything one run of a named solver needs: the problem-wide dimension and seed, the run's
/// settings, and each method's settings group (its defaults until set).
public struct SolverSettings: Sendable {
    public var dimension: Int
    public var seed: UInt64 = 0
    private var groups: [String: any SettingsGroup] = [:]

    public init(dimension: Int) { self.dimension = dimension }

    /// The settings group `G` (its defaults until set).
    public subscript<G: SettingsGroup>(_: G.Type) -> G {
        get { groups[Self.key(G.self)] as? G ?? G() }
        set { groups[Self.key(G.self)] = newValue }
    }

    static func key<G: SettingsGroup>(_: G.Type) -> String { String(reflecting: G.self) }

    public var run: RunSettings {
        get { self[RunSettings.self] }
        set { self[RunSettings.self] = newValue }
    }

    public var initialPoint: InitialPoint {
        get { run.initialPoint }
        set { run.initialPoint = newValue }
    }
    public var maxIterations: Int {
        get { run.maxIterations }
        set { run.maxIterations = newValue }
    }
    public var timeLimit: Double? {
        get { run.timeLimit }
        set { run.timeLimit = newValue }
    }
    public var relativeTolerance: Double {
        get { run.relativeTolerance }
        set { run.relativeTolerance = newValue }
    }
    public var gradientTolerance: Double {
        get { run.gradientTolerance }
        set { run.gradientTolerance = newValue }
    }

    /// The dimension and every group that was set (unset groups hold their defaults).
    public func validate() throws {
        guard dimension >= 1 else { throw ProblemError.invalidOption("dim must be ≥ 1, got \(dimension)") }
        try run.validate()
        for key in groups.keys.sorted() { try groups[key]?.validate() }
    }
}
