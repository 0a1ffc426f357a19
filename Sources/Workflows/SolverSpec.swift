import Foundation
import Evaluation
import Solvers

/// One entry of `compare --solvers` (and the benchmark's): a registered solver name, optionally
/// with per-solver overrides `name:key=value:key=value` (e.g. `sgns:pairs=all:noise-power=0`).
/// Keys are the long option names without dashes of the settings groups that apply to the solver
/// (the run's, the eigen start's for methods that take a start, its own); a flag takes
/// `true`/`false`; `similarity=cosine` scores this row's embedding on the hold-out with its own
/// similarity. The row's label is the name followed by the overrides, so the same solver can
/// appear twice with different settings.
public struct SolverSpec: Sendable {
    public var method: RegisteredMethod
    public var overrides: [(key: String, value: String)]

    public init(parsing text: String) throws {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        let method = try MethodRegistry.named(parts[0])
        self.method = method
        let keys = Set(method.settingGroups.flatMap { $0.options.map(\.name) } + ["similarity"])
        self.overrides = try parts.dropFirst().map { part in
            let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2, !pair[0].isEmpty, !pair[1].isEmpty else {
                throw ProblemError.invalidOption("'\(text)': overrides are written key=value after a colon, e.g. sgns:pairs=all")
            }
            guard keys.contains(pair[0]) else {
                throw ProblemError.invalidOption("'\(text)': '\(pair[0])' cannot be set per solver; keys: \(keys.sorted().joined(separator: ", "))")
            }
            return (pair[0], pair[1])
        }
    }

    /// Splits `--solvers` at commas.
    public static func list(_ text: String) throws -> [SolverSpec] {
        try text.split(separator: ",").map { try SolverSpec(parsing: String($0)) }
    }

    public var label: String {
        overrides.isEmpty ? method.name : "\(method.name) (\(overrides.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")))"
    }

    /// `base` with the overrides applied, range-checked like the flags.
    public func run(base: SolverSettings) throws -> ComparisonRun {
        var settings = base
        var similarity: Similarity?
        for (key, value) in overrides {
            do {
                if key == "similarity" {
                    guard let s = Similarity(rawValue: value) else {
                        throw ProblemError.invalidOption("similarity must be one of \(Similarity.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                    similarity = s
                } else {
                    for group in method.settingGroups { _ = try group.apply(key, value, to: &settings) }
                }
            } catch let error as ProblemError {
                throw ProblemError.invalidOption("\(label): \(key)=\(value): \(error.optionMessage)")
            }
        }
        do {
            try settings.validate()
            for group in method.settingGroups { try group.validate(settings) }
        } catch let error as ProblemError {
            throw ProblemError.invalidOption("\(label): \(error.optionMessage)")
        }
        return ComparisonRun(label: label, method: method, settings: settings, similarity: similarity)
    }
}

extension ProblemError {
    /// The message of an option error without the "invalid option: " prefix, which starts with the
    /// option's name.
    public var optionMessage: String {
        if case let .invalidOption(message) = self { return message }
        return description
    }
}
