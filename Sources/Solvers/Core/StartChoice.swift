import Foundation

/// `--init` as written: the eigen start, a random one, or an embedding file (read outside this
/// module, see `RegisteredMethod.run`'s `readStart`).
public enum StartChoice: Sendable, Equatable, SettingValue {
    case eigen
    case random
    case file(path: String)

    public init?(settingText: String) {
        switch settingText {
        case "": return nil
        case "eigen": self = .eigen
        case "random": self = .random
        default: self = .file(path: settingText)
        }
    }

    public var settingText: String {
        switch self {
        case .eigen: return "eigen"
        case .random: return "random"
        case let .file(path): return path
        }
    }
}
