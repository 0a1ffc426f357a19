import Foundation
import Testing
@testable import DataIO

/// Runs `body` and returns the `DataIOError` it threw (nil if it succeeded or threw something else).
func dataIOError<T>(_ body: () throws -> T) -> DataIOError? {
    do {
        _ = try body()
        return nil
    } catch let error as DataIOError {
        return error
    } catch {
        return nil
    }
}

/// Expects `.malformed` at `line` of `url` with a problem containing `fragment`.
func expectMalformed<T>(_ url: URL, line: Int, _ fragment: String,
                        sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> T) {
    let error = dataIOError(body)
    guard case let .malformed(file, l, problem)? = error else {
        Issue.record("expected .malformed at line \(line), got \(String(describing: error))", sourceLocation: sourceLocation)
        return
    }
    #expect(file == url.path, sourceLocation: sourceLocation)
    #expect(l == line, "problem: \(problem)", sourceLocation: sourceLocation)
    #expect(problem.contains(fragment), "problem: \(problem)", sourceLocation: sourceLocation)
    #expect(error!.description.hasPrefix("\(url.path):\(line): "), sourceLocation: sourceLocation)
}

/// Expects `.invalidContent` for `url` with a problem containing `fragment`.
func expectInvalid<T>(_ url: URL, _ fragment: String,
                      sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> T) {
    let error = dataIOError(body)
    guard case let .invalidContent(file, problem)? = error else {
        Issue.record("expected .invalidContent, got \(String(describing: error))", sourceLocation: sourceLocation)
        return
    }
    #expect(file == url.path, sourceLocation: sourceLocation)
    #expect(problem.contains(fragment), "problem: \(problem)", sourceLocation: sourceLocation)
}

/// Bitwise equality of two arrays of doubles (NaN-safe, distinguishes −0).
func bitwiseEqual(_ a: [Double], _ b: [Double]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern }
}

/// The package root (…/Tests/DataIOTests/Helpers.swift → …).
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
