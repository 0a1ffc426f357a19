import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// "Do N bytes fit?" for every size a user controls (options, sizes declared in files), asked
/// before the allocation: Swift aborts the process on a failed allocation, so a size that cannot
/// fit must be refused with a message naming it while there is still time.
///
/// The limit is the smallest of the machine's physical memory (/proc/meminfo, else sysconf), the
/// cgroup v2 `memory.max` and the address-space limit (`ulimit -v`). `COEMBED_MEMORY_BUDGET`
/// (bytes, or with a K/M/G suffix) overrides it, for tests and for users who share a machine.
public enum MemoryLimit {
    /// An allocation that cannot fit, found before it was tried.
    public struct Exceeded: Error, CustomStringConvertible, Equatable, Sendable {
        /// What needed the memory, e.g. "L-BFGS history (--memory 100000000)".
        public let what: String
        public let bytes: Double
        public let limit: Int

        public var description: String {
            "\(what) needs \(MemoryLimit.format(bytes)), more than the \(MemoryLimit.format(Double(limit))) this process can use"
        }
    }

    /// A limit for the code run inside `MemoryLimit.$override.withValue(bytes) { … }` (tests), so
    /// that tests running in parallel do not see each other's limits.
    @TaskLocal public static var override: Int?

    /// The number of bytes this process may use.
    public static var limit: Int {
        if let forced = override { return forced }
        if let text = ProcessInfo.processInfo.environment["COEMBED_MEMORY_BUDGET"], let bytes = parseBytes(text) { return bytes }
        var limit = physicalMemory
        if let cgroup = try? String(contentsOfFile: "/sys/fs/cgroup/memory.max", encoding: .utf8),
           let bytes = Int(cgroup.trimmingCharacters(in: .whitespacesAndNewlines)), bytes > 0 {
            limit = min(limit, bytes)
        }
        var rl = rlimit()
        if getrlimit(Int32(RLIMIT_AS.rawValue), &rl) == 0, rl.rlim_cur < UInt64(Int.max) {
            limit = min(limit, Int(rl.rlim_cur))
        }
        return limit
    }

    /// MemTotal of /proc/meminfo, else pages × page size.
    public static var physicalMemory: Int {
        if let info = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
           let line = info.split(separator: "\n").first(where: { $0.hasPrefix("MemTotal:") }) {
            let fields = line.split(separator: " ")
            if fields.count >= 2, let kib = Int(fields[1]) { return kib * 1024 }
        }
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
        if pages > 0, size > 0 { return pages * size }
        return Int.max
    }

    /// "123", "64K", "3M", "2G" (powers of 1024).
    public static func parseBytes(_ text: String) -> Int? {
        let t = text.trimmingCharacters(in: .whitespaces).uppercased()
        guard let last = t.last else { return nil }
        let scale: Int
        var digits = t
        switch last {
        case "K": scale = 1 << 10; digits.removeLast()
        case "M": scale = 1 << 20; digits.removeLast()
        case "G": scale = 1 << 30; digits.removeLast()
        default: scale = 1
        }
        guard let n = Int(digits), n > 0 else { return nil }
        let (product, overflow) = n.multipliedReportingOverflow(by: scale)
        return overflow ? nil : product
    }

    /// Throws `Exceeded` unless `bytes` (a Double, so that products of user sizes cannot
    /// overflow) fits within the limit.
    public static func check(_ bytes: Double, for what: @autoclosure () -> String) throws(Exceeded) {
        let limit = self.limit
        guard bytes.isFinite, bytes <= Double(limit) else { throw Exceeded(what: what(), bytes: bytes, limit: limit) }
    }

    /// Whether `bytes` fit.
    public static func fits(_ bytes: Double) -> Bool { bytes.isFinite && bytes <= Double(limit) }

    /// "1.5 GB"-style text (powers of 1000, as `ls -h --si` and most people read sizes).
    public static func format(_ bytes: Double) -> String {
        guard bytes.isFinite else { return "an unbounded amount of memory" }
        let units = ["bytes", "kB", "MB", "GB", "TB", "PB", "EB"]
        var value = bytes, unit = 0
        while value >= 1000, unit < units.count - 1 { value /= 1000; unit += 1 }
        return unit == 0 ? "\(Int(value)) bytes" : String(format: "%.1f %@", value, units[unit])
    }
}
