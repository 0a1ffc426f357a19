import ArgumentParser
import Foundation
import Solvers
import Workflows

/// Options every solver run shares (solve and compare). The problem-wide ones are declared here;
/// every solver setting (`--max-iterations`, `--init`, `--memory`, `--epochs`, ...) is generated
/// from the settings groups in `MethodRegistry` and listed by `--help` after the others.
struct RunOptions: ParsableArguments {
    @Option(name: [.customLong("dim"), .short], help: "Embedding dimension D (1 ≤ D ≤ items).")
    var dimension: Int = 300

    @Option(help: "Seed for every random choice (same seed and inputs → same output).")
    var seed: UInt64 = 0

    @Flag(help: "No progress output.")
    var quiet = false

    @Flag(help: "Progress lines every 5 s on stderr even when it is not a terminal (default there: one line per solver).")
    var progress = false

    @Argument(parsing: .allUnrecognized, help: ArgumentHelp(visibility: .hidden))
    var settingArguments: [String] = []

    func validate() throws {
        guard dimension >= 1 else { throw ValidationError("--dim must be ≥ 1, got \(dimension)") }
        _ = try settings()
    }

    /// `--init` as written when it names a file (an input the outputs must not overwrite).
    var initialization: String? { (try? settings())?.run.start.settingText }

    /// The settings of every registered group from the command line, range-checked.
    func settings() throws -> SolverSettings {
        var s = SolverSettings(dimension: dimension)
        s.seed = seed
        do {
            try SettingsArguments.apply(settingArguments, groups: MethodRegistry.settingGroups, to: &s)
            try s.validate()
            for group in MethodRegistry.settingGroups { try group.validate(s) }
        } catch let error as ProblemError {
            throw ValidationError("--\(error.optionMessage)")
        } catch let error as SettingsArgumentError {
            throw ValidationError(error.description)
        }
        return s
    }
}
