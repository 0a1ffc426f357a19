/// Named starting points for the sampled methods' settings (`--preset`, `sgns:preset=word2vec`).
/// The defaults themselves were chosen by the hold-out measurements in docs/solvers/sampled.md.
public enum SampledPreset: String, Sendable, CaseIterable, SettingValue {
    /// word2vec's skip-gram recipe: 10 sampled pairs per like, noise ∝ likes^0.75, per-pair
    /// updates, the input table reported, sampled softmax with its output bias.
    case word2vec

    /// The option's name; `SettingsArguments` applies it before the other options.
    public static let optionName = "preset"
}
