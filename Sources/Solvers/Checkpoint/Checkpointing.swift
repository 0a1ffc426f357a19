import Foundation
import LinearAlgebra

/// A method whose state between two iterations can be saved and restored exactly, so that a
/// resumed run continues bit for bit where the saved one was (with one thread).
///
/// The driver saves the embedding (`embedding(of:)`) and restores a state by calling
/// `makeState(start:)` with that embedding and then `restoreState`; a method therefore only
/// records what `makeState` cannot rebuild from the embedding and the data (moments, pairs,
/// step sizes, sampled tables, its random stream). Field names are the method's own; the driver
/// prefixes them with `state.`.
public protocol CheckpointableMethod: SolverMethod {
    func saveState(_ state: State, into record: inout CheckpointRecord) throws
    func restoreState(_ state: inout State, from record: CheckpointRecord, context: SolverContext) throws
}

extension CheckpointableMethod {
    // Entry points over the driver's `Method.State`, which is this method's `State` (the driver
    // only reaches them through a cast of the same method value).
    func saveAnyState<S>(_ state: S, into record: inout CheckpointRecord) throws {
        guard let typed = state as? State else { throw CheckpointError.unsupported("\(name): state type mismatch") }
        var own = CheckpointRecord()
        try saveState(typed, into: &own)
        for (key, value) in own.fields { record["state." + key] = value }
    }

    func restoreAnyState<S>(_ state: inout S, from record: CheckpointRecord, context: SolverContext) throws {
        guard var typed = state as? State else { throw CheckpointError.unsupported("\(name): state type mismatch") }
        var own = CheckpointRecord()
        for (key, value) in record.fields where key.hasPrefix("state.") { own[String(key.dropFirst(6))] = value }
        try restoreState(&typed, from: own, context: context)
        state = typed as! S
    }
}

/// What identifies a run for checkpointing: a snapshot is only resumed by the same run.
struct RunIdentity {
    var method: String
    var dimension: Int
    var seed: UInt64
    var options: String
    var inputHash: UInt64
    var inputDescription: String

    init(method: String, dimension: Int, seed: UInt64, options: String, problem: Problem) {
        self.method = method
        self.dimension = dimension
        self.seed = seed
        self.options = options
        (inputHash, inputDescription) = Self.fingerprint(problem)
    }

    func save(into r: inout CheckpointRecord) {
        r.set("run.method", method)
        r.set("run.dimension", dimension)
        r.set("run.seed", seed)
        r.set("run.options", options)
        r.set("input.hash", inputHash)
        r.set("input.description", inputDescription)
    }

    /// Refuses a snapshot of another run, naming what differs.
    func check(_ r: CheckpointRecord) throws {
        let method = try r.text("run.method")
        guard method == self.method else {
            throw CheckpointError.mismatch("it was written by solver \(method), this run is \(self.method)")
        }
        let hash = try r.uint("input.hash"), description = try r.text("input.description")
        guard hash == inputHash, description == inputDescription else {
            throw CheckpointError.mismatch("it was written for other data (\(description), fingerprint \(String(hash, radix: 16))); this input is \(inputDescription), fingerprint \(String(inputHash, radix: 16))")
        }
        let d = try r.int("run.dimension")
        guard d == dimension else { throw CheckpointError.mismatch("it was written for D = \(d), this run has D = \(dimension)") }
        let seed = try r.uint("run.seed")
        guard seed == self.seed else { throw CheckpointError.mismatch("it was written with seed \(seed), this run has seed \(self.seed)") }
        let options = try r.text("run.options")
        guard options == self.options else {
            throw CheckpointError.mismatch("it was written with other options: \(Self.firstDifference(options, self.options))")
        }
    }

    /// The first differing "key: value" item of two descriptions, for the refusal message.
    static func firstDifference(_ saved: String, _ now: String) -> String {
        let separators = CharacterSet(charactersIn: ",()")
        let a = saved.components(separatedBy: separators).map { $0.trimmingCharacters(in: .whitespaces) }
        let b = now.components(separatedBy: separators).map { $0.trimmingCharacters(in: .whitespaces) }
        for (x, y) in zip(a, b) where x != y { return "checkpoint has '\(x)', this run has '\(y)'" }
        return "checkpoint has '\(saved)', this run has '\(now)'"
    }

    /// FNV-1a (64-bit, over 8-byte words) of X's source, with its kind and sizes in words.
    static func fingerprint(_ problem: Problem) -> (UInt64, String) {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        func mix(_ x: UInt64) { h = (h ^ x) &* 0x0000_0100_0000_01B3 }
        func mix(_ xs: [Double]) { for x in xs { mix(x.bitPattern) } }
        let description: String
        switch problem.source {
        case let .interactions(s):
            description = "interactions \(s.rows)×\(s.columns), \(s.nonzeroCount) stored entries"
            mix(1); mix(UInt64(s.rows)); mix(UInt64(s.columns))
            for p in s.rowPointers { mix(UInt64(p)) }
            for c in s.columnIndices { mix(UInt64(UInt32(bitPattern: c))) }
            mix(s.values)
        case let .dense(x):
            description = "dense X \(x.rows)×\(x.columns)"
            mix(2); mix(UInt64(x.rows)); mix(UInt64(x.columns))
            mix(x.storage)
        case let .sparse(x):
            description = "sparse X \(x.rows)×\(x.columns), \(x.nonzeroCount) stored entries"
            mix(3); mix(UInt64(x.rows)); mix(UInt64(x.columns))
            for p in x.rowPointers { mix(UInt64(p)) }
            for c in x.columnIndices { mix(UInt64(UInt32(bitPattern: c))) }
            mix(x.values)
        }
        return (h, description)
    }
}

extension SeededGenerator {
    func save(_ key: String, into r: inout CheckpointRecord) {
        let (words, spare) = checkpointState
        r.set(key, words.map { Int(Int64(bitPattern: $0)) })
        if let spare { r.set(key + ".spareGaussian", spare) }
    }

    static func restore(_ key: String, from r: CheckpointRecord) throws -> SeededGenerator {
        let words = try r.ints(key, count: 4).map { UInt64(bitPattern: Int64($0)) }
        let spare = r[key + ".spareGaussian"] == nil ? nil : try r.double(key + ".spareGaussian")
        return SeededGenerator(checkpointWords: words, spareGaussian: spare)
    }
}

extension TraceEntry {
    /// The trace as fields `key.*` (columns of equal length; extras as parallel key/value lists).
    static func save(_ trace: [TraceEntry], _ key: String, into r: inout CheckpointRecord) {
        r.set(key + ".iteration", trace.map(\.iteration))
        r.set(key + ".seconds", trace.map(\.seconds))
        r.set(key + ".loss", trace.map(\.loss))
        r.set(key + ".hasGradientNorm", trace.map { $0.gradientNorm == nil ? 0 : 1 })
        r.set(key + ".gradientNorm", trace.map { $0.gradientNorm ?? 0 })
        r.set(key + ".hasStepSize", trace.map { $0.stepSize == nil ? 0 : 1 })
        r.set(key + ".stepSize", trace.map { $0.stepSize ?? 0 })
        let extras = trace.map { $0.extras.sorted { $0.key < $1.key } }
        r.set(key + ".extraCounts", extras.map(\.count))
        r.set(key + ".extraNames", extras.flatMap { $0.map(\.key) }.joined(separator: "\n"))
        r.set(key + ".extraValues", extras.flatMap { $0.map(\.value) })
    }

    static func restore(_ key: String, from r: CheckpointRecord) throws -> [TraceEntry] {
        let iterations = try r.ints(key + ".iteration")
        let n = iterations.count
        let seconds = try r.doubles(key + ".seconds", count: n), loss = try r.doubles(key + ".loss", count: n)
        let hasG = try r.ints(key + ".hasGradientNorm", count: n), g = try r.doubles(key + ".gradientNorm", count: n)
        let hasS = try r.ints(key + ".hasStepSize", count: n), s = try r.doubles(key + ".stepSize", count: n)
        let counts = try r.ints(key + ".extraCounts", count: n)
        let total = counts.reduce(0, +)
        let namesText = try r.text(key + ".extraNames")
        let names = total == 0 ? [] : namesText.components(separatedBy: "\n")
        let values = try r.doubles(key + ".extraValues", count: total)
        guard names.count == total, counts.allSatisfy({ $0 >= 0 }) else { throw CheckpointError.damaged("trace extras do not line up") }
        var out: [TraceEntry] = []
        var k = 0
        for i in 0..<n {
            var extras: [String: Double] = [:]
            for _ in 0..<counts[i] { extras[names[k]] = values[k]; k += 1 }
            out.append(TraceEntry(iteration: iterations[i], seconds: seconds[i], loss: loss[i],
                                  gradientNorm: hasG[i] != 0 ? g[i] : nil, stepSize: hasS[i] != 0 ? s[i] : nil, extras: extras))
        }
        return out
    }
}
