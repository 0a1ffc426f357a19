import ArgumentParser
import Foundation
import LinearAlgebra
import DataIO
import Solvers
import Reporting
import Workflows

struct BenchOptions: ParsableArguments {
    @Option(help: "Ratings file (default: data/ml-latest-small/ratings.csv).")
    var ratings: String = "data/ml-latest-small/ratings.csv"

    @Option(help: "Embedding dimension.")
    var dim: Int = 300

    @Option(help: "Repetitions per timing (the median is reported).")
    var repeats: Int = 7

    @Option(help: "Loss + gradient scheme for X = SᵀS: blocks (item blocks, one per thread, single-threaded BLAS) or shared (sparse passes on our threads, BLAS on OpenBLAS's). The objective benchmark times both.")
    var scheme: EvaluationScheme = MaskedLoss.defaultEvaluationScheme

    @Flag(help: "Say on stderr when the benchmark restarts itself to use OpenBLAS's faster kernels (also COEMBED_VERBOSE=1).")
    var verbose = false
}
