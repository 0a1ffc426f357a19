import Testing
import Foundation
import TestSupport

/// README's tour is a promise: every line of it runs, exactly as printed, in a fresh folder, and
/// the files the Python snippet loads exist afterwards.
@Suite(.serialized) struct TourTests {
    static var packageRoot: URL {
        var dir = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { dir = dir.deletingLastPathComponent() }
        return dir
    }

    static func fencedBlock(_ language: String, in text: String) throws -> String {
        let start = try #require(text.range(of: "```\(language)\n"), "README has no ```\(language) block")
        let end = try #require(text.range(of: "\n```", range: start.upperBound..<text.endIndex))
        return String(text[start.upperBound..<end.lowerBound])
    }

    /// The tour's command lines: the ```sh block after "## A 5-minute tour", without the set-up
    /// lines (building and the alias, which the test replaces by the built binary).
    static func tourLines() throws -> [String] {
        let readme = try String(contentsOf: packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let tour = try #require(readme.range(of: "## A 5-minute tour"))
        let block = try fencedBlock("sh", in: String(readme[tour.upperBound...]))
        return block.split(separator: "\n").map(String.init).filter {
            !$0.trimmingCharacters(in: .whitespaces).isEmpty && !$0.hasPrefix("swift build") && !$0.hasPrefix("alias ")
        }
    }

    @Test func everyTourCommandRunsInAFreshFolder() throws {
        let lines = try Self.tourLines()
        #expect(lines.count >= 10 && lines.allSatisfy { $0.hasPrefix("coembed ") || $0.hasPrefix("printf ") }, "\(lines)")
        let binary = try coembedBinary()
        let dir = try TemporaryDirectory()
        // `coembed` as the built binary; solvers get a short budget so the tour takes seconds:
        // a time limit, few iterations, one epoch of few pairs for the sampled methods.
        let prelude = """
            set -e
            coembed() {
              case "$1 $2" in
                "solve --resume") "\(binary.path)" "$@" --time-limit 1 --max-iterations 6 ;;  # a resume may change only budgets and outputs
                solve*|compare*) "\(binary.path)" "$@" --time-limit 1 --max-iterations 3 --epochs 1 --pairs 1 --quiet ;;
                *) "\(binary.path)" "$@" ;;
              esac
            }

            """
        for line in lines {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", prelude + line]
            process.currentDirectoryURL = dir.url
            let out = Pipe(), err = Pipe()
            process.standardOutput = out
            process.standardError = err
            try process.run()
            let o = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let e = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "`\(line)` failed:\n\(o)\n\(e)")
        }
        // The Python snippet's files.
        let readme = try String(contentsOf: Self.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let python = try Self.fencedBlock("python", in: readme)
        let loaded = python.matches(of: /"(out\/[^"]+)"/).map { String($0.output.1) }
        #expect(Set(loaded) == ["out/v.npy", "out/items.csv", "out/v.w2v"], "\(loaded)")
        for file in loaded {
            #expect(FileManager.default.fileExists(atPath: dir.url.appendingPathComponent(file).path), "\(file) missing after the tour")
        }
    }
}
