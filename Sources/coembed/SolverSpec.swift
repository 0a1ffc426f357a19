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

    /// `base` with the overrides applied, as a comparison run.
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
        return ComparisonRun(label: label, kind: kind, settings: settings, similarity: similarity)
    }

    private struct BadValue: Error, CustomStringConvertible { var description: String }

    private static func parse<T: ExpressibleByArgument>(_ value: String, as _: T.Type = T.self) throws -> T {
        guard let v = T(argument: value) else { throw BadValue(description: "not a valid \(T.self)") }
        return v
    }

    private static func positive(_ value: String) throws -> Double {
        let v: Double = try parse(value)
        guard v > 0, v.isFinite else { throw BadValue(description: "must be a positive number") }
        return v
    }

    private static func atLeastOne(_ value: String) throws -> Int {
        let v: Int = try parse(value)
        guard v >= 1 else { throw BadValue(description: "must be ≥ 1") }
        return v
    }

    /// Per-solver settings by option name. The problem (data, D, seed) is shared by every row and
    /// cannot be overridden.
    static let setters: [String: @Sendable (inout SolverSettings, String) throws -> Void] = [
        "max-iterations": { s, v in s.maxIterations = try atLeastOne(v) },
        "time-limit": { s, v in s.timeLimit = try positive(v) },
        "tolerance": { s, v in let t: Double = try parse(v); guard t >= 0 else { throw BadValue(description: "must be ≥ 0") }; s.relativeTolerance = t },
        "init": { s, v in
            switch v {
            case "eigen": s.initialPoint = .eigen
            case "random": s.initialPoint = .random(scale: 1)
            default: throw BadValue(description: "per-solver init is eigen or random")
            }
        },
        "init-scale": { s, v in
            let scale = try positive(v)
            guard case .random = s.initialPoint else { throw BadValue(description: "set init=random first") }
            s.initialPoint = .random(scale: scale)
        },
        "learning-rate": { s, v in s.learningRate = try positive(v) },
        "adam-schedule": { s, v in s.adamSchedule = try parse(v) },
        "memory": { s, v in s.lbfgsMemory = try atLeastOne(v) },
        "preconditioning": { s, v in s.lbfgsPreconditioning = try parse(v) },
        "impute-inner": { s, v in s.imputeInner = try parse(v) },
        "eigen-backend": { s, v in s.eigenBackend = try parse(v) },
        "epochs": { s, v in s.sampled.epochs = try atLeastOne(v) },
        "pairs": { s, v in s.sampled.pairs = try v == "all" ? .all : .sampled(perLike: positive(v)) },
        "sampled-learning-rate": { s, v in s.sampled.learningRate = try positive(v) },
        "sampled-adam": { s, v in s.sampled.adam = try parse(v) },
        "sampled-init": { s, v in s.sampled.initialization = try parse(v) },
        "sampled-output": { s, v in s.sampled.output = try parse(v) },
        "threads": { s, v in s.sampled.threads = try atLeastOne(v) },
        "negatives": { s, v in s.sampled.negatives = try atLeastOne(v) },
        "share-negatives": { s, v in
            let b: Int = try parse(v)
            guard (0...1024).contains(b) else { throw BadValue(description: "must be 0 (per pair) to 1024") }
            s.sampled.sharedNegatives = b
        },
        "noise-power": { s, v in let a: Double = try parse(v); guard a >= 0, a.isFinite else { throw BadValue(description: "must be ≥ 0") }; s.sampled.noisePower = a },
        "candidates": { s, v in s.sampled.candidates = try atLeastOne(v) },
        "candidate-sampler": { s, v in s.sampled.candidateSampler = try parse(v) },
        "batch-size": { s, v in let b = try atLeastOne(v); guard b >= 2 else { throw BadValue(description: "must be ≥ 2") }; s.sampled.batchSize = b },
        "in-batch-negatives": { s, v in s.sampled.shiftedNegatives = try v == "full" ? nil : atLeastOne(v) },
        "log-q": { s, v in
            switch v {
            case "none": s.sampled.correction = .none
            case "counts": s.sampled.correction = .counts
            case "streaming": s.sampled.correction = .streaming(rate: 0.05)
            default: throw BadValue(description: "must be none, counts or streaming")
            }
        },
        "temperature": { s, v in s.sampled.temperature = try positive(v) },
        "normalize": { s, v in s.sampled.normalize = try parse(v) },
        "output-bias": { s, v in s.sampled.outputBias = try parse(v) },
    ]
}
