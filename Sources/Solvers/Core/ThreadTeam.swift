#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A fixed team of threads in one process: `run` executes one closure per rank, rank 0 on the
/// calling thread and the others on parked worker threads (created once, reused by every `run`),
/// and hands each a `Communicator` whose collectives work in place on the ranks' own buffers.
///
/// The allreduce splits the buffer into `size` slices; rank r sums slice r over all ranks (in rank
/// order) and writes the sum back into every rank's buffer. No copies, and the slices are disjoint,
/// so the writes never race.
public final class ThreadTeam: @unchecked Sendable {
    public let size: Int
    private let shared: TeamState
    private var workers: [pthread_t] = []

    /// `size` ≥ 1 ranks (size − 1 worker threads).
    public init(size: Int) {
        precondition(size >= 1)
        self.size = size
        self.shared = TeamState(size: size)
        for rank in 1..<size {
            let box = Unmanaged.passRetained(WorkerStart(state: shared, rank: rank))
            var thread = pthread_t()
            let rc = pthread_create(&thread, nil, { raw in
                let start = Unmanaged<WorkerStart>.fromOpaque(raw!).takeRetainedValue()
                start.state.workerLoop(rank: start.rank)
                return nil
            }, box.toOpaque())
            precondition(rc == 0, "pthread_create failed (\(rc))")
            workers.append(thread)
        }
    }

    deinit {
        shared.shutdown()
        for t in workers { pthread_join(t, nil) }
    }

    /// Runs `body(communicator)` on every rank and returns when all have finished. If any rank
    /// throws, the others' collectives throw `peerFailed`, and the first error (lowest rank among
    /// the original failures) is rethrown here.
    public func run(_ body: @escaping (any Communicator) throws -> Void) throws {
        if size == 1 {
            try body(ThreadCommunicator(rank: 0, state: shared))
            return
        }
        try shared.run(body)
    }
}

private final class WorkerStart {
    let state: TeamState
    let rank: Int
    init(state: TeamState, rank: Int) { self.state = state; self.rank = rank }
}

/// The communicator of one rank in a `ThreadTeam`.
final class ThreadCommunicator: Communicator {
    let rank: Int
    var size: Int { state.size }
    private let state: TeamState

    init(rank: Int, state: TeamState) {
        self.rank = rank
        self.state = state
    }

    func barrier() throws { try state.barrier() }

    func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Double>) throws {
        let n = state.size
        if n == 1 { return }
        state.published[rank] = buffer.baseAddress.map { UnsafeMutableRawPointer($0) }
        state.publishedCount[rank] = buffer.count
        try state.barrier()
        for r in 0..<n where state.publishedCount[r] != buffer.count {
            state.fail(rank: rank, message: "allreduce: rank \(r) passed \(state.publishedCount[r]) values, rank \(rank) \(buffer.count)")
            try state.barrier()
        }
        let lo = rank * buffer.count / n, hi = (rank + 1) * buffer.count / n
        if hi > lo {
            let buffers = (0..<n).map { state.published[$0]!.assumingMemoryBound(to: Double.self) }
            let first = buffers[0]
            for k in lo..<hi {
                var sum = first[k]
                for r in 1..<n { sum += buffers[r][k] }
                for r in 0..<n { buffers[r][k] = sum }
            }
        }
        try state.barrier()
    }

    func broadcast(_ buffer: UnsafeMutableBufferPointer<Double>, root: Int) throws {
        precondition(root >= 0 && root < state.size)
        if state.size == 1 { return }
        state.published[rank] = buffer.baseAddress.map { UnsafeMutableRawPointer($0) }
        state.publishedCount[rank] = buffer.count
        try state.barrier()
        if state.publishedCount[root] != buffer.count {
            state.fail(rank: rank, message: "broadcast: root \(root) passed \(state.publishedCount[root]) values, rank \(rank) \(buffer.count)")
            try state.barrier()
        }
        if rank != root, buffer.count > 0 {
            buffer.baseAddress!.update(from: state.published[root]!.assumingMemoryBound(to: Double.self), count: buffer.count)
        }
        try state.barrier()
    }
}

/// Mutex, condition and the job hand-over of a `ThreadTeam`.
final class TeamState: @unchecked Sendable {
    let size: Int
    var published: [UnsafeMutableRawPointer?]
    var publishedCount: [Int]
    private var mutex = pthread_mutex_t()
    private var condition = pthread_cond_t()
    // Barrier.
    private var arrived = 0
    private var barrierGeneration = 0
    private var failure: (rank: Int, message: String)? = nil
    // Jobs.
    private var job: ((any Communicator) throws -> Void)? = nil
    private var jobGeneration = 0
    private var finished = 0
    private var errors: [(rank: Int, error: any Error)] = []
    private var stopping = false

    init(size: Int) {
        self.size = size
        self.published = [UnsafeMutableRawPointer?](repeating: nil, count: size)
        self.publishedCount = [Int](repeating: 0, count: size)
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&condition, nil)
    }

    deinit {
        pthread_cond_destroy(&condition)
        pthread_mutex_destroy(&mutex)
    }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return try body()
    }

    /// Marks the team failed: every waiting and later barrier throws.
    func fail(rank: Int, message: String) {
        locked {
            if failure == nil { failure = (rank, message) }
            pthread_cond_broadcast(&condition)
        }
    }

    func barrier() throws {
        try locked {
            if let f = failure { throw CommunicatorError.peerFailed(rank: f.rank, message: f.message) }
            let generation = barrierGeneration
            arrived += 1
            if arrived == size {
                arrived = 0
                barrierGeneration &+= 1
                pthread_cond_broadcast(&condition)
                return
            }
            while barrierGeneration == generation && failure == nil { pthread_cond_wait(&condition, &mutex) }
            if barrierGeneration == generation, let f = failure {
                throw CommunicatorError.peerFailed(rank: f.rank, message: f.message)
            }
        }
    }

    func run(_ body: @escaping (any Communicator) throws -> Void) throws {
        locked {
            job = body
            finished = 0
            errors = []
            failure = nil
            arrived = 0
            jobGeneration &+= 1
            pthread_cond_broadcast(&condition)
        }
        execute(rank: 0, body)
        let failures: [(rank: Int, error: any Error)] = locked {
            while finished < size { pthread_cond_wait(&condition, &mutex) }
            job = nil
            return errors
        }
        // Prefer an original failure over the peerFailed errors it caused.
        if let original = failures.filter({ !($0.error is CommunicatorError) }).min(by: { $0.rank < $1.rank }) ?? failures.min(by: { $0.rank < $1.rank }) {
            throw original.error
        }
    }

    private func execute(rank: Int, _ body: (any Communicator) throws -> Void) {
        do {
            try body(ThreadCommunicator(rank: rank, state: self))
        } catch {
            fail(rank: rank, message: "\(error)")
            locked { errors.append((rank, error)) }
        }
        locked {
            finished += 1
            pthread_cond_broadcast(&condition)
        }
    }

    func workerLoop(rank: Int) {
        var seen = 0
        while true {
            let next: ((any Communicator) throws -> Void)? = locked {
                while jobGeneration == seen && !stopping { pthread_cond_wait(&condition, &mutex) }
                if stopping { return nil }
                seen = jobGeneration
                return job
            }
            guard let body = next else { return }
            execute(rank: rank, body)
        }
    }

    func shutdown() {
        locked {
            stopping = true
            pthread_cond_broadcast(&condition)
        }
    }
}
