/// One setting of a settings group: its name, help and how its text sets the group's field.
/// Groups list their options once (`SettingsGroup.options`); the command line's flags, `compare`'s
/// per-solver overrides and `--help` are all generated from that list, and the default shown is
/// read from the group's own initial value.
public struct SettingOption<Group: SettingsGroup>: Sendable {
    public let description: OptionDescription
    let apply: @Sendable (inout Group, String) throws -> Void

    /// A setting written `--name VALUE`.
    public static func value<T: SettingValue>(_ name: String, _ path: WritableKeyPath<Group, T> & Sendable,
                                              help: String) -> Self {
        Self(description: OptionDescription(name: name, help: help, form: .value(choices: T.settingChoices),
                                            defaultText: Group()[keyPath: path].settingText),
             apply: { group, text in group[keyPath: path] = try parse(text, name: name) })
    }

    /// A setting whose default (nil) means "the method decides"; `unset` says what that is.
    public static func value<T: SettingValue>(_ name: String, _ path: WritableKeyPath<Group, T?> & Sendable,
                                              help: String) -> Self {
        Self(description: OptionDescription(name: name, help: help, form: .value(choices: T.settingChoices),
                                            defaultText: Group()[keyPath: path]?.settingText),
             apply: { group, text in group[keyPath: path] = try parse(text, name: name) as T })
    }

    /// A switch: `--name` turns it on; `invertible` adds `--no-name` (for settings on by default).
    public static func flag(_ name: String, _ path: WritableKeyPath<Group, Bool> & Sendable, invertible: Bool = false,
                            help: String) -> Self {
        Self(description: OptionDescription(name: name, help: help, form: invertible ? .invertibleFlag : .flag,
                                            defaultText: Group()[keyPath: path].settingText),
             apply: { group, text in group[keyPath: path] = try parse(text, name: name) })
    }

    /// This option as an option of a larger group that holds this one at `path` (the sampled
    /// methods share `SampledTraining` this way).
    public func lifted<Outer: SettingsGroup>(into path: WritableKeyPath<Outer, Group> & Sendable) -> SettingOption<Outer> {
        let apply = self.apply
        return SettingOption<Outer>(description: description, apply: { outer, text in try apply(&outer[keyPath: path], text) })
    }

    static func parse<T: SettingValue>(_ text: String, name: String) throws -> T {
        guard let value = T(settingText: text) else {
            let expected = T.settingChoices.map { "one of " + $0.joined(separator: ", ") } ?? "a \(T.self)"
            throw ProblemError.invalidOption("\(name) must be \(expected), got '\(text)'")
        }
        return value
    }
}
