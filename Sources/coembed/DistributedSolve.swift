import Foundation
import LinearAlgebra
import DataIO
import Solvers
import Workflows
import Distributed

/// `coembed solve` under mpirun: one process per rank, items split into nonzero-balanced blocks,
/// each rank keeping S only for its block. The solvers are the single-process ones: every number
/// they see comes out of rank-ordered collectives, bitwise the same on every rank, so every rank
/// takes the same decisions (line-search steps, restarts, stopping) without talking about them.
///
/// Errors: a problem that only some ranks see before the run (their input unreadable, say) is
/// agreed on by one small collective; the failing rank prints its message, and after a barrier
/// (so the message is out before any rank exits) every rank exits with status 1. A failure inside
/// the run (a collective failing, a rank dying) aborts the job through MPI_Abort, which makes
/// mpirun end every rank with a non-zero status.
enum DistributedSolve {
    /// Under mpirun only `solve` is distributed; any other subcommand would run P copies of the
    /// same single-process job (and race on its outputs), so it is refused before MPI starts:
    /// rank 0 prints the message, every rank exits with status 1.
    static func refuseOtherCommandsUnderMPI(_ arguments: [String]) {
        guard MPIEnvironment.launchedByMPI else { return }
        let subcommand = arguments.dropFirst().first { !$0.hasPrefix("-") }
        guard let subcommand, subcommand != "solve" else { return }
        if (ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_RANK"] ?? ProcessInfo.processInfo.environment["PMIX_RANK"] ?? "0") == "0" {
            FileHandle.standardError.write(Data("Error: under mpirun only `coembed solve` runs distributed; run `coembed \(subcommand)` without mpirun\n".utf8))
        }
        exit(1)
    }

    static func run(_ command: SolveCommand) throws {
        let comm: MPICommunicator
        do { comm = try MPIEnvironment.world() } catch { throw CLIError("MPI could not start: \(error)") }
        let rank = comm.rank
        do {
            try solve(command, comm: comm)
        } catch let failure as AgreedFailure {
            // The message is written before the barrier and every rank exits only after it: mpirun
            // ends the whole job as soon as any rank exits non-zero, so a rank that printed after
            // its peers had exited could be killed with its message unwritten.
            if failure.printHere {
                let line = Array("Error: \(failure.message)\n".utf8)
                _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
            }
            do { try comm.barrier() } catch { MPIEnvironment.abort("\(error)", rank: rank) }
            MPIEnvironment.finalize()
            exit(1)
        } catch {
            MPIEnvironment.abort("\(error)", rank: rank)
        }
        MPIEnvironment.finalize()
    }

    /// An error every rank knows about; `printHere` on exactly one rank.
    struct AgreedFailure: Error {
        let message: String
        let printHere: Bool
    }

    /// Runs `body` on every rank and turns a failure on any rank into an `AgreedFailure` on all:
    /// the lowest failing rank prints its message (prefixed with its rank when it is not 0).
    static func agreed<T>(_ distribution: ItemDistribution?, comm: any Communicator, _ body: () throws -> T) throws -> T {
        var value: T?
        var localError: (any Error)?
        do { value = try body() } catch { localError = error }
        var flags = [Double](repeating: 0, count: comm.size)
        // 2: an original failure; 1: this rank only heard of another's (peerFailed).
        flags[comm.rank] = localError == nil ? 0 : (localError is CommunicatorError || localError is PeerReadFailure ? 1 : 2)
        try flags.withUnsafeMutableBufferPointer { try comm.allreduceSum($0) }
        if let failing = flags.firstIndex(where: { $0 == 2 }) ?? flags.firstIndex(where: { $0 > 0 }) {
            let message = localError.map { comm.rank == 0 ? "\($0)" : "rank \(comm.rank): \($0)" } ?? ""
            throw AgreedFailure(message: message, printHere: failing == comm.rank)
        }
        return value!
    }

    /// `--verbose`: what this rank read (its block, users, likes, and a checksum of its (user,
    /// item) pairs in row order: FNV-1a over u·M + i), the read's time and the process's peak
    /// resident memory so far; one line per rank on stderr.
    static func reportRead(_ input: InteractionsBlock, rank: Int, seconds: Double) {
        let s = input.matrix
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for u in 0..<s.rows {
            for k in s.rowPointers[u]..<s.rowPointers[u + 1] {
                hash = (hash ^ UInt64(u * s.columns + Int(s.columnIndices[k]))) &* 0x0000_0100_0000_01B3
            }
        }
        let block = input.bounds[rank]..<input.bounds[rank + 1]
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let peak = String(format: "%.0f", Double(usage.ru_maxrss) / 1024)   // ru_maxrss is in KiB on Linux
        FileHandle.standardError.write(Data("read: rank \(rank) items \(block.lowerBound)..<\(block.upperBound) of \(s.columns) users \(s.rows) likes \(s.nonzeroCount) checksum \(String(hash, radix: 16)) seconds \(String(format: "%.3f", seconds)) peak-MiB \(peak)\n".utf8))
    }

    /// `--verbose`, after the run: the rows of V this rank's solver held and its peak resident
    /// memory (one line per rank on stderr).
    static func reportHeld(_ v: Matrix, problem: Problem, rank: Int) {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let rows = problem.heldRows
        let layout = problem.itemSums.isDistributed ? "local" : "replicated"
        FileHandle.standardError.write(Data("held: rank \(rank) rows \(v.rows) of \(problem.itemCount) (items \(rows.lowerBound)..<\(rows.upperBound), \(layout)) columns \(v.columns) peak-MiB \(String(format: "%.0f", Double(usage.ru_maxrss) / 1024))\n".utf8))
    }

    static func solve(_ command: SolveCommand, comm: MPICommunicator) throws {
        let ranks = comm.size
        // Options every rank checks the same way (no collective needed, rank 0 speaks).
        func refuse(_ message: String) -> AgreedFailure { AgreedFailure(message: message, printHere: comm.rank == 0) }
        let settings: SolverSettings
        let method: RegisteredMethod
        do {
            settings = try command.options.settings()
            method = try MethodRegistry.named(command.solver)
        } catch { throw refuse("\(error)") }
        if command.data.matrix != nil { throw refuse("under mpirun, coembed solve reads --ratings or --interactions (X = SᵀS); --matrix is single-process only") }
        if command.data.transform != .counts { throw refuse("under mpirun, --transform \(command.data.transform.rawValue) is not available (only counts: X = SᵀS)") }
        if command.quality.holdout { throw refuse("under mpirun, --holdout is not available (the evaluation needs all of S on one process)") }
        if method.family != .maskedLoss {
            let allowed = MethodRegistry.all.filter { $0.family == .maskedLoss }.map(\.name).joined(separator: ", ")
            throw refuse("under mpirun, \(method.name) is not available (the sampled solvers are single-process); use \(allowed)")
        }
        if method.name == AlternatingImputation.methodName && settings[AlternatingImputation.Settings.self].inner == .exact {
            throw refuse("under mpirun, \(AlternatingImputation.exactInnerNeedsOneProcess)")
        }
        if command.checkpointing.checkpoint != nil || command.checkpointing.resume != nil {
            throw refuse("under mpirun, --checkpoint and --resume are not available (a snapshot would need every rank's rows)")
        }
        if let output = command.output.first(where: { URL(fileURLWithPath: $0).pathExtension.lowercased() != "npy" }) {
            throw refuse("under mpirun, --output must be a .npy file (every rank writes its rows into it); got \(output)")
        }

        // Read: each rank reads only its part of the input and ends with S for its item block
        // (docs/distributed.md, "Reading the input").
        let rank = comm.rank
        let blockBounds = { (likes: [Int]) in
            ItemDistribution.balancedBounds(itemNonzeros: likes, parts: ranks, dimension: settings.dimension)
        }
        let clock = ContinuousClock(), readStart = clock.now
        let input = try agreed(nil, comm: comm) { () throws -> InteractionsBlock in
            if let interactions = command.data.interactions {
                return try PartitionedInteractionFile.read(URL(fileURLWithPath: interactions), likeThreshold: command.data.likeThreshold,
                                                           group: comm, blockBounds: blockBounds)
            }
            let url = try command.data.ratings.map { URL(fileURLWithPath: $0) } ?? DataOptions.bundledRatings()
            return try PartitionedRatings.read(url, layout: command.data.layout(), likeThreshold: command.data.likeThreshold ?? 4,
                                               titles: command.data.titles.map { URL(fileURLWithPath: $0) },
                                               group: comm, blockBounds: blockBounds)
        }
        let bounds = input.bounds
        let distribution = ItemDistribution(communicator: comm, bounds: bounds,
                                            ownRowsOnly: method.runsOnLocalRows) { error in
            MPIEnvironment.abort("\(error)", rank: rank)
        }
        // The ARPACK eigen route on local rows: PARPACK, the Lanczos basis split like V.
        distribution.rowLanczos = PARPACKLanczos()
        let local = input.matrix
        if command.data.verbose { reportRead(input, rank: rank, seconds: (clock.now - readStart).seconds) }
        let itemCount = input.itemCount
        let problem = try agreed(distribution, comm: comm) { try Problem(interactionsBlock: local, distribution: distribution) }

        // The memory check counts each rank's held rows (M_b × D per solver array with local
        // rows), so ranks may differ: refuse on all of them together, before the run's collectives.
        try agreed(distribution, comm: comm) { try method.checkMemory(problem: problem, settings: settings) }

        let progress = ProgressReporter(label: method.name, quiet: command.options.quiet || comm.rank != 0, forced: command.options.progress)
        let result = try agreed(distribution, comm: comm) {
            // --init file.npy: each rank reads only its rows of V (all of them when rows are replicated).
            let readOwnRows = { (url: URL) in
                try StartFile.readRows(url, held: problem.heldRows, itemCount: itemCount, dimension: settings.dimension)
            }
            return try method.run(problem: problem, settings: settings, readStart: readOwnRows) { entry in
                progress.update(entry)
                return true
            }
        }
        progress.finish()
        if command.data.verbose { reportHeld(result.embedding, problem: problem, rank: rank) }

        // The ranks ran the same iterations on the same numbers: check it (one broadcast).
        var summary = [result.finalLoss, Double(result.iterations), Double(result.lossEvaluations)]
        let mine = summary
        try summary.withUnsafeMutableBufferPointer { try comm.broadcast($0, root: 0) }
        guard summary.elementsEqual(mine, by: { $0.bitPattern == $1.bitPattern }) else {
            MPIEnvironment.abort("rank \(comm.rank) ended with loss \(mine[0]) after \(Int(mine[1])) iterations, rank 0 with \(summary[0]) after \(Int(summary[1])): the ranks diverged", rank: comm.rank)
        }

        // As in one process: a non-finite run writes no embedding unless --keep-last-finite.
        let writes = result.termination != .nonFiniteLoss || (command.keepLastFinite && result.finalLoss.isFinite)
        if writes {
            for output in command.output {
                try DistributedNPY.write(result.embedding, firstRow: problem.heldRows.lowerBound, rows: distribution.block, itemCount: itemCount,
                                         to: URL(fileURLWithPath: output), comm: comm)
            }
        }
        guard comm.rank == 0 else { return }
        // As in one process: items.csv beside every embedding (rank 0 holds every item id).
        if writes {
            let folders = Set(command.output.map { URL(fileURLWithPath: $0).deletingLastPathComponent().standardizedFileURL })
            for folder in folders.sorted(by: { $0.path < $1.path }) {
                try EmbeddingExport.writeItems(itemNames: input.itemName, titles: input.titles, likes: input.itemLikes,
                                               to: folder.appendingPathComponent("items.csv"))
            }
        }
        if let trace = command.trace { try result.writeTrace(to: URL(fileURLWithPath: trace)) }
        for note in result.notes { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
        FileHandle.standardError.write(Data("note: distributed over \(ranks) MPI ranks, item blocks \(bounds)\n".utf8))
        print(String(format: "solver=%@ D=%d init=%@ iterations=%d evaluations=%d seconds=%.3f termination=%@ loss=%@",
                     result.method, settings.dimension, result.initialization, result.iterations, result.lossEvaluations,
                     result.seconds, result.termination.rawValue,
                     result.termination == .nonFiniteLoss ? "nan" : LossText.value(result.finalLoss, bound: result.lossErrorBound)))
        try EmbeddingOutput.failIfNonFinite(result, wrote: !command.output.isEmpty && writes)
    }
}
