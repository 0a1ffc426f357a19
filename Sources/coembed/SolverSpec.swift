import ArgumentParser
import Evaluation
import Solvers
import Workflows

/// One entry of `compare --solvers`: a solver name, optionally with per-solver overrides of the
/// run options, `name:key=value:key=value` (e.g. `sgns:pairs=all:noise-power=0`). Keys are the
/// long option names without dashes; a flag takes `true`/`false`; `similarity=cosine` scores this
/// row's embedding on the hold-out with its own similarity. The row's label is the name
/// followed by the overrides, so the same solver can appear twice with different settings.
struct SolverSpec: Equatable {
    var kind: SolverKind
    var overrides: [(key: String, value: String)]

    static func == (a: SolverSpec, b: SolverSpec) -> Bool {
        a.kind == b.kind && a.overrides.elementsEqual(b.overrides) { $0 == $1 }
    }

    init(parsing text: String) throws {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let kind = SolverKind(rawValue: parts[0]) else {
            throw ValidationError("unknown solver '\(parts[0])'; choose from \(SolverKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.kind = kind
        self.overrides = try parts.dropFirst().map { part in
            let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2, !pair[0].isEmpty, !pair[1].isEmpty else {
                throw ValidationError("'\(text)': overrides are written key=value after a colon, e.g. sgns:pairs=all")
            }
            guard Self.setters[pair[0]] != nil || pair[0] == "similarity" else {
                throw ValidationError("'\(text)': '\(pair[0])' cannot be set per solver; keys: \((Array(Self.setters.keys) + ["similarity"]).sorted().joined(separator: ", "))")
            }
            return (pair[0], pair[1])
        }
    }

    /// Splits `--solvers` at commas.
    static func list(_ text: String) throws -> [SolverSpec] {
        try text.split(separator: ",").map { try SolverSpec(parsing: String($0)) }
    }

    var label: String {
        overrides.isEmpty ? kind.rawValue : "\(kind.rawValue) (\(overrides.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")))"
    }

    /// `base` with the overrides applied, checked by `SolverSettings.validate()` like the flags.
    func run(base: SolverSettings) throws -> ComparisonRun {
        var settings = base
        var similarity: Similarity?
        for (key, value) in overrides {
            do {
                if key == "similarity" { similarity = try Self.parse(value) } else { try Self.setters[key]!(&settings, value) }
            } catch {
                throw ValidationError("\(label): \(key)=\(value): \(error)")
            }
        }
        do { try settings.validate() } catch let error as ProblemError { throw ValidationError("\(label): \(error.optionMessage)") }
        return ComparisonRun(label: label, kind: kind, settings: settings, similarity: similarity)
    }

    private struct BadValue: Error, CustomStringConvertible { var description: String }

    private static func parse<T: ExpressibleByArgument>(_ value: String, as _: T.Type = T.self) throws -> T {
        guard let v = T(argument: value) else { throw BadValue(description: "not a valid \(T.self)") }
        return v
    }

    typealias Setter = @Sendable (inout SolverSettings, String) throws -> Void

    /// A setting parsed as its command-line type; its range is checked afterwards by `validate()`.
    private static func field<T: ExpressibleByArgument>(_ path: WritableKeyPath<SolverSettings, T> & Sendable) -> Setter {
        { s, v in s[keyPath: path] = try parse(v) }
    }

    private static func optionalField<T: ExpressibleByArgument>(_ path: WritableKeyPath<SolverSettings, T?> & Sendable) -> Setter {
        { s, v in s[keyPath: path] = try parse(v, as: T.self) }
    }

    /// Per-solver settings by option name. The problem (data, D, seed) is shared by every row and
    /// cannot be overridden.
    static let setters: [String: Setter] = [
        "max-iterations": field(\.maxIterations),
        "time-limit": optionalField(\.timeLimit),
        "tolerance": field(\.relativeTolerance),
        "init": { s, v in
            switch v {
            case "eigen": s.initialPoint = .eigen
            case "random": s.initialPoint = .random(scale: 1)
            default: throw BadValue(description: "per-solver init is eigen or random")
            }
        },
        "init-scale": { s, v in
            guard case .random = s.initialPoint else { throw BadValue(description: "set init=random first") }
            s.initialPoint = .random(scale: try parse(v))
        },
        "learning-rate": field(\.learningRate),
        "adam-schedule": field(\.adamSchedule),
        "memory": field(\.lbfgsMemory),
        "preconditioning": field(\.lbfgsPreconditioning),
        "impute-inner": field(\.imputeInner),
        "acceleration": field(\.imputeAcceleration),
        "acceleration-memory": field(\.imputeAccelerationMemory),
        "eigen-backend": field(\.eigenBackend),
        "epochs": field(\.sampled.epochs),
        "pairs": optionalField(\.sampled.pairs),
        // Sets the preset's values; keys after it override them (e.g. sgns:preset=word2vec:pairs=all).
        "preset": { s, v in s.sampled.apply(try parse(v, as: SampledSettings.Preset.self)) },
        "sampled-learning-rate": optionalField(\.sampled.learningRate),
        "sampled-adam": field(\.sampled.adam),
        "sampled-init": optionalField(\.sampled.initialization),
        "sampled-output": field(\.sampled.output),
        "threads": field(\.sampled.threads),
        "negatives": field(\.sampled.negatives),
        "share-negatives": field(\.sampled.sharedNegatives),
        "noise-power": field(\.sampled.noisePower),
        "candidates": field(\.sampled.candidates),
        "candidate-sampler": field(\.sampled.candidateSampler),
        "batch-size": field(\.sampled.batchSize),
        "in-batch-negatives": field(\.sampled.inBatchNegatives),
        "log-q": field(\.sampled.correction),
        "temperature": field(\.sampled.temperature),
        "normalize": field(\.sampled.normalize),
        "output-bias": field(\.sampled.outputBias),
    ]
}

extension ProblemError {
    /// The message of an option error without the "invalid option: " prefix, which starts with the
    /// option's name.
    var optionMessage: String {
        if case let .invalidOption(message) = self { return message }
        return description
    }
}
