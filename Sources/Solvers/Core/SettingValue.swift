/// A value a setting can take, written as text on the command line (`--memory 5`) and in
/// `compare`'s per-solver overrides (`lbfgs:memory=5`), parsed by the same code in both places.
public protocol SettingValue: Sendable {
    init?(settingText: String)
    /// The value as it is written (the default shown in help).
    var settingText: String { get }
    /// The words the value can be, for help and error messages (nil = any number, a path, ...).
    static var settingChoices: [String]? { get }
}

extension SettingValue {
    public static var settingChoices: [String]? { nil }
}

extension SettingValue where Self: RawRepresentable & CaseIterable, RawValue == String {
    public init?(settingText: String) { self.init(rawValue: settingText) }
    public var settingText: String { rawValue }
    public static var settingChoices: [String]? { allCases.map(\.rawValue) }
}

extension Int: SettingValue {
    public init?(settingText: String) { self.init(settingText) }
    public var settingText: String { String(self) }
}

extension UInt64: SettingValue {
    public init?(settingText: String) { self.init(settingText) }
    public var settingText: String { String(self) }
}

extension Double: SettingValue {
    public init?(settingText: String) { self.init(settingText) }
    public var settingText: String { "\(self)" }
}

extension Bool: SettingValue {
    public init?(settingText: String) {
        switch settingText {
        case "true": self = true
        case "false": self = false
        default: return nil
        }
    }
    public var settingText: String { self ? "true" : "false" }
    public static var settingChoices: [String]? { ["true", "false"] }
}
