import Solvers

/// A command-line argument no settings group accepts, or one written wrongly.
public struct SettingsArgumentError: Error, CustomStringConvertible, Equatable {
    public var description: String
}
