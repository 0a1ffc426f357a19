import Foundation

/// A cooperative stop request shared by the code that wants a run to end (a signal handler, a
/// deadline) and the code that runs it (the driver between iterations, the sampled trainers
/// every batch). Stopping is cooperative so that a run always ends at a point where its state
/// is consistent and can be written out; nothing here prints or exits.
///
/// Thread-safe: `requestStop` may be called from any thread (e.g. a Dispatch signal source),
/// while Hogwild workers poll `isStopRequested`.
public final class StopToken: @unchecked Sendable {
    public enum Reason: Sendable, Equatable {
        /// A signal (SIGINT, SIGTERM) asked the run to stop.
        case signal(Int32)
        /// The wall-clock deadline passed.
        case timeLimit
    }

    private let lock = NSLock()
    private var requested: Reason?
    private var deadline: ContinuousClock.Instant?
    private var abandoned = false
    /// A run's own token is linked to the token of the whole command (signals), so a deadline
    /// set for one run of a comparison does not end the next one.
    private let parent: StopToken?

    public init(parent: StopToken? = nil) {
        self.parent = parent
    }

    /// Asks the run to stop. Returns false when a stop had already been requested (the caller
    /// may then escalate, e.g. exit at once on a second signal).
    @discardableResult
    public func requestStop(_ reason: Reason) -> Bool {
        lock.lock(); defer { lock.unlock() }
        if requested != nil { return false }
        requested = reason
        return true
    }

    /// Stop once `seconds` of wall-clock time have passed from now (the earlier deadline wins).
    public func setDeadline(after seconds: Double) {
        let when = ContinuousClock.now.advanced(by: .nanoseconds(Int64(min(seconds, 1e9) * 1e9)))
        lock.lock(); defer { lock.unlock() }
        if let d = deadline, d <= when { return }
        deadline = when
    }

    /// Why the run must stop, or nil to keep going. Checks the deadline (one clock read).
    public var reason: Reason? {
        if let inherited = parent?.reason { return inherited }
        lock.lock(); defer { lock.unlock() }
        if requested == nil, let d = deadline, ContinuousClock.now >= d { requested = .timeLimit }
        return requested
    }

    public var isStopRequested: Bool { reason != nil }

    /// Called by a method that cut an iteration short (an epoch left unfinished): its state is
    /// then between iterations of no uninterrupted run, so it must not be checkpointed.
    public func noteAbandonedIteration() {
        lock.lock(); defer { lock.unlock() }
        abandoned = true
    }

    /// Whether some iteration was cut short.
    public var abandonedIteration: Bool {
        lock.lock(); defer { lock.unlock() }
        return abandoned
    }
}
