extension SkipGramNegativeSampling: RegistrableMethod {
    public static let methodName = "sgns"
    public static let summary = "Skip-gram with negative sampling (word2vec) on item co-occurrence."
    public static let family = MethodFamily.sampled

    public struct Settings: SampledPresetGroup {
        public var training = SampledTraining()
        public var negatives: Int = 5
        public var noisePower: Double = 0
        /// B: contexts of one target sharing one draw of K negatives; 0 = per-pair updates.
        /// Sharing is an SGD kernel: with Adam, sgns updates per pair.
        public var sharedNegatives: Int = 8

        public init() {}

        public static var options: [SettingOption<Self>] {
            [.preset] + SampledTraining.options.map { $0.lifted(into: \.training) } + [
                .value("negatives", \.negatives, help: "SGNS negatives per positive pair (K)."),
                .value("noise-power", \.noisePower, help: "SGNS noise distribution exponent α (noise ∝ likes^α; 0 = uniform)."),
                .value("share-negatives", \.sharedNegatives, help: "SGNS negative sharing: B contexts of one target share one draw of K negatives and are updated with BLAS (0 = per-pair updates; with --sampled-adam sgns updates per pair)."),
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
        }

        public mutating func apply(_ preset: SampledPreset) {
            training.apply(preset)
            switch preset {
            case .word2vec:
                noisePower = 0.75
                sharedNegatives = 0
            }
        }
    }

    public init(settings: Settings, solver: SolverSettings) { self.init(settings: settings) }

    /// The method `settings` describe; `Self()` is `Self(settings: Settings())`.
    public init(settings: Settings) {
        let t = settings.training
        self.init(negatives: settings.negatives, noisePower: settings.noisePower, pairs: t.pairs ?? Self.defaultPairs,
                  optimizer: t.optimizer(defaultAdamRate: nil), initialization: t.initialization ?? Self.defaultInitialization,
                  output: t.output, threads: t.threads,
                  sharedNegatives: t.adam ? 0 : settings.sharedNegatives)
    }

    /// The method with `preset`'s settings: `init(preset: .word2vec)` is word2vec's plain algorithm.
    public init(preset: SampledPreset) {
        var settings = Settings()
        settings.apply(preset)
        self.init(settings: settings)
    }

    /// Input ±0.5/D, output zero, as word2vec.
    public static let defaultInitialization = SampledInitialization.word2vec

    /// Every pair: sgns gains most from the full enumeration (docs/solvers/sampled.md).
    public static let defaultPairs = PairSelection.all

    public func driverOptions(from run: DriverOptions, settings: Settings) -> DriverOptions {
        settings.training.driverOptions(from: run)
    }

    public func ownStartDescription(settings: Settings) -> String { settings.training.startDescription }

    /// Input and output tables (and Adam's moments), per-thread scratch.
    public static func memoryNeeds(settings: Settings, sizes: MemoryNeed.Sizes) -> [MemoryNeed] {
        let t = settings.training
        return [MemoryNeed(bytes: sizes.block * (t.adam ? 6 : 3) + 8 * Double(t.threads) * sizes.dimension * Double(settings.negatives + 2))]
    }
}
