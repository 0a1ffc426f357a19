extension GradientDescent: RegistrableMethod {
    public static let methodName = "gd"
    public static let summary = "Gradient descent with Armijo backtracking: the simplest reference method."
    public static let family = MethodFamily.maskedLoss

    /// No command-line settings: the line-search constants are fixed (see the method's init).
    public struct Settings: SettingsGroup {
        public init() {}
        public static var options: [SettingOption<Self>] { [] }
        public func validate() throws {}
    }

    /// Under mpirun each rank holds only its rows of V (inner products through `ItemSums`).
    public static let runsOnLocalRows = true

    public init(settings: Settings, solver: SolverSettings) {
        self.init()
    }

    public static func memoryNeeds(settings: Settings, sizes: MemoryNeed.Sizes) -> [MemoryNeed] {
        [MemoryNeed(bytes: sizes.block * 5)]
    }
}
