/// One setting as the command line and help see it, without its group's type.
public struct OptionDescription: Sendable, Equatable {
    public enum Form: Sendable, Equatable {
        /// `--name VALUE` (and `name=VALUE` per solver); `choices` lists the words it can be.
        case value(choices: [String]?)
        /// `--name` sets it to true (off by default).
        case flag
        /// `--name` / `--no-name`.
        case invertibleFlag
    }

    /// The long name without dashes, e.g. `memory`.
    public var name: String
    public var help: String
    public var form: Form
    /// The default as written, nil where the default is "the method's own" (shown by `help`).
    public var defaultText: String?
}
