import ArgumentParser
import Solvers

// The sampled settings that are written as words or numbers on the command line, parsed once
// for the flags and for `compare`'s per-solver settings alike. Ranges are checked by
// `SolverSettings.validate()`, not here.

extension PairSelection: ExpressibleByArgument {
    /// `all`, or r pairs per like.
    public init?(argument: String) {
        if argument == "all" { self = .all; return }
        guard let r = Double(argument) else { return nil }
        self = .sampled(perLike: r)
    }

    public var defaultValueDescription: String {
        switch self {
        case .all: return "all"
        case let .sampled(r): return r == r.rounded() ? String(Int(r)) : String(r)
        }
    }
}

extension InBatchNegatives.Negatives: ExpressibleByArgument {
    /// `full`, or NEG shifted copies of the batch.
    public init?(argument: String) {
        if argument == "full" { self = .full; return }
        guard let k = Int(argument) else { return nil }
        self = .shifted(k)
    }

    public var defaultValueDescription: String {
        switch self {
        case .full: return "full"
        case let .shifted(k): return String(k)
        }
    }
}

extension InBatchNegatives.Correction: ExpressibleByArgument {
    /// `none`, `counts`, or `streaming` (Yi et al.'s estimate with rate 0.05).
    public init?(argument: String) {
        switch argument {
        case "none": self = .none
        case "counts": self = .counts
        case "streaming": self = .streaming(rate: 0.05)
        default: return nil
        }
    }

    public var defaultValueDescription: String {
        switch self {
        case .none: return "none"
        case .counts: return "counts"
        case .streaming: return "streaming"
        }
    }

    public static var allValueStrings: [String] { ["none", "counts", "streaming"] }
}
