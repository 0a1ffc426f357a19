import LinearAlgebra

/// Adam (Kingma & Ba 2015) on the full masked loss, with bias-corrected moments. The baseline
/// people reach for in PyTorch; here with an optional plateau decay of the learning rate, since
/// a constant rate stalls at a noise floor proportional to the rate.
public struct Adam: SolverMethod {
    public enum Schedule: String, Sendable, CaseIterable, SettingValue {
        /// The learning rate never changes (PyTorch's default).
        case constant
        /// "Bold driver": the rate is multiplied by `decay` whenever the loss rises and by
        /// `growth` (up to the initial rate) whenever it falls, so one bad step early on does not
        /// leave the run crawling at a tiny rate for the rest of its budget.
        case plateau
    }

    public var learningRate: Double
    public var beta1: Double
    public var beta2: Double
    public var epsilon: Double
    public var schedule: Schedule
    public var decay: Double
    public var growth: Double

    public init(learningRate: Double = Settings().learningRate, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8,
                schedule: Schedule = Settings().schedule, decay: Double = 0.5, growth: Double = 1.05) {
        self.growth = growth
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.schedule = schedule
        self.decay = decay
    }


    public struct State {
        var v: Matrix
        var gradient: Matrix
        var loss: Double
        var m: Matrix
        var s: Matrix
        var t: Int
        var rate: Double
        /// Completes sums over items (identity in one process; see `ItemSums`).
        var sums: ItemSums
    }

    public func makeState(start: Matrix?, context: SolverContext) throws -> State {
        guard learningRate > 0, learningRate.isFinite, (0..<1).contains(beta1), (0..<1).contains(beta2), epsilon > 0,
              decay > 0, decay < 1, growth >= 1 else {
            throw ProblemError.invalidOption("adam needs lr > 0, 0 ≤ β1, β2 < 1, ε > 0, 0 < decay < 1 and growth ≥ 1")
        }
        let v = try StartRequirement.require(start, for: name)
        var g = Matrix(rows: v.rows, columns: v.columns)
        let loss = context.objective.lossAndGradient(v, gradient: &g)
        let zero = Matrix(rows: v.rows, columns: v.columns)
        return State(v: v, gradient: g, loss: loss, m: zero, s: zero, t: 0, rate: learningRate, sums: context.itemSums)
    }

    public func step(_ st: inout State, context: SolverContext) throws -> StepReport {
        st.t += 1
        let c1 = 1 - pow(beta1, Double(st.t)), c2 = 1 - pow(beta2, Double(st.t))
        let (b1, b2, eps, rate) = (beta1, beta2, epsilon, st.rate)
        let stepScale = rate / c1
        let c2root = c2.squareRoot()
        st.gradient.storage.withUnsafeBufferPointer { g in
            st.m.storage.withUnsafeMutableBufferPointer { m in
                st.s.storage.withUnsafeMutableBufferPointer { s in
                    st.v.storage.withUnsafeMutableBufferPointer { v in
                        for k in 0..<g.count {
                            m[k] = b1 * m[k] + (1 - b1) * g[k]
                            s[k] = b2 * s[k] + (1 - b2) * g[k] * g[k]
                            // lr·m̂/(√ŝ + ε) with m̂ = m/c1, ŝ = s/c2.
                            v[k] -= stepScale * m[k] / (s[k].squareRoot() / c2root + eps)
                        }
                    }
                }
            }
        }
        let previous = st.loss
        st.loss = context.objective.lossAndGradient(st.v, gradient: &st.gradient)
        if schedule == .plateau {
            st.rate = st.loss > previous ? st.rate * decay : min(learningRate, st.rate * growth)
        }
        return StepReport(stepSize: rate)
    }

    public func embedding(of s: State) -> Matrix { s.v }
    public func loss(of s: State) -> Double { s.loss }
    public func gradientNorm(of s: State) -> Double? { s.sums(Flat.dot(s.gradient, s.gradient)).squareRoot() }
}

#if canImport(Glibc)
import Glibc
#endif
