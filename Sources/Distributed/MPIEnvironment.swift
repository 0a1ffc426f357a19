import _CMPIShim
#if canImport(Glibc)
import Glibc
#endif

/// Whether this process was started by mpirun, and MPI's start and end for it.
public enum MPIEnvironment {
    /// True when mpirun (OpenMPI's ORTE or PMIx) launched this process: then `coembed solve` runs
    /// distributed. A process started without mpirun never initialises MPI.
    public static var launchedByMPI: Bool {
        let env = ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK"]
        return env.contains { getenv($0) != nil }
    }

    nonisolated(unsafe) private static var started: MPICommunicator?

    /// MPI_Init (once) and the world communicator.
    public static func world() throws -> MPICommunicator {
        if let started { return started }
        if coembed_mpi_is_initialized() == 0 { try check(coembed_mpi_init(), "MPI_Init_thread") }
        let comm = try MPICommunicator()
        started = comm
        return comm
    }

    /// MPI_Finalize (after the last collective; a no-op when MPI was not started).
    public static func finalize() {
        guard started != nil, coembed_mpi_is_initialized() != 0 else { return }
        _ = coembed_mpi_finalize()
    }

    /// Prints `message` once (prefixed with the rank) and ends every rank with a non-zero status.
    public static func abort(_ message: String, rank: Int?, code: Int32 = 1) -> Never {
        let prefix = rank.map { "coembed (rank \($0))" } ?? "coembed"
        let line = Array("\(prefix): error: \(message)\n".utf8)
        _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        coembed_mpi_abort(code)
        exit(code)
    }
}
