extension LBFGS: RegistrableMethod {
    public static let methodName = "lbfgs"
    public static let summary = "L-BFGS with a strong-Wolfe line search and the diag(VᵀV)⁻¹ column preconditioner."
    public static let family = MethodFamily.maskedLoss

    public struct Settings: SettingsGroup {
        /// 3 and Float32 pairs: the least CPU time to 1e-6 on ml-latest-small (docs/performance.md,
        /// "L-BFGS passes"); 40 iterations against 39 at memory 5, the same minimum.
        public var memory: Int = 3
        public var preconditioning: Preconditioning = .gram
        public var pairPrecision: PairPrecision = .single

        public init() {}

        public static var options: [SettingOption<Self>] {
            [.value("memory", \.memory, help: "L-BFGS memory (number of correction pairs)."),
             .value("preconditioning", \.preconditioning, help: "L-BFGS initial inverse Hessian: gram (right-preconditioned by diag(VᵀV)⁻¹ of the start) or none (γ·I)."),
             .value("pair-precision", \.pairPrecision, help: "Storage of the L-BFGS pairs: double or single (Float32: half the memory traffic; iterates, gradients and products stay Float64).")]
        }

        public func validate() throws {
            guard memory >= 1 else { throw ProblemError.invalidOption("memory must be ≥ 1, got \(memory)") }
        }
    }

    /// Under mpirun each rank holds only its rows of V (inner products through `ItemSums`).
    public static let runsOnLocalRows = true

    public init(settings: Settings, solver: SolverSettings) {
        self.init(memory: settings.memory, preconditioning: settings.preconditioning, pairPrecision: settings.pairPrecision)
    }

    /// The history: `memory` pairs of M × D matrices and their small Gram matrices.
    public static func memoryNeeds(settings: Settings, sizes: MemoryNeed.Sizes) -> [MemoryNeed] {
        let m = Double(settings.memory)
        let pairs = 2 * m * sizes.block * (settings.pairPrecision == .single ? 0.5 : 1) + 8 * 4 * m * m
        return [MemoryNeed(bytes: sizes.block * 6 + pairs, what: "L-BFGS history of --memory \(settings.memory) pairs")]
    }
}
