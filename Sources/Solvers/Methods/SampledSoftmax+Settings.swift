extension SampledSoftmax: RegistrableMethod {
    public static let methodName = "sampled-softmax"
    public static let summary = "Sampled softmax over all items with S candidates from a proposal and the log-Q correction."
    public static let family = MethodFamily.sampled

    public struct Settings: SampledPresetGroup {
        public var training = SampledTraining()
        public var candidates: Int = 20
        public var candidateSampler: CandidateDistribution = .logUniform
        /// Sampled softmax's output bias b_c.
        public var outputBias: Bool = false

        public init() {}

        public static var options: [SettingOption<Self>] {
            [.preset] + SampledTraining.options.map { $0.lifted(into: \.training) } + [
                .value("candidates", \.candidates, help: "Sampled-softmax candidates per example."),
                .value("candidate-sampler", \.candidateSampler, help: "Sampled-softmax candidate sampler: logUniform, uniform, unigram."),
                .flag("output-bias", \.outputBias, invertible: true, help: "Sampled-softmax output bias b_c (without it the popularity stays in the vectors)."),
            ]
        }

        public func validate() throws {
            try training.validate()
            guard candidates >= 1 else { throw ProblemError.invalidOption("candidates must be ≥ 1, got \(candidates)") }
        }

        public mutating func apply(_ preset: SampledPreset) {
            training.apply(preset)
            switch preset {
            case .word2vec: outputBias = true
            }
        }
    }

    public init(settings: Settings, solver: SolverSettings) { self.init(settings: settings) }

    /// The method `settings` describe; `Self()` is `Self(settings: Settings())`.
    public init(settings: Settings) {
        let t = settings.training
        self.init(candidates: settings.candidates, sampler: settings.candidateSampler, unique: true, pairs: t.pairs ?? Self.defaultPairs,
                  optimizer: t.optimizer(defaultAdamRate: nil), initialization: t.initialization ?? Self.defaultInitialization,
                  output: t.output, threads: t.threads, outputBias: settings.outputBias)
    }

    /// The method with `preset`'s settings: `init(preset: .word2vec)` has the output bias and
    /// reports the input table.
    public init(preset: SampledPreset) {
        var settings = Settings()
        settings.apply(preset)
        self.init(settings: settings)
    }

    /// Input ±0.5/D, output zero, as word2vec.
    public static let defaultInitialization = SampledInitialization.word2vec

    /// 30 sampled pairs per like (docs/solvers/sampled.md).
    public static let defaultPairs = PairSelection.sampled(perLike: 30)

    public func driverOptions(from run: DriverOptions, settings: Settings) -> DriverOptions {
        settings.training.driverOptions(from: run)
    }

    public func ownStartDescription(settings: Settings) -> String { settings.training.startDescription }

    /// Input and output tables (and Adam's moments), per-thread scratch.
    public static func memoryNeeds(settings: Settings, sizes: MemoryNeed.Sizes) -> [MemoryNeed] {
        let t = settings.training
        return [MemoryNeed(bytes: sizes.block * (t.adam ? 6 : 3) + 8 * Double(t.threads) * sizes.dimension * Double(settings.candidates + 2))]
    }
}
