import Foundation
import LinearAlgebra

/// Correlation matrices for factor analysis whose uniquenesses are poorly determined, the case
/// where iterated principal-axis factoring (alternating imputation on a correlation matrix)
/// converges linearly with a ratio close to 1.
public enum FactorAnalysisProblems {
    /// The sample correlation matrix of `samples` draws of x = Λf + Ψ^(1/2)e (f, e standard
    /// normal) with `variables` variables on three factors, and the population loadings Λ.
    ///
    /// Why the uniquenesses are poorly determined: the third factor is carried by only
    /// `thirdFactorIndicators` variables (two by default) beside cross-loadings of at most `crossLoading` (0.03),
    /// so the split of those variables' variance between that factor and their uniquenesses is
    /// nearly free (with exactly two indicators and no cross-loadings it is not identified at
    /// all: only the product of their two loadings is); two more variables have communality near
    /// 0.94, close to the boundary (Heywood) where a uniqueness would reach 0; and sampling noise
    /// makes R only approximately three-factor, so the fixed point is a genuine minimiser with a
    /// non-zero loss. The other variables load on the first two factors (0.4 … 0.8). With the
    /// defaults plain principal-axis iteration needs ~1000 steps on 30 variables (it crawls along
    /// the nearly free direction), against ~100 with cross-loadings of 0.1 and 200 samples.
    public static func weaklyIdentified(variables n: Int, samples: Int = 10_000, thirdFactorIndicators: Int = 2,
                                        crossLoading: Double = 0.03, seed: UInt64) -> (r: Matrix, loadings: Matrix) {
        precondition(n >= 12 && samples > n, "need at least 12 variables and more samples than variables")
        precondition((1...n - 6).contains(thirdFactorIndicators), "need 1 … variables − 6 indicators of the third factor")
        var rng = SplitMix64(seed: seed)
        func uniform(_ a: Double, _ b: Double) -> Double { a + (b - a) * Double(rng.next() >> 11) * 0x1.0p-53 }
        let t = thirdFactorIndicators
        var loadings = Matrix(rows: n, columns: 3)
        for i in 0..<n {
            let main = i < t ? 2 : (i - t) % 2
            for k in 0..<3 { loadings[i, k] = uniform(-crossLoading, crossLoading) }
            loadings[i, main] = main == 2 ? uniform(0.55, 0.7) : uniform(0.4, 0.8)
        }
        // Two near-Heywood variables on the first two factors.
        for (i, k) in [(t, 0), (t + 1, 1)] {
            loadings[i, k] = 0.97
            loadings[i, 1 - k] = 0.05
            loadings[i, 2] = 0
        }
        let communality = loadings.rowNormsSquared
        var data = Matrix(rows: samples, columns: n)
        for t in 0..<samples {
            let f = (0..<3).map { _ in rng.nextGaussian() }
            for i in 0..<n {
                let common = (0..<3).reduce(0.0) { $0 + loadings[i, $1] * f[$1] }
                data[t, i] = common + max(1 - communality[i], 0).squareRoot() * rng.nextGaussian()
            }
        }
        // Standardised columns: R = ZᵀZ/(samples − 1).
        for i in 0..<n {
            let mean = (0..<samples).reduce(0.0) { $0 + data[$1, i] } / Double(samples)
            var ss = 0.0
            for t in 0..<samples { data[t, i] -= mean; ss += data[t, i] * data[t, i] }
            let scale = 1 / ss.squareRoot()
            for t in 0..<samples { data[t, i] *= scale }
        }
        var r = BLAS.multiply(data, .transpose, data, .none)
        for j in 0..<n {
            for i in 0..<j { let a = 0.5 * (r[i, j] + r[j, i]); r[i, j] = a; r[j, i] = a }
            r[j, j] = 1
        }
        return (r, loadings)
    }
}
