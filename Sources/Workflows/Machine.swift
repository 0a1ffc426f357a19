import Foundation

/// The machine a figure was measured on, for reports and benchmarks: cores and CPU model.
public enum Machine {
    public static var description: String {
        var model = "unknown CPU"
        if let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
           let line = info.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
           let value = line.split(separator: ":", maxSplits: 1).last {
            model = value.trimmingCharacters(in: .whitespaces)
        }
        return "\(ProcessInfo.processInfo.activeProcessorCount) cores, \(model)"
    }
}
