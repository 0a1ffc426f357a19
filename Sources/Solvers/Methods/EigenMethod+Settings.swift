extension EigenMethod: RegistrableMethod {
    public static let methodName = "eigen"
    public static let summary = "Top-D eigenpairs of X: the best rank-D PSD fit, and every other method's default start."
    public static let family = MethodFamily.maskedLoss

    public struct Settings: SettingsGroup {
        public var route: SpectralEmbedding.Route = .automatic

        public init() {}

        public static var options: [SettingOption<Self>] {
            [.value("eigen-backend", \.route, help: "Eigensolver of the eigen method and of the eigen start: automatic, gram, dense, arpack, block (block Rayleigh–Ritz on S·panel products, for large M). Every route is refused before work when it would exceed the memory budget (COEMBED_MEMORY_BUDGET, default half of RAM).")]
        }

        public func validate() throws {}
    }

    /// Under mpirun each rank holds only its rows of V (inner products through `ItemSums`).
    public static let runsOnLocalRows = true

    public init(settings: Settings, solver: SolverSettings) {
        self.init(route: settings.route)
    }

    /// A direct method: it has no start of its own to describe.
    public func ownStartDescription(settings: Settings) -> String { "—" }

    /// The Lanczos basis of up to 2D + 1 vectors (ARPACK; its held rows with PARPACK) or the dense
    /// eigensolver's M × M copy.
    public static func memoryNeeds(settings: Settings, sizes: MemoryNeed.Sizes) -> [MemoryNeed] {
        [MemoryNeed(bytes: max(sizes.block * 3, 8 * (2 * sizes.dimension + 1) * sizes.heldItems))]
    }
}
