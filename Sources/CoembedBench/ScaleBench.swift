import ArgumentParser
import Foundation
import LinearAlgebra
import DataIO
import Solvers
import Workflows

/// Stage-by-stage figures on a large synthetic (or given) ratings file: the issue-9 scale targets.
struct ScaleBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scale",
        abstract: "Load, set-up, eigen init, loss+gradient, L-BFGS and impute on a large (synthetic) data set, with peak RSS.",
        discussion: """
            Without --ratings, generates users × items × likes with `coembed generate`'s law (seeded)
            and writes it to --data-dir once, then measures loading that file. Presets: 100k is
            50,000 × 100,000 × 4,670,000 at D = 64; 1m is 500,000 × 1,000,000 × 50,000,000 at D = 128.
            """)

    enum Preset: String, ExpressibleByArgument { case small, k100 = "100k", m1 = "1m" }

    @Option(help: "Size preset (small, 100k, 1m); --users/--items/--likes/--dim override its fields.")
    var preset: Preset = .k100

    @Option(help: "Users of the generated data.") var users: Int?
    @Option(help: "Items of the generated data.") var items: Int?
    @Option(help: "Likes of the generated data.") var likes: Int?
    @Option(help: "Embedding dimension.") var dim: Int?
    @Option(help: "Generator seed.") var seed: UInt64 = 9

    @Option(help: "Read this ratings CSV instead of generating one.")
    var ratings: String?

    @Option(help: "Folder for generated files.")
    var dataDir: String = "out/scale"

    @Option(help: "Seconds L-BFGS may run (its own final loss is the reference for the 1e-3 crossing).")
    var lbfgsSeconds: Double = 300

    @Option(help: "L-BFGS memory (default 5); lowered by the method itself when its arrays do not fit the memory budget.")
    var lbfgsMemory: Int?

    @Option(help: "Seconds of alternating imputation (subspace inner step) for the iterations-per-minute figure.")
    var imputeSeconds: Double = 60

    @Option(help: "Residual target of the block eigen init, relative to λ_max (default: the init=eigen one, 1e-6).")
    var eigenTolerance: Double?

    @Option(help: "Repetitions of the loss+gradient timing (median reported).")
    var repeats: Int = 3

    func run() throws {
        let (defaultUsers, defaultItems, defaultLikes, defaultDim): (Int, Int, Int, Int) = switch preset {
        case .small: (5_000, 10_000, 300_000, 32)
        case .k100: (50_000, 100_000, 4_670_000, 64)
        case .m1: (500_000, 1_000_000, 50_000_000, 128)
        }
        let d = dim ?? defaultDim
        print("machine: \(machineDescription())")
        print("memory budget for one allocation: \(MemoryBudget.system) (of \(MemoryBudget.format(MemoryBudget.physicalMemory)) physical)")
        let clock = ContinuousClock()

        let url: URL
        if let ratings {
            url = URL(fileURLWithPath: ratings)
        } else {
            let workload = SyntheticInteractions(users: users ?? defaultUsers, items: items ?? defaultItems,
                                                 likes: likes ?? defaultLikes, seed: seed)
            try workload.validate()
            try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
            url = URL(fileURLWithPath: dataDir).appendingPathComponent(
                "synthetic-\(workload.users)u-\(workload.items)i-\(workload.likes)l-s\(seed).csv")
            if FileManager.default.fileExists(atPath: url.path) {
                print("data: \(url.path) (exists)")
            } else {
                var s: SparseMatrix!
                let generate = try clock.measure { s = try workload.generate() }.seconds
                let write = try clock.measure { try InteractionWriter.writeRatingsCSV(s, to: url) }.seconds
                print(String(format: "generate: %.2f s, write CSV: %.2f s → %@", generate, write, url.path))
            }
        }
        var interactions: Interactions!
        let load = try clock.measure { interactions = try MovieLens.load(ratings: url) }.seconds
        let s = interactions.matrix
        print(String(format: "load: %.2f s (%d users × %d items, %d likes)  [VmHWM %@]", load, s.rows, s.columns,
                     s.nonzeroCount, peakRSS()))

        var problem: Problem!
        let setupCPU0 = processCPUSeconds()
        let setup = try clock.measure { problem = try Problem(interactions: s) }.seconds
        print(String(format: "set-up (diagonal, ‖X‖²_F): %.2f s (%.1f s CPU)  [VmHWM %@]", setup, processCPUSeconds() - setupCPU0, peakRSS()))

        var eigen: SpectralEmbedding.Output!
        let eigenCPU0 = processCPUSeconds()
        let eigenSeconds = try clock.measure {
            eigen = try SpectralEmbedding.compute(problem: problem, dimension: d,
                                                  blockTolerance: eigenTolerance ?? SpectralEmbedding.initializationTolerance, seed: seed)
        }.seconds
        print(String(format: "eigen init (D = %d, backend %@): %.2f s (%.1f s CPU), %d operator applications; %@  [VmHWM %@]", d,
                     eigen.route.rawValue, eigenSeconds, processCPUSeconds() - eigenCPU0, eigen.operatorApplications,
                     eigen.notes.joined(separator: "; "), peakRSS()))
        let start = eigen.embedding
        eigen = nil

        try lossAndGradient(problem, start)

        // Impute first, from the same eigen start as L-BFGS; L-BFGS then takes the start over
        // (`consume`), so that its state owns the only copy and no M × D array is kept for later.
        var firstSeconds: Double?
        let imputeMethod = ImputeFromStart()
        let impute = try Driver.run(imputeMethod, problem: problem, dimension: d, start: start, initialization: "eigen",
                                    seed: seed, options: DriverOptions(maxIterations: 1_000_000, relativeTolerance: 0, callback: { entry in
                                        if firstSeconds == nil { firstSeconds = entry.seconds }
                                        return entry.seconds - firstSeconds! < imputeSeconds
                                    }))
        let imputeSpan = (impute.trace.last?.seconds ?? 0) - (impute.trace.first?.seconds ?? 0)
        print(String(format: "impute (%@, %@): %d iterations in %.1f s after %.1f s set-up = %.2f iterations/minute, loss %.12g  [VmHWM %@]",
                     imputeMethod.base.inner.rawValue, imputeMethod.base.acceleration.rawValue,
                     impute.iterations, imputeSpan, impute.trace.first?.seconds ?? 0,
                     imputeSpan > 0 ? Double(impute.iterations) / imputeSpan * 60 : 0, impute.finalLoss, peakRSS()))

        let m = problem.itemCount
        // L-BFGS lowers its memory setting itself when its arrays would not fit the budget (LBFGSMemoryPlan).
        let requested = lbfgsMemory ?? LBFGS().memory
        let pairBytes = LBFGS().pairPrecision == .single ? 4 : 8
        let memory = try LBFGSMemoryPlan.fitting(requested: requested, problem: problem, dimension: d, budget: .system,
                                                 pairBytes: pairBytes)
        print(String(format: "L-BFGS memory plan: %d arrays of %d × %d and the rest = %@ (memory %d of %d requested, pairs in %@)",
                     LBFGSMemoryPlan.arrays(memory: memory, pairBytes: pairBytes), m, d,
                     MemoryBudget.format(LBFGSMemoryPlan.bytes(memory: memory, problem: problem, dimension: d, pairBytes: pairBytes)),
                     memory, requested, pairBytes == 4 ? "Float32" : "Float64"))
        // Each method's own peak: the impute run's is kept, then the kernel's high-water mark is
        // reset (clear_refs 5), so that the next VmHWM is L-BFGS's alone.
        let imputePeak = peakBytes()
        resetPeakRSS()
        let rssBefore = residentBytes()
        let lbfgs = try Driver.run(LBFGS(memory: requested), problem: problem, dimension: d, start: consume start, initialization: "eigen",
                                   seed: seed, options: DriverOptions(maxIterations: 1_000_000, timeLimit: lbfgsSeconds,
                                                                      relativeTolerance: 1e-12))
        let final = lbfgs.finalLoss
        let crossing = lbfgs.trace.first { ($0.loss - final) <= 1e-3 * abs(final) }
        print(String(format: "L-BFGS (memory %d): %d iterations in %.1f s (%@), final loss %.12g; start loss %.12g",
                     memory, lbfgs.iterations, lbfgs.seconds, lbfgs.termination.rawValue, final, lbfgs.trace.first?.loss ?? .nan))
        if let crossing {
            print(String(format: "L-BFGS time to 1e-3 of its final loss: %.1f s (iteration %d)  [VmHWM %@ since impute ended; resident before L-BFGS %@]",
                         crossing.seconds, crossing.iteration, peakRSS(), MemoryBudget.format(rssBefore)))
        }
        for fraction in [1e-2, 3e-3, 1e-3, 3e-4, 1e-4] {
            if let entry = lbfgs.trace.first(where: { ($0.loss - final) <= fraction * abs(final) }) {
                print(String(format: "  within %.0e of the final loss at %.1f s (iteration %d)", fraction, entry.seconds, entry.iteration))
            }
        }
        print("peak RSS (VmHWM) of the run: \(MemoryBudget.format(max(imputePeak, peakBytes())))")
    }

    /// One loss+gradient at the eigen start, the syrk+gemm floor, and the share of the rest
    /// (the two sparse passes and their assembly), medians of alternating runs.
    func lossAndGradient(_ problem: Problem, _ v: Matrix) throws {
        let loss = try MaskedLoss(problem: problem, dimension: v.columns)
        var gradient = Matrix(rows: v.rows, columns: v.columns)
        var gram = Matrix(rows: v.columns, columns: v.columns)
        var product = Matrix(rows: v.rows, columns: v.columns)
        let clock = ContinuousClock()
        var evaluation: [Double] = [], floor: [Double] = []
        var value = 0.0
        var evaluationCPU = 0.0
        for _ in 0..<max(1, repeats) {
            let cpu0 = processCPUSeconds()
            evaluation.append(clock.measure { value = loss.lossAndGradient(v, gradient: &gradient) }.seconds)
            evaluationCPU += processCPUSeconds() - cpu0
            floor.append(clock.measure {
                BLAS.syrk(.transpose, v, into: &gram)
                BLAS.gemm(.none, v, .none, gram, into: &product)
            }.seconds)
        }
        let (e, f) = (median(evaluation), median(floor))
        print(String(format: "loss+gradient: %.1f ms (%.1f ms CPU, mean) (loss %.12g); floor syrk+gemm %.1f ms; sparse share %.0f %%  [VmHWM %@]",
                     e * 1e3, evaluationCPU / Double(max(1, repeats)) * 1e3, value, f * 1e3, 100 * (e - f) / e, peakRSS()))
    }
}

/// VmHWM (peak resident set) from /proc/self/status, or "?" off Linux.
func peakRSS() -> String {
    statusBytes("VmHWM:").map(MemoryBudget.format) ?? "?"
}

/// VmHWM in bytes, 0 off Linux.
func peakBytes() -> Int { statusBytes("VmHWM:") ?? 0 }

/// VmRSS (the resident set now) in bytes, 0 off Linux.
func residentBytes() -> Int { statusBytes("VmRSS:") ?? 0 }

/// Resets VmHWM to the current resident set (Linux ≥ 4.0: "5" to /proc/self/clear_refs).
func resetPeakRSS() {
    guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return }
    try? handle.write(contentsOf: Data("5".utf8))
    try? handle.close()
}

/// A "Key:  123456 kB" line of /proc/self/status in bytes.
private func statusBytes(_ key: String) -> Int? {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = text.split(separator: "\n").first(where: { $0.hasPrefix(key) }) else { return nil }
    // "VmHWM:\t  123456 kB"; from 10 GB on the number follows the tab with no space.
    return Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first.map(String.init) ?? "").map { $0 * 1024 }
}
