/// Per-method defaults of the sampled methods, where one shared value cannot suit all three, and
/// the classic word2vec recipe as a named preset. The values were chosen by the hold-out
/// measurements in docs/solvers/sampled.md.
extension SampledSettings {
    /// Positive pairs per epoch when `pairs` is nil.
    public static func defaultPairs(for kind: SolverKind) -> PairSelection {
        switch kind {
        case .sgns: return .all
        case .sampledSoftmax: return .sampled(perLike: 30)
        default: return .default
        }
    }

    /// The pairs `kind` trains on: the given selection or the method's default.
    public func pairs(for kind: SolverKind) -> PairSelection { pairs ?? Self.defaultPairs(for: kind) }

    /// Named starting points for the sampled settings (`--preset`).
    public enum Preset: String, Sendable, CaseIterable {
        /// word2vec's skip-gram recipe: 10 sampled pairs per like, noise ∝ likes^0.75, per-pair
        /// updates, the input table reported, sampled softmax with its output bias.
        case word2vec
    }

    /// The settings of `preset` (everything it does not name keeps the defaults).
    public static func preset(_ preset: Preset) -> SampledSettings {
        var s = SampledSettings()
        switch preset {
        case .word2vec:
            s.pairs = .sampled(perLike: 10)
            s.noisePower = 0.75
            s.sharedNegatives = 0
            s.output = .input
            s.outputBias = true
        }
        return s
    }

    /// Applies the values `preset` names, leaving the other settings as they are.
    public mutating func apply(_ preset: Preset) {
        let p = Self.preset(preset)
        pairs = p.pairs
        noisePower = p.noisePower
        sharedNegatives = p.sharedNegatives
        output = p.output
        outputBias = p.outputBias
    }
}
