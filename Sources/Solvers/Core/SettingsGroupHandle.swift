/// A settings group as the registry hands it around (no generic type), for the command line,
/// `compare` and help.
public struct SettingsGroupHandle: Sendable {
    /// Who reads the group, for help (e.g. `lbfgs`, `run`).
    public let title: String
    public let options: [OptionDescription]
    let key: String
    let applyOption: @Sendable (String, String, inout SolverSettings) throws -> Bool
    let check: @Sendable (SolverSettings) throws -> Void
    let describe: @Sendable (SolverSettings) -> String

    public init<G: SettingsGroup>(_: G.Type, title: String) {
        self.title = title
        options = G.optionDescriptions
        key = SolverSettings.key(G.self)
        applyOption = { name, text, settings in try G.apply(name, text, to: &settings) }
        check = { settings in try settings[G.self].validate() }
        describe = { settings in String(describing: settings[G.self]) }
    }

    /// Sets `name` to `text` in `settings` if this group has the option.
    public func apply(_ name: String, _ text: String, to settings: inout SolverSettings) throws -> Bool {
        try applyOption(name, text, &settings)
    }

    public func validate(_ settings: SolverSettings) throws { try check(settings) }

    /// The group's values in `settings` (its defaults until set), as one canonical text.
    public func description(in settings: SolverSettings) -> String { "\(title): \(describe(settings))" }

    public func has(_ name: String) -> Bool { options.contains { $0.name == name } }
}
