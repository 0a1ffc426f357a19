import ArgumentParser
import LinearAlgebra

@main
struct Coembed: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coembed",
        abstract: "Learn item embeddings from co-occurrence data and compare the ways of doing it.",
        discussion: """
            Minimises the masked loss L(V) = Σ_{i≠j} (v_iᵀv_j − X_ij)² with X = SᵀS built from
            MovieLens likes (the bundled ml-latest-small by default) or a matrix file of your own.

            Examples:
              coembed solve --solver lbfgs --dim 300 --output out/v.npy
              coembed compare --dim 300 --time-limit 20 --report out/demo
              coembed factor --matrix R.npy --factors 2 --rotate varimax
            """,
        version: CoembedVersion.string,
        subcommands: [InfoCommand.self, SolveCommand.self, CompareCommand.self, EvaluateCommand.self, NeighborsCommand.self, HoldoutCommand.self,
                      FactorCommand.self, GenerateCommand.self])

    /// Before any BLAS call: restart once with OPENBLAS_CORETYPE set if OpenBLAS fell back to its
    /// generic kernels on a CPU that has AVX2 or AVX-512 (see `BLASCore`).
    static func main() {
        BLASCore.ensureBestCore(verbose: BLASCore.verboseRequested(), programName: "coembed")
        DistributedSolve.refuseOtherCommandsUnderMPI(CommandLine.arguments)
        main(nil)
    }
}
