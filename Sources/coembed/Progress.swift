import Foundation
import Solvers

/// Shows a run's progress on stderr. On a terminal: one updating line. Otherwise (a log file, a
/// pipe, CI) a line every few seconds only with --progress, else one line when the solver ends
/// (`finishLine`); nothing with --quiet. Results never go here.
final class ProgressReporter {
    private let label: String
    private let quiet: Bool
    private let forced: Bool
    private let finishLine: Bool
    private let isTerminal = isatty(STDERR_FILENO) != 0
    private var lastPrint = -Double.infinity
    private var printedLine = false
    private var last: TraceEntry?

    init(label: String, quiet: Bool, forced: Bool = false, finishLine: Bool = true) {
        self.label = label
        self.quiet = quiet
        self.forced = forced
        self.finishLine = finishLine
    }

    private func text(_ e: TraceEntry) -> String {
        let rate = e.seconds > 0 ? Double(e.iteration) / e.seconds : 0
        return String(format: "%@  iteration %d  loss %.10g  %.1f s  %.1f it/s", label, e.iteration, e.loss, e.seconds, rate)
    }

    func update(_ e: TraceEntry) {
        last = e
        guard !quiet, isTerminal || forced else { return }
        let interval = isTerminal ? 0.1 : 5
        guard e.seconds - lastPrint >= interval else { return }
        lastPrint = e.seconds
        if isTerminal {
            FileHandle.standardError.write(Data("\r\u{1B}[K\(text(e))".utf8))
            printedLine = true
        } else {
            FileHandle.standardError.write(Data("\(text(e))\n".utf8))
        }
    }

    func finish() {
        if printedLine { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)); printedLine = false }
        if !quiet, !isTerminal, !forced, finishLine, let e = last {
            FileHandle.standardError.write(Data("\(text(e))  (done)\n".utf8))
            last = nil
        }
    }
}
