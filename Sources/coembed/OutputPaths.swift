import ArgumentParser
import Foundation
import DataIO
import LinearAlgebra
import Solvers
import Workflows

/// Checks on the paths a command will write, made before any work: an output may not be an
/// input (`--output` equal to `--ratings` once overwrote the ratings), two outputs may not share
/// a path, a trace may not carry an embedding's extension, and formats are known up front.
enum OutputPaths {
    static let embeddingExtensions = ["npy", "csv", "txt", "w2v", "vec"]
    static let traceExtensions = ["csv", "json"]

    /// The path with symbolic links and `..` resolved (through the nearest existing parent), so
    /// that two spellings of one file compare equal.
    static func canonical(_ path: String) -> String {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        var existing = url
        var tail: [String] = []
        while !FileManager.default.fileExists(atPath: existing.path), existing.path != "/" {
            tail.insert(existing.lastPathComponent, at: 0)
            existing = existing.deletingLastPathComponent()
        }
        var resolved = existing.resolvingSymlinksInPath()
        for part in tail { resolved.appendPathComponent(part) }
        return resolved.path
    }

    /// The item maps `solve --output PATH…` writes: items.csv (variables.csv for --matrix data)
    /// once in every folder that receives an embedding.
    static func itemMapFiles(_ outputs: [String], variables: Bool) -> [(option: String, path: String)] {
        var seen = Set<String>()
        var files: [(option: String, path: String)] = []
        for output in outputs {
            let folder = URL(fileURLWithPath: output).deletingLastPathComponent()
            guard seen.insert(canonical(folder.path)).inserted else { continue }
            let name = variables ? "variables.csv" : "items.csv"
            files.append(("\(name) beside --output", folder.appendingPathComponent(name).path))
        }
        return files
    }

    static func checkEmbeddingExtension(_ output: String) throws {
        let ext = URL(fileURLWithPath: output).pathExtension.lowercased()
        guard embeddingExtensions.contains(ext) else {
            throw ValidationError("--output \(output): unknown embedding format (\(ext.isEmpty ? "no extension" : "unknown extension '.\(ext)'")): use .npy, .csv, .txt, .w2v or .vec")
        }
    }

    static func checkTraceExtension(_ trace: String) throws {
        let ext = URL(fileURLWithPath: trace).pathExtension.lowercased()
        if embeddingExtensions.contains(ext) && !traceExtensions.contains(ext) {
            throw ValidationError("--trace \(trace) has an embedding's extension '.\(ext)': a trace is .csv or .json")
        }
        guard traceExtensions.contains(ext) else {
            throw ValidationError("--trace \(trace): unknown trace format '.\(ext)': use .csv or .json")
        }
    }

    /// Refuses an output that is also an input, and two outputs with one path.
    static func checkDistinct(outputs: [(option: String, path: String)], inputs: [(option: String, path: String)]) throws {
        var seen: [String: String] = [:]
        for input in inputs { seen[canonical(input.path)] = input.option }
        var written: [String: String] = [:]
        for output in outputs {
            let key = canonical(output.path)
            if let input = seen[key] {
                throw ValidationError("\(output.option) \(output.path) is the \(input) input: writing it would destroy the data")
            }
            if let other = written[key] {
                throw ValidationError(output.option == other ? "\(output.option) \(output.path) is given twice"
                                                             : "\(output.option) and \(other) are the same file (\(output.path))")
            }
            written[key] = output.option
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: output.path, isDirectory: &isDirectory), isDirectory.boolValue {
                throw ValidationError("\(output.option) \(output.path) is a folder, not a file")
            }
        }
    }

    /// The inputs a data option group and a run option group read.
    static func inputs(data: DataOptions, initialization: String?) -> [(option: String, path: String)] {
        var list: [(option: String, path: String)] = []
        if let r = data.ratings { list.append(("--ratings", r)) }
        if let m = data.matrix { list.append(("--matrix", m)) }
        if let i = initialization, i != "eigen", i != "random" { list.append(("--init", i)) }
        return list
    }

    /// Refuses a report folder that is a file, or one whose report files would overwrite an input.
    static func checkReportFolder(_ report: String, inputs: [(option: String, path: String)]) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: report, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw ValidationError("--report \(report) is a file, not a folder")
        }
        let folder = canonical(report)
        let fixed: Set<String> = ["report.md", "results.csv", "results.tex", "convergence.svg", "embedding.npy", "items.csv"]
        for input in inputs {
            let url = URL(fileURLWithPath: canonical(input.path))
            let name = url.lastPathComponent
            guard url.deletingLastPathComponent().path == folder else { continue }
            if fixed.contains(name) || (name.hasPrefix("trace-") && name.hasSuffix(".csv"))
                || (name.hasPrefix("embedding-") && name.hasSuffix(".npy")) {
                throw ValidationError("\(input.option) \(input.path) is inside --report \(report), where the report writes \(name)")
            }
        }
    }
}

extension EmbeddingOutput {
    /// Writes the run's files together (embedding, items.csv, trace): all staged, then renamed
    /// into place. A run whose loss became non-finite writes its trace but its embedding (the
    /// last finite iterate) only with `--keep-last-finite`.
    static func commit(_ result: SolverResult, plan: OutputPlan, dataset: Dataset, variableNames: (Int) throws -> [String],
                       keepLastFinite: Bool) throws {
        let transaction = OutputTransaction()
        defer { transaction.discard() }
        if result.termination != .nonFiniteLoss || (keepLastFinite && result.finalLoss.isFinite) {
            try stage(result.embedding, plan: plan, dataset: dataset, variableNames: variableNames, in: transaction)
        }
        if let trace = plan.trace { try transaction.stage(trace) { try result.writeTrace(to: $0) } }
        try transaction.commit()
    }

    /// A non-finite loss is a failure: one line on stderr and exit status 1 (after the summary).
    static func failIfNonFinite(_ result: SolverResult, wrote: Bool) throws {
        guard result.termination == .nonFiniteLoss else { return }
        let kept = !result.finalLoss.isFinite ? "no iterate had a finite loss, nothing was written"
                 : wrote ? "its last finite iterate was written (--keep-last-finite)"
                         : "no embedding was written (--keep-last-finite writes the last finite iterate)"
        throw CLIError("the loss became non-finite at iteration \(result.iterations) (step too large or data too large for double precision); \(kept)")
    }
}
