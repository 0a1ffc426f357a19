import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How many bytes a single large working allocation may take before it is refused.
///
/// The default is half of physical memory (`defaultFraction`), so one stage never pushes a
/// machine that also holds S, the embedding and the OS into swap or the OOM killer. The
/// environment variable `COEMBED_MEMORY_BUDGET` (bytes, or a number with a K/M/G/T suffix,
/// powers of 1024) overrides it for a whole run; tests pass a budget directly.
public struct MemoryBudget: Sendable, Equatable, CustomStringConvertible {
    /// Bytes a stage may allocate for its own working arrays.
    public var bytes: Int

    /// Fraction of physical memory the default budget allows.
    public static let defaultFraction = 0.5

    public init(bytes: Int) {
        precondition(bytes >= 0, "a memory budget cannot be negative")
        self.bytes = bytes
    }

    /// `COEMBED_MEMORY_BUDGET` if set and valid, else `defaultFraction` of physical memory.
    public static var system: MemoryBudget {
        if let text = getenv("COEMBED_MEMORY_BUDGET").map({ String(cString: $0) }), let parsed = parse(text) {
            return MemoryBudget(bytes: parsed)
        }
        return MemoryBudget(bytes: Int(Double(physicalMemory) * defaultFraction))
    }

    /// Physical memory in bytes (sysconf), 8 GiB if the system does not say.
    public static var physicalMemory: Int {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
        guard pages > 0, size > 0 else { return 8 << 30 }
        return pages * size
    }

    /// "123", "512M", "12G", "1.5T" → bytes; nil when malformed.
    public static func parse(_ text: String) -> Int? {
        var body = Substring(text.trimmingCharacters(in: .whitespaces))
        var scale = 1.0
        if let last = body.last?.uppercased(), let power = ["K": 1, "M": 2, "G": 3, "T": 4][last] {
            scale = Double(1 << (10 * power))
            body = body.dropLast()
        }
        guard let value = Double(body), value >= 0, value.isFinite else { return nil }
        let bytes = value * scale
        guard bytes < Double(Int.max) else { return nil }
        return Int(bytes)
    }

    /// Throws `MemoryBudgetError.exceeded` unless `bytes` fits.
    public func require(_ bytes: Int, for purpose: String, remedy: String) throws {
        guard bytes <= self.bytes else {
            throw MemoryBudgetError.exceeded(purpose: purpose, bytes: bytes, budget: self.bytes, remedy: remedy)
        }
    }

    public func fits(_ bytes: Int) -> Bool { bytes <= self.bytes }

    public var description: String { MemoryBudget.format(bytes) }

    /// Bytes in binary units with three significant figures ("23.9 GiB").
    public static func format(_ bytes: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes), unit = 0
        while value >= 1024, unit < units.count - 1 { value /= 1024; unit += 1 }
        return unit == 0 ? "\(bytes) B" : String(format: "%.3g %@", value, units[unit])
    }
}
