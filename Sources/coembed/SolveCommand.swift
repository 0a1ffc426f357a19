import ArgumentParser
import Foundation
import LinearAlgebra
import DataIO
import Solvers
import Evaluation
import Workflows
import Distributed

struct SolveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "solve", abstract: "Run one solver and write the embedding and its trace.",
        discussion: """
            Examples:
              coembed solve --solver lbfgs --dim 300 --output out/v.npy --output out/v.w2v --trace out/lbfgs.csv
              coembed solve --solver adam --init random --max-iterations 500     # the torch.randn baseline
              coembed solve --solver sgns --holdout                              # HitRate@10 / NDCG@10
            """, helpNames: [])

    @OptionGroup var data: DataOptions
    @OptionGroup var options: RunOptions

    @Option(help: "Solver: \(MethodRegistry.names.joined(separator: ", ")).")
    var solver: String = LBFGS.methodName

    @Option(help: ArgumentHelp(
        "Write the embedding: .npy (float64, C order), .csv or .txt/.w2v/.vec (word2vec text); repeat for several formats.",
        discussion: "items.csv (variables.csv for --matrix data) is written beside every embedding.", valueName: "file"),
            completion: .file(extensions: ["npy", "csv", "txt", "w2v", "vec"]))
    var output: [String] = []

    @Option(help: ArgumentHelp("Write the trace: .csv or .json.", valueName: "file"), completion: .file(extensions: ["csv", "json"]))
    var trace: String?

    @Flag(help: "If the loss becomes non-finite, still write the last finite iterate to --output (the exit status stays non-zero).")
    var keepLastFinite = false

    @OptionGroup(title: "Recommendation quality") var quality: QualityOptions

    @OptionGroup(title: "Checkpoints") var checkpointing: CheckpointOptions

    @OptionGroup var help: SettingsHelp

    func validate() throws {
        try help.exitIfRequested(Self.self)
        do { _ = try MethodRegistry.named(solver) } catch let error as ProblemError { throw ValidationError(error.optionMessage) }
        var outputs: [(option: String, path: String)] = []
        for path in output { try OutputPaths.checkEmbeddingExtension(path); outputs.append(("--output", path)) }
        outputs += OutputPaths.itemMapFiles(output, variables: data.matrix != nil)
        if let trace { try OutputPaths.checkTraceExtension(trace); outputs.append(("--trace", trace)) }
        try OutputPaths.checkDistinct(outputs: outputs, inputs: OutputPaths.inputs(data: data, initialization: options.initialization))
    }

    func run() throws {
        // Launched by mpirun: the same solve, distributed over the ranks (DistributedSolve).
        if MPIEnvironment.launchedByMPI { return try DistributedSolve.run(self) }
        let commandLine = CheckpointOptions.commandLineArguments
        let record = try checkpointing.loadResume()
        if let record {
            let merged = try checkpointing.savedArguments(record: record) + commandLine
            try SolveCommand.parse(merged).execute(commandLine: merged, resume: record)
        } else {
            try execute(commandLine: commandLine, resume: record)
        }
    }

    func execute(commandLine: [String], resume: CheckpointRecord?) throws {
        let stop = StopToken()
        SignalHandling.install(stop)
        // Every output is checked (format, folder, permission) before the data is read.
        let outputs: OutputPlan
        do { outputs = try OutputPlan(embeddings: output, trace: trace) } catch let error as OutputError { throw CLIError(error.description) }
        let method = try MethodRegistry.named(solver)
        let settings = try options.settings()
        var dataset = try data.load()
        if dataset.interactions == nil, dataset.problem.diagonal.allSatisfy({ abs($0 - 1) <= 1e-9 }) {
            FileHandle.standardError.write(Data("note: X has a unit diagonal, like a correlation matrix: `coembed factor --matrix \(data.matrix ?? "FILE") --factors \(options.dimension)` prints loadings, h2, u2, com, SS loadings and RMSR\n".utf8))
        }
        var split: HoldoutSplit?
        if quality.holdout {
            guard let interactions = dataset.interactions else { throw CLIError("--holdout needs --ratings data") }
            split = HoldoutSplit(interactions, seed: settings.seed)
            dataset = try dataset.withTraining(split!.training)
        }
        let progress = ProgressReporter(label: method.name, quiet: options.quiet, forced: options.progress)
        let control = RunControl(stop: stop, checkpointing: checkpointing.policy(
            method: method, settings: settings, commandLine: commandLine, resume: resume))
        let result = try method.run(problem: dataset.problem(for: method), settings: settings, control: control,
                                    readStart: StartFile.read) { entry in
            progress.update(entry)
            return true
        }
        progress.finish()
        try EmbeddingOutput.commit(result, plan: outputs, dataset: dataset, variableNames: data.variableNames(count:),
                                   keepLastFinite: keepLastFinite)
        if let split { print(QualityOptions.line(try quality.quality(of: result.embedding, split: split, name: result.method, method: method))) }
        for note in result.notes { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
        print(String(format: "solver=%@ D=%d init=%@ iterations=%d evaluations=%d seconds=%.3f termination=%@ loss=%@",
                     result.method, options.dimension, result.initialization, result.iterations, result.lossEvaluations,
                     result.seconds, result.termination.rawValue,
                     result.termination == .nonFiniteLoss ? "nan" : LossText.value(result.finalLoss, bound: result.lossErrorBound)))
        try EmbeddingOutput.failIfNonFinite(result, wrote: !output.isEmpty && keepLastFinite)
        if let status = SignalHandling.exitCode(stop) { throw ExitCode(status.code) }
    }
}
