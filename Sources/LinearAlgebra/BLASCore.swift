import _COpenBLAS
#if canImport(Glibc)
import Glibc
#endif

/// Which OpenBLAS kernels run, and a start-up check that they fit the CPU.
///
/// Debian's OpenBLAS (0.3.21) is built with DYNAMIC_ARCH: it chooses its kernels from the CPU model
/// when it loads, and on a model it does not know (e.g. the AVX-512 "Intel Xeon Processor" VMs of
/// family 6, model 207) it falls back to the generic `Prescott` (SSE3) kernels: loss + gradient
/// 3× slower, with nothing said. The CPU's own feature flags tell which kernels it can run;
/// OpenBLAS accepts that choice only through `OPENBLAS_CORETYPE`, read once at load, so the fix is
/// to restart the process with the variable set (`BLASCore.ensureBestCore`).
public enum BLASCore {
    /// Environment variable OpenBLAS reads at load to force a kernel family.
    public static let coreTypeVariable = "OPENBLAS_CORETYPE"
    /// Set in the restarted process so that it never restarts again (whatever OpenBLAS chose then).
    public static let restartMarker = "COEMBED_BLAS_RESTARTED"
    /// `COEMBED_VERBOSE=1` has the same effect as `--verbose` for the start-up message.
    public static let verboseVariable = "COEMBED_VERBOSE"

    /// What OpenBLAS reports about itself.
    public struct Description: Sendable, CustomStringConvertible {
        /// `openblas_get_config()`, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY SkylakeX MAX_THREADS=64".
        public let configuration: String
        /// `openblas_get_corename()`, e.g. "SkylakeX" or "Prescott".
        public let core: String
        public let threads: Int

        public var description: String {
            "\(configuration), core \(core), \(threads) thread\(threads == 1 ? "" : "s")"
        }
    }

    public static var current: Description {
        Description(configuration: openblas_get_config().map { String(cString: $0) } ?? "OpenBLAS (unknown version)",
                    core: openblas_get_corename().map { String(cString: $0) } ?? "unknown",
                    threads: Int(openblas_get_num_threads()))
    }

    /// Kernel families by the instructions they need, in increasing order.
    public enum Tier: Int, Comparable, Sendable {
        /// SSE-era and AVX1 kernels (Prescott, Core2, Nehalem, Sandybridge, …) or unknown.
        case generic = 0
        /// AVX2 + FMA kernels (Haswell, Zen, Skylake client, …).
        case avx2 = 1
        /// AVX-512 kernels (SkylakeX, Cooperlake, Sapphirerapids).
        case avx512 = 2

        public static func < (a: Tier, b: Tier) -> Bool { a.rawValue < b.rawValue }
    }

    /// The tier of an `openblas_get_corename()` value (OpenBLAS's spelling, any case).
    public static func tier(ofCore name: String) -> Tier {
        switch name.lowercased() {
        case "skylakex", "cooperlake", "sapphirerapids": return .avx512
        case "haswell", "zen", "skylake", "excavator", "steamroller": return .avx2
        default: return .generic
        }
    }

    /// The best OpenBLAS core type for a CPU with these /proc/cpuinfo flags, and its tier:
    /// SKYLAKEX with AVX-512F/BW/VL, ZEN on AMD (or Hygon) with AVX2 + FMA (OpenBLAS's own choice
    /// there), HASWELL on others with AVX2 + FMA; nil below that (nothing to gain).
    public static func bestCoreType(flags: Set<String>, vendor: String) -> (name: String, tier: Tier)? {
        if ["avx512f", "avx512bw", "avx512vl"].allSatisfy(flags.contains) { return ("SKYLAKEX", .avx512) }
        if flags.contains("avx2") && flags.contains("fma") {
            let amd = vendor == "AuthenticAMD" || vendor == "HygonGenuine"
            return (amd ? "ZEN" : "HASWELL", .avx2)
        }
        return nil
    }

    /// What to do at start-up.
    public enum Decision: Equatable, Sendable {
        /// OpenBLAS's choice stands (it fits the CPU, or the user chose, or we restarted already).
        case keep(reason: String)
        /// Restart the process with OPENBLAS_CORETYPE set to this value.
        case restart(coreType: String, reason: String)
    }

    /// The pure decision: restart only when OpenBLAS's core is of a lower tier than the CPU
    /// supports, the user has not set OPENBLAS_CORETYPE (any value, even empty, is theirs) and
    /// this process is not itself a restart.
    public static func decide(chosenCore: String, flags: Set<String>, vendor: String,
                              environment: [String: String]) -> Decision {
        if let user = environment[coreTypeVariable] {
            return .keep(reason: "\(coreTypeVariable)=\(user) set by the user")
        }
        if environment[restartMarker] != nil {
            return .keep(reason: "already restarted once (OpenBLAS chose \(chosenCore))")
        }
        guard let best = bestCoreType(flags: flags, vendor: vendor) else {
            return .keep(reason: "the CPU has neither AVX2+FMA nor AVX-512")
        }
        let chosen = tier(ofCore: chosenCore)
        guard chosen < best.tier else {
            return .keep(reason: "OpenBLAS's \(chosenCore) kernels fit the CPU")
        }
        let what = best.tier == .avx512 ? "AVX-512F/BW/VL" : "AVX2+FMA"
        return .restart(coreType: best.name,
                        reason: "OpenBLAS chose its generic \(chosenCore) kernels on a CPU with \(what)")
    }

    /// CPU flags and vendor from /proc/cpuinfo (first processor); empty when unreadable.
    public static func cpuFlags(cpuinfo: String) -> (flags: Set<String>, vendor: String) {
        var flags = Set<String>(), vendor = ""
        for line in cpuinfo.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.isEmpty, !flags.isEmpty { break }
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let key = trimmed(parts[0]), value = parts[1]
            if key == "flags", flags.isEmpty { flags = Set(value.split(separator: " ").map(String.init)) }
            if key == "vendor_id", vendor.isEmpty { vendor = trimmed(value) }
        }
        return (flags, vendor)
    }

    /// At process start, before any BLAS call: restarts the process (execv of /proc/self/exe with
    /// the same arguments) with OPENBLAS_CORETYPE set when `decide` says so. Returns only when
    /// OpenBLAS's choice stands (or the restart failed, which is reported when verbose and
    /// otherwise harmless: the run continues on the slower kernels).
    public static func ensureBestCore(verbose: Bool, programName: String) {
        let environment = currentEnvironment()
        let info = readFile("/proc/cpuinfo").map(cpuFlags(cpuinfo:)) ?? (flags: [], vendor: "")
        let decision = decide(chosenCore: current.core, flags: info.flags, vendor: info.vendor, environment: environment)
        guard case let .restart(coreType, reason) = decision else { return }
        if verbose {
            writeStandardError("\(programName): \(reason); restarting with \(coreTypeVariable)=\(coreType) "
                + "(set \(coreTypeVariable) yourself to choose the kernels)\n")
        }
        setenv(coreTypeVariable, coreType, 1)
        setenv(restartMarker, "1", 1)
        let arguments = CommandLine.arguments
        var cArguments: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        cArguments.append(nil)
        execv("/proc/self/exe", &cArguments)
        // Only reached when execv failed: undo the variables and carry on with OpenBLAS's choice.
        let error = errno
        unsetenv(coreTypeVariable)
        unsetenv(restartMarker)
        for p in cArguments { free(p) }
        if verbose {
            writeStandardError("\(programName): could not restart (\(String(cString: strerror(error)))); "
                + "continuing with OpenBLAS's \(current.core) kernels\n")
        }
    }

    /// Whether `--verbose` is among the arguments or COEMBED_VERBOSE is set to a non-empty value
    /// other than 0 (the check runs before argument parsing).
    public static func verboseRequested(arguments: [String] = CommandLine.arguments) -> Bool {
        if arguments.dropFirst().contains("--verbose") { return true }
        if let v = currentEnvironment()[verboseVariable], !v.isEmpty, v != "0" { return true }
        return false
    }

    private static func currentEnvironment() -> [String: String] {
        var result: [String: String] = [:]
        var p = environ
        while let entry = p.pointee {
            let s = String(cString: entry)
            if let eq = s.firstIndex(of: "=") {
                result[String(s[..<eq])] = String(s[s.index(after: eq)...])
            }
            p += 1
        }
        return result
    }

    private static func readFile(_ path: String) -> String? {
        guard let f = fopen(path, "r") else { return nil }
        defer { fclose(f) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&chunk, 1, chunk.count, f)
            if n <= 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func trimmed(_ s: Substring) -> String {
        String(s.drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }

    private static func writeStandardError(_ s: String) {
        let bytes = Array(s.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(2, $0.baseAddress! + offset, $0.count - offset) }
            if n <= 0 { break }
            offset += n
        }
    }
}
