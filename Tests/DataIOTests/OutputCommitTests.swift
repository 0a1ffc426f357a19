import Foundation
import Testing
import TestSupport
@testable import DataIO

@Suite struct OutputCommitTests {
    struct Boom: Error {}

    @Test func nothingIsRenamedUntilEveryFileWasWritten() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let a = try dir.write("old a", to: "a.txt"), b = try dir.write("old b", to: "b.txt")
        let transaction = OutputTransaction()
        try transaction.stage(a) { try AtomicFile.write(Data("new a".utf8), to: $0) }
        #expect(try String(contentsOf: a, encoding: .utf8) == "old a") // staged, not yet in place
        #expect(throws: Boom.self) { try transaction.stage(b) { _ in throw Boom() } }
        transaction.discard()
        #expect(try String(contentsOf: a, encoding: .utf8) == "old a")
        #expect(try String(contentsOf: b, encoding: .utf8) == "old b")
        #expect(try dir.contents() == ["a.txt", "b.txt"]) // no temporaries left
    }

    @Test func commitPutsEveryFileInPlace() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let a = dir.file("a.txt"), b = dir.file("b.txt")
        let transaction = OutputTransaction()
        try transaction.stage(a) { try AtomicFile.write(Data("A".utf8), to: $0) }
        try transaction.stage(b) { try AtomicFile.write(Data("B".utf8), to: $0) }
        #expect(LiveTemporaries.current.contains { $0.hasPrefix(dir.url.path) })
        try transaction.commit()
        #expect(try String(contentsOf: a, encoding: .utf8) == "A")
        #expect(try String(contentsOf: b, encoding: .utf8) == "B")
        #expect(try dir.contents() == ["a.txt", "b.txt"])
        #expect(!LiveTemporaries.current.contains { $0.hasPrefix(dir.url.path) })
    }

    @Test func twoOutputsWithOnePathAreRefused() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let transaction = OutputTransaction()
        try transaction.stage(dir.file("x.csv")) { try AtomicFile.write(Data("1".utf8), to: $0) }
        #expect(throws: DataIOError.self) {
            try transaction.stage(dir.url.appendingPathComponent("./x.csv")) { try AtomicFile.write(Data("2".utf8), to: $0) }
        }
    }

    @Test func theCleanupHookRemovesLiveTemporaries() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let transaction = OutputTransaction()
        try transaction.stage(dir.file("v.npy")) { try AtomicFile.write(Data("x".utf8), to: $0) }
        #expect(try dir.contents().count == 1) // the staged temporary
        // What a signal handler calls (removeAll()), limited to this test's folder: tests run in parallel.
        LiveTemporaries.removeAll { $0.hasPrefix(dir.url.path) }
        #expect(try dir.contents().isEmpty)
        transaction.discard()
    }

    @Test func aFolderLockRefusesASecondWriterAndReplacesAStaleLock() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let lockFile = dir.file(DirectoryLock.fileName)
        // A live owner: pid 1 always exists.
        try Data("1\n".utf8).write(to: lockFile)
        do {
            _ = try DirectoryLock(dir.url)
            Issue.record("a folder locked by a live process was taken")
        } catch {
            #expect(error.description.contains("pid 1"), "\(error)")
        }
        #expect(try String(contentsOf: lockFile, encoding: .utf8) == "1\n") // the owner's lock is left alone
        // A dead owner: a process that has exited.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        process.waitUntilExit()
        try Data("\(process.processIdentifier)\n".utf8).write(to: lockFile)
        let lock = try DirectoryLock(dir.url)
        #expect(try String(contentsOf: lockFile, encoding: .utf8) == "\(getpid())\n")
        lock.release()
        #expect(!FileManager.default.fileExists(atPath: lockFile.path))
    }

    @Test func fileSystemErrorsAreOneLineNamingThePath() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let file = try dir.write("x", to: "report")
        do {
            try FileErrors.createDirectory(file)
            Issue.record("a file was accepted as a folder")
        } catch {
            #expect(error.description == "\(file.path): cannot write: it is a file, not a folder")
        }
        do {
            try FileErrors.createDirectory(file.appendingPathComponent("sub"))
            Issue.record("a folder under a file was created")
        } catch {
            #expect(error.description.contains("is a file, not a folder") && !error.description.contains("NSCocoaErrorDomain"))
        }
    }
}
