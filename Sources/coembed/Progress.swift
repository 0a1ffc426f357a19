import Foundation
import Solvers

/// Shows a run's progress on stderr: one updating line on a terminal, a plain line every few
/// seconds otherwise, nothing with --quiet. Results never go here.
final class ProgressReporter {
    private let label: String
    private let quiet: Bool
    private let isTerminal = isatty(STDERR_FILENO) != 0
    private var lastPrint = -Double.infinity
    private var printedLine = false

    init(label: String, quiet: Bool) {
        self.label = label
        self.quiet = quiet
    }

    func update(_ e: TraceEntry) {
        guard !quiet else { return }
        let interval = isTerminal ? 0.1 : 5
        guard e.seconds - lastPrint >= interval else { return }
        lastPrint = e.seconds
        let rate = e.seconds > 0 ? Double(e.iteration) / e.seconds : 0
        let text = String(format: "%@  iteration %d  loss %.10g  %.1f s  %.1f it/s", label, e.iteration, e.loss, e.seconds, rate)
        if isTerminal {
            FileHandle.standardError.write(Data("\r\u{1B}[K\(text)".utf8))
            printedLine = true
        } else {
            FileHandle.standardError.write(Data("\(text)\n".utf8))
        }
    }

    func finish() {
        if printedLine { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)); printedLine = false }
    }
}
