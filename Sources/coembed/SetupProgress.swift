import ArgumentParser
import Foundation
import DataIO
import Solvers
import Workflows

/// Reports a set-up (‖X‖²_F) that takes more than a second on stderr: an updating line on a
/// terminal, a line every five seconds otherwise.
final class SetupProgress: @unchecked Sendable {
    private let lock = NSLock()
    private let isTerminal = isatty(STDERR_FILENO) != 0
    private var lastPrint = 0.0
    private var printedLine = false

    func update(_ p: GramNorm.Progress) {
        lock.lock()
        defer { lock.unlock() }
        guard p.seconds >= 1, p.seconds - lastPrint >= (isTerminal ? 0.2 : 5) || (p.fractionDone >= 1 && !isTerminal && printedLine) else { return }
        lastPrint = p.seconds
        let text = String(format: "set-up: ‖X‖²_F over the %@ side  %3.0f%%  %.1f s", p.side.rawValue, 100 * p.fractionDone, p.seconds)
        if isTerminal {
            FileHandle.standardError.write(Data("\r\u{1B}[K\(text)".utf8))
        } else {
            FileHandle.standardError.write(Data("\(text)\n".utf8))
        }
        printedLine = true
    }

    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if printedLine && isTerminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        printedLine = false
    }
}
