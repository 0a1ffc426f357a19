extension AlternatingImputation: RegistrableMethod {
    public static let methodName = "impute"
    public static let summary = "Alternating imputation: refill X's diagonal with diag(VVᵀ), refit; the loss never increases."
    public static let family = MethodFamily.maskedLoss

    public struct Settings: SettingsGroup {
        public var inner: Inner = .subspace

        public init() {}

        public static var options: [SettingOption<Self>] {
            [.value("impute-inner", \.inner, help: "Imputation inner step: subspace (Rayleigh–Ritz on [V, YV]) or exact (full eigensolve).")]
        }

        public func validate() throws {}
    }

    public init(settings: Settings, solver: SolverSettings) {
        self.init(inner: settings.inner, eigenRoute: solver[EigenMethod.Settings.self].route)
    }
}
