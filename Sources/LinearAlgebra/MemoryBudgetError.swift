/// An allocation refused before any work because it would not fit the memory budget.
public enum MemoryBudgetError: Error, Equatable, Sendable, CustomStringConvertible {
    case exceeded(purpose: String, bytes: Int, budget: Int, remedy: String)

    public var description: String {
        switch self {
        case let .exceeded(purpose, bytes, budget, remedy):
            return "\(purpose) needs \(MemoryBudget.format(bytes)), more than the memory budget of \(MemoryBudget.format(budget)) "
                + "(default half of physical memory; COEMBED_MEMORY_BUDGET sets it): \(remedy)"
        }
    }
}
