/// A method's settings (or the run's): a value type whose initial values are the defaults, with
/// the options that set it and one range check. Each default is written once, in the group's
/// stored properties.
public protocol SettingsGroup: Sendable {
    /// The defaults.
    init()
    /// Every setting the command line and `compare` can change, in help order.
    static var options: [SettingOption<Self>] { get }
    /// Range checks, before any work. Errors are `ProblemError.invalidOption` whose message
    /// starts with the option's name (the command line prefixes `--`).
    func validate() throws
}

extension SettingsGroup {
    public static var optionDescriptions: [OptionDescription] { options.map(\.description) }

    /// Sets option `name` of this group inside `settings`; false when the group has no such option.
    public static func apply(_ name: String, _ text: String, to settings: inout SolverSettings) throws -> Bool {
        guard let option = options.first(where: { $0.description.name == name }) else { return false }
        var group = settings[Self.self]
        try option.apply(&group, text)
        settings[Self.self] = group
        return true
    }
}
