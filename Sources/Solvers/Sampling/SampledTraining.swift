/// The settings the sampled methods share (epochs, pairs, optimiser, tables, threads), part of
/// each sampled method's `Settings` (see docs/solvers/sampled.md).
public struct SampledTraining: SettingsGroup {
    /// Epochs (driver iterations); also the horizon of SGD's linear learning-rate decay.
    public var epochs: Int = 10
    /// nil = the method's default (`defaultPairs` of each sampled method).
    public var pairs: PairSelection? = nil
    /// nil = the method's default (SGD 0.025 for sgns/sampled-softmax, Adam 0.01 for in-batch).
    public var learningRate: Double? = nil
    /// Use Adam instead of SGD with linear decay (in-batch always uses Adam).
    public var adam: Bool = false
    /// nil = the method's default (word2vec for sgns/sampled-softmax, uniform for in-batch).
    public var initialization: SampledInitialization? = nil
    public var output: SampledOutput = .average
    /// Hogwild threads of sgns and sampled-softmax (in-batch is single-threaded).
    public var threads: Int = 2

    public init() {}

    public static var options: [SettingOption<Self>] {
        [.value("epochs", \.epochs, help: "Epochs of the sampled methods (sgns, sampled-softmax, in-batch)."),
         .value("pairs", \.pairs, help: "Positive pairs per epoch: 'all' enumerates every pair, a number r samples r pairs per like (default: each method's own)."),
         .value("sampled-learning-rate", \.learningRate, help: "Sampled methods' learning rate (default: 0.025 SGD, 0.01 in-batch Adam, 0.001 --sampled-adam)."),
         .flag("sampled-adam", \.adam, help: "Train sgns / sampled-softmax with Adam instead of SGD with linear decay."),
         .value("sampled-init", \.initialization, help: "Sampled initialisation: uniform (±1) or word2vec (±0.5/D input, zero output)."),
         .value("sampled-output", \.output, help: "Reported embedding: input table or average of input and output."),
         .value("threads", \.threads, help: "Threads for sgns and sampled-softmax (1 = bit-reproducible).")]
    }

    public func validate() throws {
        func require(_ ok: Bool, _ message: @autoclosure () -> String) throws {
            if !ok { throw ProblemError.invalidOption(message()) }
        }
        try require(epochs >= 1, "epochs must be ≥ 1, got \(epochs)")
        try pairs?.validate()
        if let lr = learningRate { try require(lr > 0 && lr.isFinite, "sampled-learning-rate must be positive, got \(lr)") }
        try require(threads >= 1, "threads must be ≥ 1, got \(threads)")
    }

    /// What sgns and sampled-softmax train with by default: SGD with word2vec's decay over the
    /// default epochs.
    public static var defaultSGD: SampledOptimizer { SampledTraining().optimizer(defaultAdamRate: nil) }

    func optimizer(defaultAdamRate: Double?) -> SampledOptimizer {
        if adam || defaultAdamRate != nil { return .adam(learningRate: learningRate ?? defaultAdamRate ?? 0.001) }
        return .sgd(learningRate: learningRate ?? 0.025, plannedEpochs: max(1, epochs))
    }

    /// Epochs, not a loss tolerance, end a sampled run: its masked loss is not what it minimises,
    /// so a tiny change in it says nothing about convergence.
    func driverOptions(from run: DriverOptions) -> DriverOptions {
        var options = run
        options.maxIterations = epochs
        options.relativeTolerance = 0
        options.gradientTolerance = 0
        return options
    }

    /// The preset's shared values (`SampledPreset`).
    mutating func apply(_ preset: SampledPreset) {
        switch preset {
        case .word2vec:
            pairs = .sampled(perLike: 10)
            output = .input
        }
    }

    var startDescription: String { "\(initialization?.rawValue ?? "default") init" }
}
