import _CLAPACKE

// The only file that calls LAPACK directly: LinearAlgebra's wrappers are being written
// elsewhere and are not available yet. Replace these calls with them once they land.

/// Inverts a symmetric positive definite `n × n` column-major matrix in place via Cholesky
/// (`dpotrf` then `dpotri`) and mirrors the upper triangle so the full inverse is stored.
///
/// Only the upper triangle of the input is read. Throws `lapackFailure` naming the routine
/// when `info ≠ 0` (`dpotrf`'s positive `info` is the order of the first leading minor that is
/// not positive definite).
func invertSPDInPlace(_ a: UnsafeMutableBufferPointer<Double>, order n: Int) throws {
    precondition(a.count == n * n, "buffer holds \(a.count) values, expected \(n)×\(n)")
    guard n > 0 else { return }
    guard n <= Int(Int32.max) else {
        throw EvaluationError.invalidArgument("order \(n) exceeds LAPACK's 32-bit index range")
    }
    let upper = CChar(UInt8(ascii: "U"))
    let info1 = LAPACKE_dpotrf(LAPACK_COL_MAJOR, upper, Int32(n), a.baseAddress, Int32(n))
    if info1 != 0 { throw EvaluationError.lapackFailure(routine: "dpotrf", info: info1) }
    let info2 = LAPACKE_dpotri(LAPACK_COL_MAJOR, upper, Int32(n), a.baseAddress, Int32(n))
    if info2 != 0 { throw EvaluationError.lapackFailure(routine: "dpotri", info: info2) }
    mirrorUpperToLower(a, order: n)
}

/// Copies the upper triangle onto the lower one in square tiles (a plain strided copy thrashes
/// the cache at M ≈ 10⁴), split across cores; each tile writes a disjoint region.
private func mirrorUpperToLower(_ a: UnsafeMutableBufferPointer<Double>, order n: Int) {
    let tile = 64
    let tiles = (n + tile - 1) / tile
    let p = SendablePointer(a)
    // Tile column tj mirrors tiles - tj tiles: balance on that, not on the column count.
    let weights = (0..<tiles).map { (tiles - $0) * tile * tile }
    Parallel.balancedChunks(weights: weights) { range in
        let base = p.value.baseAddress!
        for tj in range {
            let j0 = tj * tile, j1 = min(n, j0 + tile)
            for ti in tj..<tiles {
                let i0 = ti * tile, i1 = min(n, i0 + tile)
                // Lower entries (i, j), i > j, of this tile from upper (j, i).
                for j in j0..<j1 {
                    for i in max(i0, j + 1)..<i1 { base[i + j * n] = base[j + i * n] }
                }
            }
        }
    }
}
