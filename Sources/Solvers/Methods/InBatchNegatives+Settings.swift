extension InBatchNegatives: RegistrableMethod {
    public static let methodName = "in-batch"
    public static let summary = "In-batch negatives (two-tower softmax over the batch) with the log-Q correction."
    public static let family = MethodFamily.sampled

    /// Lazy Adam's rate when `--sampled-learning-rate` is not given (in-batch always uses Adam).
    public static let defaultAdamRate = 0.01
    /// Both towers start informative: normalised vectors need a non-zero output table.
    public static let defaultInitialization = SampledInitialization.uniform

    public struct Settings: SampledPresetGroup {
        public var training = SampledTraining()
        public var batchSize: Int = 256
        public var negatives: Negatives = .full
        public var correction: Correction = .counts
        /// 0.2: on the ml-latest-small hold-out 0.05 (two-tower practice) stays at the popularity
        /// floor at D = 64 and 0.2 beats it on every seed at D = 64 and 300 (docs/solvers/sampled.md).
        public var temperature: Double = 0.2
        public var normalize: Bool = true

        public init() {}

        public static var options: [SettingOption<Self>] {
            [.preset] + SampledTraining.options.map { $0.lifted(into: \.training) } + [
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

        public mutating func apply(_ preset: SampledPreset) { training.apply(preset) }
    }

    public init(settings: Settings, solver: SolverSettings) { self.init(settings: settings) }

    /// The method `settings` describe; `Self()` is `Self(settings: Settings())`.
    public init(settings: Settings) {
        let t = settings.training
        self.init(batchSize: settings.batchSize, negatives: settings.negatives, correction: settings.correction,
                  temperature: settings.temperature, normalize: settings.normalize, pairs: t.pairs ?? Self.defaultPairs,
                  optimizer: t.optimizer(defaultAdamRate: Self.defaultAdamRate),
                  initialization: t.initialization ?? Self.defaultInitialization, output: t.output)
    }

    /// The method with `preset`'s settings.
    public init(preset: SampledPreset) {
        var settings = Settings()
        settings.apply(preset)
        self.init(settings: settings)
    }

    /// 10 sampled pairs per like.
    public static let defaultPairs = PairSelection.sampled(perLike: 10)

    public func driverOptions(from run: DriverOptions, settings: Settings) -> DriverOptions {
        settings.training.driverOptions(from: run)
    }

    public func ownStartDescription(settings: Settings) -> String { settings.training.startDescription }

    /// The epoch's pairs, held for the shuffle (two Int32 and one Int index per pair), and the
    /// B × B logit matrix with its B × D scratch.
    public static func memoryNeeds(settings: Settings, sizes: MemoryNeed.Sizes) -> [MemoryNeed] {
        let pairs: Double
        switch settings.training.pairs ?? defaultPairs {
        case .all: pairs = sizes.allPairs
        case let .sampled(perLike): pairs = perLike * sizes.likes
        }
        let b = Double(settings.batchSize)
        return [MemoryNeed(bytes: sizes.block * 6 + 16 * pairs, what: "in-batch epoch of \(pairs.countText) positive pairs (--pairs)"),
                MemoryNeed(bytes: sizes.block * 6 + 8 * b * b + 8 * 8 * b * sizes.dimension,
                           what: "in-batch --batch-size \(settings.batchSize) (a B × B logit matrix)")]
    }
}
