// The sampled settings written as words or numbers, parsed once for the flags and for
// `compare`'s per-solver settings alike. Ranges are checked by the settings' `validate()`.

extension SampledInitialization: SettingValue {}
extension SampledOutput: SettingValue {}
extension CandidateDistribution: SettingValue {}

extension PairSelection: SettingValue {
    /// `all`, or r pairs per like.
    public init?(settingText: String) {
        if settingText == "all" { self = .all; return }
        guard let r = Double(settingText) else { return nil }
        self = .sampled(perLike: r)
    }

    public var settingText: String {
        switch self {
        case .all: return "all"
        case let .sampled(r): return r == r.rounded() ? String(Int(r)) : String(r)
        }
    }
}

extension InBatchNegatives.Negatives: SettingValue {
    /// `full`, or NEG shifted copies of the batch.
    public init?(settingText: String) {
        if settingText == "full" { self = .full; return }
        guard let k = Int(settingText) else { return nil }
        self = .shifted(k)
    }

    public var settingText: String {
        switch self {
        case .full: return "full"
        case let .shifted(k): return String(k)
        }
    }
}

extension InBatchNegatives.Correction: SettingValue {
    /// `none`, `counts`, or `streaming` (Yi et al.'s estimate with rate 0.05).
    public init?(settingText: String) {
        switch settingText {
        case "none": self = .none
        case "counts": self = .counts
        case "streaming": self = .streaming(rate: 0.05)
        default: return nil
        }
    }

    public var settingText: String {
        switch self {
        case .none: return "none"
        case .counts: return "counts"
        case .streaming: return "streaming"
        }
    }

    public static var settingChoices: [String]? { ["none", "counts", "streaming"] }
}
