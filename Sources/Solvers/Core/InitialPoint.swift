import Foundation

/// Where a method that takes a start (`StartRequirement.required` or `.optional`) starts.
public enum InitialPoint: Sendable, Equatable, CustomStringConvertible {
    /// The eigen initialisation (the default), computed with the eigen method's settings.
    case eigen
    /// i.i.d. N(0, scale²) entries; scale 1 is the `torch.randn(M, D)` baseline.
    case random(scale: Double)
    /// An embedding file (.npy, M × D), read by the caller's `readStart`.
    case file(URL)

    public var description: String {
        switch self {
        case .eigen: return "eigen"
        case let .random(scale): return "random(scale=\(scale))"
        case let .file(url): return url.lastPathComponent
        }
    }
}
