import Foundation
import Testing
import TestSupport
@testable import DataIO

struct HalfwayFailure: Error {}

@Suite struct AtomicFileTests {
    @Test func replacesContentsAndLeavesNoTemporaryFiles() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let url = dir.file("out.bin")
        try AtomicFile.write(Data("first".utf8), to: url)
        try AtomicFile.write(Array("second, longer".utf8), to: url)
        #expect(try Data(contentsOf: url) == Data("second, longer".utf8))
        let big = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try AtomicFile.write(to: url) { out in
            out.write(big[..<100_000])
            out.write(Data(big[100_000..<200_000]))
            out.write(Array(big[200_000...]))
        }
        #expect(Array(try Data(contentsOf: url)) == big)
        #expect(try dir.contents() == ["out.bin"])
    }

    @Test func throwingBodyLeavesPreviousFileByteIdentical() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let url = dir.file("keep.csv")
        let original = Array("a,b\n1,2\n".utf8)
        try AtomicFile.write(original, to: url)
        #expect(throws: HalfwayFailure.self) {
            try AtomicFile.write(to: url) { out in
                for k in 0..<50_000 { out.write("line \(k) of a long replacement\n") }  // several flushed blocks
                throw HalfwayFailure()
            }
        }
        #expect(Array(try Data(contentsOf: url)) == original)
        #expect(try dir.contents() == ["keep.csv"])
        // No target before: none after.
        let fresh = dir.file("fresh.bin")
        #expect(throws: HalfwayFailure.self) { try AtomicFile.write(to: fresh) { out in out.write("x"); throw HalfwayFailure() } }
        #expect(try dir.contents() == ["keep.csv"])
    }

    @Test func missingFolderIsAWriteFailure() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let url = dir.file("no/such/folder/x.npy")
        let error = dataIOError { try AtomicFile.write([1, 2, 3], to: url) }
        guard case let .writeFailed(file, reason)? = error else { Issue.record("\(String(describing: error))"); return }
        #expect(file == url.path)
        #expect(reason.contains("No such file or directory"))
    }
}
