extension InBatchNegatives: RegistrableMethod {
    public static let methodName = "in-batch"
    public static let summary = "In-batch negatives (two-tower softmax over the batch) with the log-Q correction."
    public static let family = MethodFamily.sampled

    /// Lazy Adam's rate when `--sampled-learning-rate` is not given (in-batch always uses Adam).
    public static let defaultAdamRate = 0.01
    /// Both towers start informative: normalised vectors need a non-zero output table.
    public static let defaultInitialization = SampledInitialization.uniform

    public struct Settings: SettingsGroup {
        public var training = SampledTraining()
        public var batchSize: Int = 256
        public var negatives: Negatives = .full
        public var correction: Correction = .counts
        public var temperature: Double = 0.05
        public var normalize: Bool = true

        public init() {}

        public static var options: [SettingOption<Self>] {
            SampledTraining.options.map { $0.lifted(into: \.training) } + [
                .value("batch-size", \.batchSize, help: "In-batch batch size B."),
                .value("in-batch-negatives", \.negatives, help: "In-batch negatives: 'full' (B × B softmax) or a number NEG of shifted copies."),
                .value("log-q", \.correction, help: "In-batch logQ correction: none, counts, or streaming."),
                .value("temperature", \.temperature, help: "In-batch softmax temperature τ."),
                .flag("normalize", \.normalize, invertible: true, help: "In-batch L2 normalisation of the vectors."),
            ]
        }

        public func validate() throws {
            try training.validate()
            func require(_ ok: Bool, _ message: @autoclosure () -> String) throws {
                if !ok { throw ProblemError.invalidOption(message()) }
            }
            try require(batchSize >= 2, "batch-size must be ≥ 2, got \(batchSize)")
            if case let .shifted(k) = negatives {
                try require((1..<batchSize).contains(k), "in-batch-negatives must be 'full' or 1 ≤ NEG < batch-size, got \(k)")
            }
            if case let .streaming(rate) = correction { try require(rate > 0 && rate <= 1, "log-q streaming rate must be in (0, 1], got \(rate)") }
            try require(temperature > 0 && temperature.isFinite, "temperature must be positive, got \(temperature)")
        }
    }

    public init(settings: Settings, solver: SolverSettings) {
        let t = settings.training
        self.init(batchSize: settings.batchSize, negatives: settings.negatives, correction: settings.correction,
                  temperature: settings.temperature, normalize: settings.normalize, pairs: t.pairs,
                  optimizer: t.optimizer(defaultAdamRate: Self.defaultAdamRate),
                  initialization: t.initialization ?? Self.defaultInitialization, output: t.output)
    }

    public func driverOptions(from run: DriverOptions, settings: Settings) -> DriverOptions {
        settings.training.driverOptions(from: run)
    }

    public func ownStartDescription(settings: Settings) -> String { settings.training.startDescription }
}
