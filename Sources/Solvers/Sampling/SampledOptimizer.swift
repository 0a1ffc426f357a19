#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LinearAlgebra

/// How the sampled methods update the rows an example touches.
public enum SampledOptimizer: Sendable, Equatable {
    /// Plain SGD with word2vec's schedule: the rate falls linearly from `learningRate` to
    /// `learningRate · 10⁻⁴` over `plannedEpochs` epochs and stays there. The driver's iteration
    /// limit is not visible to a method, so the horizon is given here; run the driver for the same
    /// number of iterations for word2vec's behaviour.
    case sgd(learningRate: Double = 0.025, plannedEpochs: Int = 10)
    /// Lazy Adam per row: a row's moments and its bias-correction step count change only when an
    /// example touches the row (TensorFlow's LazyAdam, with the step counted per row so a rare
    /// item's first updates get the full bias correction). The constant rate suits training for
    /// an unknown number of epochs.
    case adam(learningRate: Double = 0.001, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8)

    public static let `default` = SampledOptimizer.sgd()

    func validate() throws {
        switch self {
        case let .sgd(lr, epochs):
            guard lr > 0, lr.isFinite, epochs >= 1 else {
                throw ProblemError.invalidOption("sgd needs learningRate > 0 and plannedEpochs ≥ 1")
            }
        case let .adam(lr, b1, b2, eps):
            guard lr > 0, lr.isFinite, (0..<1).contains(b1), (0..<1).contains(b2), eps > 0 else {
                throw ProblemError.invalidOption("adam needs learningRate > 0, 0 ≤ β1, β2 < 1 and ε > 0")
            }
        }
    }

    var isAdam: Bool { if case .adam = self { return true } else { return false } }

    /// word2vec's rate at `progress` (epochs done, fractional); constant for Adam.
    func rate(progress: Double) -> Double {
        switch self {
        case let .sgd(lr, epochs): return lr * max(1e-4, 1 - progress / Double(epochs))
        case let .adam(lr, _, _, _): return lr
        }
    }
}
