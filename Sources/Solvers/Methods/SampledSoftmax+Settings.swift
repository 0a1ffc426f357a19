extension SampledSoftmax: RegistrableMethod {
    public static let methodName = "sampled-softmax"
    public static let summary = "Sampled softmax over all items with S candidates from a proposal and the log-Q correction."
    public static let family = MethodFamily.sampled

    public struct Settings: SettingsGroup {
        public var training = SampledTraining()
        public var candidates: Int = 20
        public var candidateSampler: CandidateDistribution = .logUniform
        /// Sampled softmax's output bias b_c.
        public var outputBias: Bool = true

        public init() {}

        public static var options: [SettingOption<Self>] {
            SampledTraining.options.map { $0.lifted(into: \.training) } + [
                .value("candidates", \.candidates, help: "Sampled-softmax candidates per example."),
                .value("candidate-sampler", \.candidateSampler, help: "Sampled-softmax candidate sampler: logUniform, uniform, unigram."),
                .flag("output-bias", \.outputBias, invertible: true, help: "Sampled-softmax output bias b_c (without it the popularity stays in the vectors)."),
            ]
        }

        public func validate() throws {
            try training.validate()
            guard candidates >= 1 else { throw ProblemError.invalidOption("candidates must be ≥ 1, got \(candidates)") }
        }
    }

    public init(settings: Settings, solver: SolverSettings) {
        let t = settings.training
        self.init(candidates: settings.candidates, sampler: settings.candidateSampler, unique: true, pairs: t.pairs,
                  optimizer: t.optimizer(defaultAdamRate: nil), initialization: t.initialization ?? .word2vec,
                  output: t.output, threads: t.threads, outputBias: settings.outputBias)
    }

    public func driverOptions(from run: DriverOptions, settings: Settings) -> DriverOptions {
        settings.training.driverOptions(from: run)
    }

    public func ownStartDescription(settings: Settings) -> String { settings.training.startDescription }
}
