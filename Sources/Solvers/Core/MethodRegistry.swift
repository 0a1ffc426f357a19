/// Every method known by name. The command line (flags, `--solver`, help), `compare` (its
/// default list and per-solver settings), `coembed-bench` and the shared tests iterate this
/// list; there is no other. Adding a method is one line here (see docs/architecture.md).
public enum MethodRegistry {
    public static let all: [RegisteredMethod] = [
        RegisteredMethod(EigenMethod.self),
        RegisteredMethod(AlternatingImputation.self),
        RegisteredMethod(GradientDescent.self),
        RegisteredMethod(Adam.self),
        RegisteredMethod(LBFGS.self),
        RegisteredMethod(TrustRegionNewton.self),
        RegisteredMethod(SkipGramNegativeSampling.self),
        RegisteredMethod(SampledSoftmax.self),
        RegisteredMethod(InBatchNegatives.self),
    ]

    public static var names: [String] { all.map(\.name) }

    /// `compare`'s and the benchmark's default: every masked-loss method.
    public static var defaultComparison: [RegisteredMethod] { all.filter { $0.family == .maskedLoss } }

    /// The settings every run has (stopping rules, start).
    public static let runSettings = SettingsGroupHandle(RunSettings.self, title: "run")
    /// The eigen method's settings, which also build the eigen start of every other method.
    public static let eigenStartSettings = SettingsGroupHandle(EigenMethod.Settings.self, title: EigenMethod.methodName)

    public static func named(_ name: String) throws -> RegisteredMethod {
        guard let method = all.first(where: { $0.name == name }) else {
            throw ProblemError.invalidOption("unknown solver '\(name)'; choose from \(names.joined(separator: ", "))")
        }
        return method
    }

    /// Every settings group once, in help order: the run's, then each method's.
    public static var settingGroups: [SettingsGroupHandle] { [runSettings] + all.map(\.settings) }
}
