extension SkipGramNegativeSampling: RegistrableMethod {
    public static let methodName = "sgns"
    public static let summary = "Skip-gram with negative sampling (word2vec) on item co-occurrence."
    public static let family = MethodFamily.sampled

    public struct Settings: SettingsGroup {
        public var training = SampledTraining()
        public var negatives: Int = 5
        public var noisePower: Double = 0.75
        /// B: contexts of one target sharing one draw of K negatives; 0 = per-pair updates.
        public var sharedNegatives: Int = 0

        public init() {}

        public static var options: [SettingOption<Self>] {
            SampledTraining.options.map { $0.lifted(into: \.training) } + [
                .value("negatives", \.negatives, help: "SGNS negatives per positive pair (K)."),
                .value("noise-power", \.noisePower, help: "SGNS noise distribution exponent α (noise ∝ likes^α; 0 = uniform)."),
                .value("share-negatives", \.sharedNegatives, help: "SGNS negative sharing: B contexts of one target share one draw of K negatives and are updated with BLAS (0 = per-pair updates; 8 recommended)."),
            ]
        }

        public func validate() throws {
            try training.validate()
            func require(_ ok: Bool, _ message: @autoclosure () -> String) throws {
                if !ok { throw ProblemError.invalidOption(message()) }
            }
            try require(negatives >= 1, "negatives must be ≥ 1, got \(negatives)")
            try require(noisePower >= 0 && noisePower.isFinite, "noise-power must be ≥ 0, got \(noisePower)")
            try require((0...SharedNegatives.maxBatch).contains(sharedNegatives),
                        "share-negatives must be 0 (off) … \(SharedNegatives.maxBatch), got \(sharedNegatives)")
            try require(sharedNegatives == 0 || !training.adam, "share-negatives trains with SGD; drop sampled-adam")
        }
    }

    public init(settings: Settings, solver: SolverSettings) {
        let t = settings.training
        self.init(negatives: settings.negatives, noisePower: settings.noisePower, pairs: t.pairs,
                  optimizer: t.optimizer(defaultAdamRate: nil), initialization: t.initialization ?? .word2vec,
                  output: t.output, threads: t.threads, sharedNegatives: settings.sharedNegatives)
    }

    public func driverOptions(from run: DriverOptions, settings: Settings) -> DriverOptions {
        settings.training.driverOptions(from: run)
    }

    public func ownStartDescription(settings: Settings) -> String { settings.training.startDescription }
}
