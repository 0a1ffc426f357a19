extension TrustRegionNewton: RegistrableMethod {
    public static let methodName = "newton"
    public static let summary = "Trust-region Newton–CG (Steihaug–Toint) with exact Hessian-vector products and the diag(VᵀV) column scaling."
    public static let family = MethodFamily.maskedLoss

    public struct Settings: SettingsGroup {
        public var maxInnerIterations: Int = 100
        public var acceptance: Double = 1e-4
        public var maxTrials: Int = 30

        public init() {}

        init(maxInnerIterations: Int, acceptance: Double, maxTrials: Int) {
            self.maxInnerIterations = maxInnerIterations
            self.acceptance = acceptance
            self.maxTrials = maxTrials
        }

        public static var options: [SettingOption<Self>] {
            [.value("cg-iterations", \.maxInnerIterations, help: "newton: conjugate-gradient steps allowed per trust-region subproblem."),
             .value("acceptance", \.acceptance, help: "newton: a step is kept when the loss falls by more than this fraction of the model's prediction (0 < η < 0.25)."),
             .value("max-trials", \.maxTrials, help: "newton: radius reductions allowed within one iteration before the run ends with lineSearchFailed.")]
        }

        public func validate() throws {
            guard maxInnerIterations >= 1 else { throw ProblemError.invalidOption("cg-iterations must be ≥ 1, got \(maxInnerIterations)") }
            guard acceptance > 0, acceptance < 0.25 else { throw ProblemError.invalidOption("acceptance must be in (0, 0.25), got \(acceptance)") }
            guard maxTrials >= 1 else { throw ProblemError.invalidOption("max-trials must be ≥ 1, got \(maxTrials)") }
        }
    }

    /// Under mpirun each rank holds only its rows of V (inner products through `ItemSums`).
    public static let runsOnLocalRows = true

    public init(settings: Settings, solver: SolverSettings) {
        self.init(maxInnerIterations: settings.maxInnerIterations, acceptance: settings.acceptance, maxTrials: settings.maxTrials)
    }

    /// V, ∇L, the CG vectors (step, residual, preconditioned residual, direction and their
    /// Hessian products) and the trial point with its gradient: ten M × D buffers, plus the X·E
    /// product of the loss.
    public static func memoryNeeds(settings: Settings, sizes: MemoryNeed.Sizes) -> [MemoryNeed] {
        [MemoryNeed(bytes: sizes.block * 11, what: "newton's conjugate-gradient vectors")]
    }
}
