extension Adam: RegistrableMethod {
    public static let methodName = "adam"
    public static let summary = "Adam on the full masked loss, with an optional plateau decay of the rate."
    public static let family = MethodFamily.maskedLoss

    public struct Settings: SettingsGroup {
        public var learningRate: Double = 1e-2
        public var schedule: Schedule = .plateau

        public init() {}

        public static var options: [SettingOption<Self>] {
            [.value("learning-rate", \.learningRate, help: "Adam learning rate."),
             .value("adam-schedule", \.schedule, help: "Adam learning-rate schedule: constant or plateau (halve when the loss rises).")]
        }

        public func validate() throws {
            guard learningRate > 0, learningRate.isFinite else {
                throw ProblemError.invalidOption("learning-rate must be positive, got \(learningRate)")
            }
        }
    }

    /// Under mpirun each rank holds only its rows of V (inner products through `ItemSums`).
    public static let runsOnLocalRows = true

    public init(settings: Settings, solver: SolverSettings) {
        self.init(learningRate: settings.learningRate, schedule: settings.schedule)
    }

    public static func memoryNeeds(settings: Settings, sizes: MemoryNeed.Sizes) -> [MemoryNeed] {
        [MemoryNeed(bytes: sizes.block * 6)]
    }
}
