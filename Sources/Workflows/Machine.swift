import Foundation
import LinearAlgebra

/// The machine a figure was measured on, for reports and benchmarks: cores, CPU model and the
/// OpenBLAS kernels in use (a generic core such as Prescott runs dense products 2–3× slower).
public enum Machine {
    public static var description: String {
        var model = "unknown CPU"
        if let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
           let line = info.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
           let value = line.split(separator: ":", maxSplits: 1).last {
            model = value.trimmingCharacters(in: .whitespaces)
        }
        let blas = BLASCore.current
        return "\(ProcessInfo.processInfo.activeProcessorCount) cores, \(model), OpenBLAS core \(blas.core) (\(blas.threads) thread\(blas.threads == 1 ? "" : "s"))"
    }
}
