import Foundation

/// The settings every solver run shares: the stopping rules and the start.
public struct RunSettings: SettingsGroup {
    public var maxIterations: Int = 1000
    public var timeLimit: Double? = nil
    /// Stop when (L_prev − L) ≤ relativeTolerance · L.
    public var relativeTolerance: Double = 1e-12
    public var gradientTolerance: Double = 0
    public var start: StartChoice = .eigen
    public var initScale: Double = 1

    public init() {}

    public static var options: [SettingOption<Self>] {
        [.value("init", \.start, help: "Starting point of methods that take one (see each method's page): eigen, random, or an .npy embedding file."),
         .value("init-scale", \.initScale, help: "Standard deviation of the random start (1 = torch.randn)."),
         .value("max-iterations", \.maxIterations, help: "Stop after this many iterations."),
         .value("time-limit", \.timeLimit, help: "Stop after this many seconds (per solver; no limit by default)."),
         .value("tolerance", \.relativeTolerance, help: "Stop when the loss decreases by less than this fraction of itself in one iteration."),
         .value("gradient-tolerance", \.gradientTolerance, help: "Stop when ‖∇L‖_F falls below this (0 = off).")]
    }

    public var initialPoint: InitialPoint {
        get {
            switch start {
            case .eigen: return .eigen
            case .random: return .random(scale: initScale)
            case let .file(path): return .file(URL(fileURLWithPath: path))
            }
        }
        set {
            switch newValue {
            case .eigen: start = .eigen
            case let .random(scale): start = .random; initScale = scale
            case let .file(url): start = .file(path: url.path)
            }
        }
    }

    public func validate() throws {
        func require(_ ok: Bool, _ message: @autoclosure () -> String) throws {
            if !ok { throw ProblemError.invalidOption(message()) }
        }
        try require(maxIterations >= 0, "max-iterations must be ≥ 0, got \(maxIterations)")
        if let t = timeLimit { try require(t > 0 && t.isFinite, "time-limit must be a positive number of seconds, got \(t)") }
        try require(relativeTolerance >= 0 && relativeTolerance.isFinite && gradientTolerance >= 0 && gradientTolerance.isFinite,
                    "tolerance and gradient-tolerance must be ≥ 0")
        try require(initScale > 0 && initScale.isFinite, "init-scale must be positive, got \(initScale)")
        if case let .file(path) = start {
            try require(FileManager.default.isReadableFile(atPath: path),
                        "init must be eigen, random, or a readable .npy file; cannot read '\(path)'")
        }
    }
}
