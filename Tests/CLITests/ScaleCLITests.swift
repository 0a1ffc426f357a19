import Testing
import Foundation
import DataIO
import TestSupport

/// The process environment plus the memory budget override.
private func withBudget(_ budget: String) -> [String: String] {
    ProcessInfo.processInfo.environment.merging(["COEMBED_MEMORY_BUDGET": budget]) { $1 }
}

@Suite(.serialized) struct ScaleCLITests {
    @Test func generateWritesRatingsThatInfoReads() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gen-cli-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("r.csv").path
        let g = try coembed(["generate", "--users", "200", "--items", "300", "--likes", "4000", "--seed", "3", "--output", file])
        #expect(g.status == 0, "\(g.err)")
        let info = try coembed(["info", "--ratings", file])
        #expect(info.status == 0, "\(info.err)")
        #expect(info.out.contains("likes: 4000 (of 4000 ratings)"))
        let bad = try coembed(["generate", "--users", "2", "--items", "3", "--likes", "4", "--output", dir.appendingPathComponent("x.bin").path])
        #expect(bad.status != 0 && bad.err.contains("unsupported extension '.bin'"))
    }

    /// ml-latest-small's 610 × 610 Gram work is 11.4 MiB: a 10 MiB budget refuses it with the size and
    /// the option; the automatic backend then uses the block method instead.
    @Test func memoryBudgetRefusesTheGramBackend() throws {
        let r = try coembed(["solve", "--solver", "eigen", "--dim", "8", "--eigen-backend", "gram"],
                            environment: withBudget("10M"))
        #expect(r.status != 0)
        #expect(r.err.contains("610 × 610 users Gram"), "stderr: \(r.err)")
        #expect(r.err.contains("--eigen-backend block"))
        let auto = try coembed(["solve", "--solver", "eigen", "--dim", "8"], environment: withBudget("10M"))
        #expect(auto.status == 0, "\(auto.err)")
        #expect(auto.out.contains("block") || auto.err.contains("block"), "\(auto.out)")
    }
}
