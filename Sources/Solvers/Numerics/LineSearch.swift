/// Strong-Wolfe line search (Nocedal & Wright, Numerical Optimization, 2nd ed., Algorithms 3.5
/// and 3.6) with safeguarded cubic interpolation in the zoom phase.
///
/// `evaluate(α)` returns φ(α) = L(x + α·p) and φ'(α) = ∇L(x + α·p)·p; the caller keeps the
/// gradient of the last evaluated point, and `accepted` tells which α that was.
struct StrongWolfeLineSearch {
    var c1 = 1e-4
    var c2 = 0.9
    var maxEvaluations = 30
    var maxStep = 1e20

    struct Outcome {
        var alpha: Double
        var value: Double
        var slope: Double
        var evaluations: Int
        var success: Bool
    }

    func search(phi0: Double, dphi0: Double, initial: Double,
                evaluate: (Double) -> (value: Double, slope: Double)) -> Outcome {
        // A non-finite start or a slope that is not a descent (NaN included) is a failed step for
        // the caller to report, never a crash: the run ends with the last finite iterate.
        guard phi0.isFinite, dphi0.isFinite, dphi0 < 0 else {
            return Outcome(alpha: 0, value: phi0, slope: dphi0, evaluations: 0, success: false)
        }
        var evaluations = 0
        var alphaPrev = 0.0, phiPrev = phi0, dphiPrev = dphi0
        var alpha = min(initial, maxStep)
        var best = Outcome(alpha: 0, value: phi0, slope: dphi0, evaluations: 0, success: false)
        var first = true
        while evaluations < maxEvaluations {
            let (phi, dphi) = evaluate(alpha)
            evaluations += 1
            if phi.isFinite, phi < best.value { best = Outcome(alpha: alpha, value: phi, slope: dphi, evaluations: evaluations, success: false) }
            if !phi.isFinite || phi > phi0 + c1 * alpha * dphi0 || (!first && phi >= phiPrev) {
                if !phi.isFinite { // overshoot into overflow: shrink towards the last good step
                    alpha = alphaPrev + 0.1 * (alpha - alphaPrev)
                    continue
                }
                return zoom(lo: (alphaPrev, phiPrev, dphiPrev), hi: (alpha, phi, dphi), phi0: phi0, dphi0: dphi0,
                            used: evaluations, best: best, evaluate: evaluate)
            }
            if abs(dphi) <= -c2 * dphi0 {
                return Outcome(alpha: alpha, value: phi, slope: dphi, evaluations: evaluations, success: true)
            }
            if dphi >= 0 {
                return zoom(lo: (alpha, phi, dphi), hi: (alphaPrev, phiPrev, dphiPrev), phi0: phi0, dphi0: dphi0,
                            used: evaluations, best: best, evaluate: evaluate)
            }
            first = false
            let next = min(maxStep, cubicMinimizer(alpha, phi, dphi, alphaPrev, phiPrev, dphiPrev,
                                                   lower: alpha + 1.1 * (alpha - alphaPrev), upper: alpha + 4 * (alpha - alphaPrev)))
            alphaPrev = alpha; phiPrev = phi; dphiPrev = dphi
            alpha = next
        }
        best.evaluations = evaluations
        best.success = false
        return best
    }

    private func zoom(lo: (Double, Double, Double), hi: (Double, Double, Double), phi0: Double, dphi0: Double,
                      used: Int, best: Outcome, evaluate: (Double) -> (value: Double, slope: Double)) -> Outcome {
        var (aLo, fLo, gLo) = lo
        var (aHi, fHi, gHi) = hi
        var evaluations = used
        var best = best
        while evaluations < maxEvaluations {
            let width = abs(aHi - aLo)
            let low = min(aLo, aHi) + 0.1 * width, high = max(aLo, aHi) - 0.1 * width
            let a = cubicMinimizer(aLo, fLo, gLo, aHi, fHi, gHi, lower: low, upper: high)
            if width <= 1e-16 * max(1, abs(aLo)) { break }
            let (f, g) = evaluate(a)
            evaluations += 1
            if f.isFinite, f < best.value { best = Outcome(alpha: a, value: f, slope: g, evaluations: evaluations, success: false) }
            if !f.isFinite || f > phi0 + c1 * a * dphi0 || f >= fLo {
                aHi = a; fHi = f; gHi = g
            } else {
                if abs(g) <= -c2 * dphi0 {
                    return Outcome(alpha: a, value: f, slope: g, evaluations: evaluations, success: true)
                }
                if g * (aHi - aLo) >= 0 { aHi = aLo; fHi = fLo; gHi = gLo }
                aLo = a; fLo = f; gLo = g
            }
        }
        // No point met both conditions within the budget: return the best decrease found. Only a
        // point satisfying sufficient decrease counts as success; at the floating-point floor
        // there is none and the caller reports `lineSearchFailed`.
        best.evaluations = evaluations
        best.success = best.alpha > 0 && best.value <= phi0 + c1 * best.alpha * dphi0 && best.value < phi0
        return best
    }

    /// Minimiser of the cubic through (a, fa, ga) and (b, fb, gb), clamped to [lower, upper]
    /// (bisection when the cubic has no real minimiser).
    private func cubicMinimizer(_ a: Double, _ fa: Double, _ ga: Double, _ b: Double, _ fb: Double, _ gb: Double,
                                lower: Double, upper: Double) -> Double {
        let lo = min(lower, upper), hi = max(lower, upper)
        let d1 = ga + gb - 3 * (fa - fb) / (a - b)
        let disc = d1 * d1 - ga * gb
        var x = 0.5 * (lo + hi)
        if disc >= 0, fa.isFinite, fb.isFinite, a != b {
            let d2 = (b > a ? 1.0 : -1.0) * disc.squareRoot()
            let denom = gb - ga + 2 * d2
            if denom != 0 {
                let candidate = b - (b - a) * (gb + d2 - d1) / denom
                if candidate.isFinite { x = candidate }
            }
        }
        return min(max(x, lo), hi)
    }
}
