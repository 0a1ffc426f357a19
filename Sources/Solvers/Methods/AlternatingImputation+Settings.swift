extension AlternatingImputation: RegistrableMethod {
    public static let methodName = "impute"
    public static let summary = "Alternating imputation: refill X's diagonal with diag(VVᵀ), refit; the loss never increases."
    public static let family = MethodFamily.maskedLoss

    public struct Settings: SettingsGroup {
        public var inner: Inner = .lobpcg
        /// Extrapolation on the diagonal (see ImputationAcceleration.swift).
        public var acceleration: Acceleration = .anderson
        /// Anderson's difference columns m.
        public var accelerationMemory = 5

        public init() {}

        public static var options: [SettingOption<Self>] {
            [.value("impute-inner", \.inner, help: "Imputation inner step: lobpcg (Rayleigh–Ritz on [V, YV, P], P the previous update), subspace (on [V, YV]) or exact (full eigensolve)."),
             .value("acceleration", \.acceleration, help: "Imputation extrapolation on the diagonal: none (the plain loop), anderson, squarem."),
             .value("acceleration-memory", \.accelerationMemory, help: "Anderson acceleration memory m (difference columns) for impute.")]
        }

        public func validate() throws {
            guard (1...AlternatingImputation.maximumAccelerationMemory).contains(accelerationMemory) else {
                throw ProblemError.invalidOption("acceleration-memory must be 1 … \(AlternatingImputation.maximumAccelerationMemory), got \(accelerationMemory)")
            }
        }
    }

    /// Under mpirun each rank holds only its rows of V (inner products through `ItemSums`).
    public static let runsOnLocalRows = true

    public init(settings: Settings, solver: SolverSettings) {
        self.init(inner: settings.inner, eigenRoute: solver[EigenMethod.Settings.self].route,
                  acceleration: settings.acceleration, accelerationMemory: settings.accelerationMemory)
    }

    public static func memoryNeeds(settings: Settings, sizes: MemoryNeed.Sizes) -> [MemoryNeed] {
        // lobpcg adds P, P̂, YP̂ and the next P: four M × k blocks, k = max(4, D/20) columns.
        let momentum = settings.inner == .lobpcg
            ? 4 * sizes.block * Double(MomentumRayleighRitzStep.directionColumns(dimension: Int(sizes.dimension))) / max(sizes.dimension, 1)
            : 0
        return [MemoryNeed(bytes: sizes.block * 6 + momentum)]
    }
}
