import Testing
import Foundation
import Solvers
import Workflows

/// The sampled methods' recommended defaults and `--preset word2vec`, through the generated
/// command-line options and `compare`'s per-solver keys.
@Suite struct SampledSettingsTests {
    static func settings(_ arguments: [String]) throws -> SolverSettings {
        var s = SolverSettings(dimension: 8)
        try SettingsArguments.apply(arguments, groups: MethodRegistry.settingGroups, to: &s)
        return s
    }

    @Test func defaultsAreTheRecommendedOnes() throws {
        let sgns = SkipGramNegativeSampling.Settings()
        #expect(sgns.training.pairs == nil && SkipGramNegativeSampling.defaultPairs == .all)
        #expect(sgns.noisePower == 0 && sgns.sharedNegatives == 8 && sgns.training.output == .average)
        #expect(SampledSoftmax.Settings().outputBias == false && SampledSoftmax.defaultPairs == .sampled(perLike: 30))
        #expect(InBatchNegatives.defaultPairs == .sampled(perLike: 10))
        // What the registry builds from the defaults.
        let method = SkipGramNegativeSampling(settings: sgns, solver: SolverSettings(dimension: 8))
        #expect(method.pairs == .all && method.sharedNegatives == 8 && method.output == .average)
        #expect(RegisteredMethod(SkipGramNegativeSampling.self).defaultSimilarity == .cosine)
        #expect(RegisteredMethod(LBFGS.self).defaultSimilarity == .dot)
    }

    /// Options override the preset wherever they stand on the command line.
    @Test func thePresetSetsTheClassicRecipeAndOptionsOverrideIt() throws {
        for arguments in [["--preset", "word2vec", "--pairs", "all"], ["--pairs", "all", "--preset", "word2vec"]] {
            let s = try Self.settings(arguments)
            let sgns = s[SkipGramNegativeSampling.Settings.self]
            #expect(sgns.noisePower == 0.75 && sgns.sharedNegatives == 0 && sgns.training.output == .input, "\(arguments)")
            #expect(sgns.training.pairs == .all, "\(arguments)")
            #expect(s[SampledSoftmax.Settings.self].outputBias == true)
            #expect(s[InBatchNegatives.Settings.self].training.output == .input)
        }
        let plain = try Self.settings(["--preset", "word2vec"])
        #expect(plain[SkipGramNegativeSampling.Settings.self].training.pairs == .sampled(perLike: 10))
        #expect(throws: ProblemError.self) { try Self.settings(["--preset", "glove"]) }
    }

    @Test func perSolverKeysAfterThePresetOverrideIt() throws {
        let spec = try SolverSpec(parsing: "sgns:preset=word2vec:pairs=all")
        let run = try spec.run(base: SolverSettings(dimension: 8))
        let sgns = run.settings[SkipGramNegativeSampling.Settings.self]
        #expect(sgns.noisePower == 0.75 && sgns.training.pairs == .all)
        #expect(run.label == "sgns (preset=word2vec, pairs=all)")
    }

    /// Negative sharing is an SGD kernel: with Adam sgns updates per pair instead of refusing.
    @Test func adamTurnsNegativeSharingOff() throws {
        let s = try Self.settings(["--sampled-adam"])
        try s.validate()
        let method = SkipGramNegativeSampling(settings: s[SkipGramNegativeSampling.Settings.self], solver: s)
        #expect(method.sharedNegatives == 0)
    }

    @Test func imputeAccelerationIsASettingWithItsRangeCheck() throws {
        let s = try Self.settings(["--acceleration", "squarem", "--acceleration-memory", "7"])
        #expect(s[AlternatingImputation.Settings.self].acceleration == .squarem)
        #expect(s[AlternatingImputation.Settings.self].accelerationMemory == 7)
        let bad = try Self.settings(["--acceleration-memory", "51"])
        #expect(throws: ProblemError.self) { try bad.validate() }
        #expect(throws: ProblemError.self) { try Self.settings(["--acceleration", "aitken"]) }
    }
}
