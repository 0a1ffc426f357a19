import Testing
import Foundation
import DataIO
import TestSupport

/// `coembed` with extra environment variables (the memory budget override).
private func coembed(_ arguments: [String], environment: [String: String]) throws -> (status: Int32, out: String, err: String) {
    let candidates = [Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("coembed"),
                      Bundle.main.bundleURL.appendingPathComponent("coembed")]
    let binary = try #require(candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) })
    var dir = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { dir = dir.deletingLastPathComponent() }
    let process = Process()
    process.executableURL = binary
    process.arguments = arguments
    process.currentDirectoryURL = dir
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}

@Suite(.serialized) struct ScaleCLITests {
    @Test func generateWritesRatingsThatInfoReads() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gen-cli-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("r.csv").path
        let g = try coembed(["generate", "--users", "200", "--items", "300", "--likes", "4000", "--seed", "3", "--output", file],
                            environment: [:])
        #expect(g.status == 0, "\(g.err)")
        let info = try coembed(["info", "--ratings", file], environment: [:])
        #expect(info.status == 0, "\(info.err)")
        #expect(info.out.contains("likes: 4000 (of 4000 ratings)"))
        let bad = try coembed(["generate", "--users", "2", "--items", "3", "--likes", "4", "--output", dir.appendingPathComponent("x.bin").path],
                              environment: [:])
        #expect(bad.status != 0 && bad.err.contains("unsupported extension '.bin'"))
    }

    /// ml-latest-small's 610 × 610 Gram work is 11.4 MiB: a 10 MiB budget refuses it with the size and
    /// the option; the automatic backend then uses the block method instead.
    @Test func memoryBudgetRefusesTheGramBackend() throws {
        let r = try coembed(["solve", "--solver", "eigen", "--dim", "8", "--eigen-backend", "gram"],
                            environment: ["COEMBED_MEMORY_BUDGET": "10M"])
        #expect(r.status != 0)
        #expect(r.err.contains("610 × 610 users Gram"), "stderr: \(r.err)")
        #expect(r.err.contains("--eigen-backend block"))
        let auto = try coembed(["solve", "--solver", "eigen", "--dim", "8"], environment: ["COEMBED_MEMORY_BUDGET": "10M"])
        #expect(auto.status == 0, "\(auto.err)")
        #expect(auto.out.contains("block") || auto.err.contains("block"), "\(auto.out)")
    }
}
