/// A sampled method's settings, which a preset can set.
public protocol SampledPresetGroup: SettingsGroup {
    /// Sets the values `preset` names, leaving the others as they are.
    mutating func apply(_ preset: SampledPreset)
}

extension SettingOption where Group: SampledPresetGroup {
    /// `--preset NAME`: sets the preset's values. The command line applies it before the other
    /// settings, which override it; per solver, keys after it override it.
    public static var preset: Self {
        Self(description: OptionDescription(name: SampledPreset.optionName,
                                            help: "Named starting point for the sampled settings: word2vec (the classic skip-gram recipe); the other options override it.",
                                            form: .value(choices: SampledPreset.settingChoices), defaultText: nil),
             apply: { group, text in group.apply(try parse(text, name: SampledPreset.optionName) as SampledPreset) })
    }
}
