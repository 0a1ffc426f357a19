import Dispatch
import Foundation
import Solvers
import DataIO

/// SIGINT and SIGTERM for a command that runs solvers: the first one asks the running solver to
/// stop at the end of its iteration (the command then writes what it has and exits with
/// 128 + the signal number); a second one exits at once. The signals are received through
/// Dispatch sources (not in an async signal handler), which only set the stop token.
enum SignalHandling {
    private static let installed = Mutex()

    /// Routes SIGINT and SIGTERM to `token` for the rest of the process.
    static func install(_ token: StopToken) {
        installed.once {
            var sources: [DispatchSourceSignal] = []
            for signalNumber in [SIGINT, SIGTERM] {
                signal(signalNumber, SIG_IGN) // delivered to the source instead of killing the process
                let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
                source.setEventHandler { [signalNumber] in
                    // A second signal, or two merged into one event: stop now.
                    if !token.requestStop(.signal(signalNumber)) || source.data > 1 {
                        LiveTemporaries.removeAll() // half-written temporaries and our report lock go too
                        _exit(128 + signalNumber)
                    }
                }
                source.resume()
                sources.append(source)
            }
            return sources
        }
    }

    /// The exit status for a run that ended on a signal: 130 for SIGINT, 143 for SIGTERM.
    static func exitCode(_ token: StopToken) -> ExitStatus? {
        if case let .signal(number) = token.reason { return ExitStatus(code: 128 + number) }
        return nil
    }

    struct ExitStatus { var code: Int32 }

    /// Keeps the sources alive for the life of the process; installs them once.
    private final class Mutex: @unchecked Sendable {
        private let lock = NSLock()
        private var sources: [DispatchSourceSignal]?
        func once(_ make: () -> [DispatchSourceSignal]) {
            lock.lock(); defer { lock.unlock() }
            if sources == nil { sources = make() }
        }
    }
}
