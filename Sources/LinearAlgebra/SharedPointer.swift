/// Lets a pointer (or a value holding pointers) cross into `concurrentPerform`. Safe only because
/// every task touches a disjoint part of the buffer and the caller outlives the tasks.
public struct SharedPointer<T>: @unchecked Sendable {
    public let value: T
    public init(_ value: T) { self.value = value }
}
