import Foundation
import LinearAlgebra

/// Factor rotations of a loadings matrix Λ (p variables × k factors). An orthogonal rotation
/// keeps ΛΛᵀ (the fit) unchanged; an oblique one keeps Λ Φ Λᵀ unchanged.
public enum Rotation {
    /// The raw varimax criterion of Kaiser (1958) on row-normalised loadings
    /// (λ_ij / h_i, h_i² = Σ_j λ_ij²): Σ_j [ mean_i (λ_ij/h_i)⁴ − (mean_i (λ_ij/h_i)²)² ], the
    /// summed column variances of the squared normalised loadings. Rows with h_i = 0 count as 0.
    public static func varimaxCriterion(_ loadings: Matrix) -> Double {
        let (p, k) = (loadings.rows, loadings.columns)
        let h = rowLengths(loadings)
        var total = 0.0
        for j in 0..<k {
            var s2 = 0.0, s4 = 0.0
            for i in 0..<p where h[i] > 0 {
                let x = loadings[i, j] / h[i]
                s2 += x * x
                s4 += x * x * x * x
            }
            total += s4 / Double(p) - (s2 / Double(p)) * (s2 / Double(p))
        }
        return total
    }

    /// Varimax by Kaiser's algorithm: sweeps of planar rotations of every column pair, each by
    /// the angle that maximises the criterion for that pair in closed form, on Kaiser-normalised
    /// rows (so variables with small communality weigh as much as the others), until no pair
    /// turns by more than `angleTolerance` radians. Returns the rotated loadings and the
    /// orthogonal T with rotated = loadings · T.
    public static func varimax(_ loadings: Matrix, angleTolerance: Double = 1e-12,
                               maxSweeps: Int = 1000) throws -> (loadings: Matrix, rotation: Matrix) {
        let (p, k) = (loadings.rows, loadings.columns)
        guard loadings.isFinite else { throw EvaluationError.nonFinite("loadings for varimax") }
        var t = Matrix.identity(k)
        guard k >= 2 else { return (loadings, t) }
        let h = rowLengths(loadings)
        var x = Matrix(rows: p, columns: k) { i, j in h[i] > 0 ? loadings[i, j] / h[i] : 0 }
        let n = Double(p)
        for _ in 0..<maxSweeps {
            var largestTurn = 0.0
            for a in 0..<(k - 1) {
                for b in (a + 1)..<k {
                    // Kaiser's closed form: u = x_a² − x_b², v = 2 x_a x_b; tan 4φ = num / den.
                    var su = 0.0, sv = 0.0, suv = 0.0, sq = 0.0
                    for i in 0..<p {
                        let xa = x[i, a], xb = x[i, b]
                        let u = xa * xa - xb * xb, v = 2 * xa * xb
                        su += u; sv += v
                        suv += u * v
                        sq += u * u - v * v
                    }
                    let numerator = 2 * suv - 2 * su * sv / n
                    let denominator = sq - (su * su - sv * sv) / n
                    let phi = 0.25 * atan2(numerator, denominator)
                    guard abs(phi) > angleTolerance else { continue }
                    largestTurn = max(largestTurn, abs(phi))
                    let (c, s) = (cos(phi), sin(phi))
                    for i in 0..<p {
                        let xa = x[i, a], xb = x[i, b]
                        x[i, a] = c * xa + s * xb
                        x[i, b] = -s * xa + c * xb
                    }
                    for i in 0..<k {
                        let ta = t[i, a], tb = t[i, b]
                        t[i, a] = c * ta + s * tb
                        t[i, b] = -s * ta + c * tb
                    }
                }
            }
            if largestTurn <= angleTolerance {
                return (Matrix(rows: p, columns: k) { i, j in x[i, j] * h[i] }, t)
            }
        }
        throw EvaluationError.invalidArgument("varimax did not settle within \(maxSweeps) sweeps")
    }

    /// Promax (Hendrickson & White 1964, as R's `stats::promax` and psych): varimax, then the
    /// least-squares oblique map towards the target |λ|^(power−1)·λ, its columns scaled so the
    /// factor correlations Φ = (UᵀU)⁻¹ have a unit diagonal. Returns the pattern Λ·U and Φ.
    public static func promax(_ loadings: Matrix, power: Double = 4) throws -> (pattern: Matrix, phi: Matrix) {
        let (p, k) = (loadings.rows, loadings.columns)
        guard power >= 1, power.isFinite else { throw EvaluationError.invalidArgument("promax power must be ≥ 1") }
        let x = try varimax(loadings).loadings
        guard k >= 2 else { return (x, Matrix.identity(k)) }
        let target = Matrix(rows: p, columns: k) { i, j in
            let v = x[i, j]
            return v * pow(abs(v), power - 1)
        }
        // U = (xᵀx)⁻¹ xᵀ target: the least-squares fit of the target by x.
        let gramInverse = try spdInverse(BLAS.gram(x), what: "ΛᵀΛ of the varimax loadings")
        var u = BLAS.multiply(gramInverse, .none, BLAS.multiply(x, .transpose, target, .none), .none)
        let d = try spdInverse(BLAS.gram(u), what: "UᵀU of the promax map").diagonal
        for j in 0..<k {
            let scale = d[j].squareRoot()
            for i in 0..<k { u[i, j] *= scale }
        }
        let phi = try spdInverse(BLAS.gram(u), what: "UᵀU of the scaled promax map")
        return (BLAS.multiply(x, .none, u, .none), phi)
    }

    static func rowLengths(_ m: Matrix) -> [Double] {
        (0..<m.rows).map { i in
            var s = 0.0
            for j in 0..<m.columns { s += m[i, j] * m[i, j] }
            return s.squareRoot()
        }
    }

    static func spdInverse(_ a: Matrix, what: String) throws -> Matrix {
        do { return try LAPACK.inverseSPD(a) } catch {
            throw EvaluationError.invalidArgument("\(what) is singular (a factor with no loadings?): \(error)")
        }
    }
}
