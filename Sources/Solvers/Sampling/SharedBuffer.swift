/// A fixed-size heap buffer reached through a raw pointer, owned by a class so that its lifetime
/// follows the state that holds it.
///
/// Two uses, both deliberate:
/// - **Hogwild tables.** The sampled methods update the embedding tables from several threads at
///   once without locks (Recht et al. 2011, "Hogwild!"; word2vec does the same). Each update
///   touches a handful of rows out of thousands, so collisions are rare and their effect is a
///   slightly stale gradient, which SGD tolerates. Locking per row would cost more than the
///   update itself. The races are benign on the platforms we run on (aligned 8-byte loads and
///   stores do not tear on x86-64 or arm64), but they are races: with more than one thread the
///   result depends on scheduling and is not reproducible bit for bit. With one thread it is.
/// - **Read-only sampler tables** (alias tables, rank maps) read in the hot loop without bounds
///   checks or closure nesting.
///
/// `@unchecked Sendable` because the compiler cannot see that sharing is intended: the workers
/// write through `pointer` concurrently on purpose (first use), or only read (second use).
final class SharedBuffer<Element>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Element>
    let count: Int

    init(repeating value: Element, count: Int) {
        precondition(count >= 0)
        pointer = UnsafeMutablePointer<Element>.allocate(capacity: max(1, count))
        pointer.initialize(repeating: value, count: count)
        self.count = count
    }

    init(_ array: [Element]) {
        count = array.count
        pointer = UnsafeMutablePointer<Element>.allocate(capacity: max(1, count))
        array.withUnsafeBufferPointer { b in
            if let base = b.baseAddress { pointer.initialize(from: base, count: count) }
        }
    }

    deinit {
        pointer.deinitialize(count: count)
        pointer.deallocate()
    }

    /// A copy as an array (for output and tests).
    var array: [Element] { Array(UnsafeBufferPointer(start: pointer, count: count)) }

    @inline(__always) subscript(i: Int) -> Element {
        get { pointer[i] }
        set { pointer[i] = newValue }
    }
}
