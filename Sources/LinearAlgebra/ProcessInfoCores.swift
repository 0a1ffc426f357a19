import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The number of cores work is split across.
public enum ProcessInfoCores {
    /// The CPUs this process may run on: its affinity mask (mpirun binds each rank to its cores,
    /// taskset and container CPU sets narrow it too), else the online CPUs.
    public static let count: Int = {
        #if canImport(Glibc)
        let online = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        // sched_getaffinity needs _GNU_SOURCE, which Swift's Glibc module does not expose: read the
        // same mask from /proc (hex words, e.g. "Cpus_allowed:\t00000000,00000003").
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed:") }) else { return online }
        let allowed = line.dropFirst("Cpus_allowed:".count).reduce(0) { $0 + (Int(String($1), radix: 16)?.nonzeroBitCount ?? 0) }
        return allowed > 0 ? min(allowed, online) : online
        #else
        return 2
        #endif
    }()
}
