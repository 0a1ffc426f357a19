import _COpenBLAS
import LinearAlgebra

/// The (s, y) pairs of L-BFGS in one contiguous buffer W = [s₀ y₀ s₁ y₁ …] (n × 2m, column-major),
/// with their Gram matrix WᵀW kept up to date, so that the direction −H·g costs two passes over W
/// (one gemv for Wᵀg, one for W·c) instead of the two-loop recursion's ~4m separate passes, and
/// storing a pair costs no pass over W: its products with the stored columns follow from d's
/// coefficients (sᵀw_l) and from the next iteration's Wᵀg (yᵀw_l = w_lᵀg_new − w_lᵀg_old).
///
/// The two-loop recursion (Nocedal & Wright, Algorithm 7.4) only ever forms linear combinations of
/// g and the stored vectors, so it is run on the coefficients: every inner product it needs is an
/// entry of Wᵀg or of WᵀW (the "vector-free" formulation of Chen, Wang, Zhou & Gao, 2014; the same
/// direction as the compact representation of Byrd, Nocedal & Schnabel, 1994). In exact arithmetic
/// the direction is identical to the two-loop recursion's; in floating point it agrees to rounding.
///
/// Preconditioning: with a column scaling p (the vectors are n = r·c matrices stored column by
/// column, p has one positive entry per column), the initial inverse Hessian is H0 = γ·P with
/// P = diag(p) acting on the columns, kept fixed until `setScaling` (which clears the pairs). This is
/// plain L-BFGS in the variables Z = V·P^(−1/2), run without forming Z: the buffer keeps s and
/// ŷ = y·P (so that wᵀg with the V-space gradient g gives the Z-space products), the Gram entries
/// are Z-space products (sᵀy, Σ‖s_j‖²/p_j, yᵀŷ), and the direction is −(cg·g·P + W·c). The cost
/// is the same two passes over W.
///
/// Single precision (`singlePrecision`): W is stored in Float32 while g, d, V and every inner
/// product stay Float64 (products are accumulated in Float64 from the widened entries). The passes
/// over W are most of L-BFGS's memory traffic beside the evaluation, so this halves it; the
/// direction is then that of slightly perturbed pairs (relative 6e-8 per entry), which changes the
/// path, not the fixed point: the gradient, the line search and the accepted points are exact.
/// A pair entry beyond Float32's range (|x| > 3.4e38, a diverging run) is stored as ±∞: the next
/// slope is then not negative, and L-BFGS drops the pairs and restarts from steepest descent, as
/// on any loss of descent (`LBFGS.step`), never using the non-finite direction.
struct LBFGSHistory {
    let length: Int
    let memory: Int
    /// W in Float32 (`singleBuffer`) instead of Float64 (`buffer`).
    let singlePrecision: Bool
    /// Column scaling p (nil: H0 = γ·I) and the number of rows of each column.
    private(set) var scaling: [Double]?
    private(set) var columnLength: Int
    /// γ of the first direction (no pairs yet): d = −initialScale·g·P.
    var initialScale = 1.0
    /// n × 2·memory; slot j holds s in column 2j and y in column 2j + 1 (Float64 storage; empty
    /// in single precision). Allocated uninitialised: a column is written before it is read.
    private var buffer: [Double]
    /// The same layout in Float32 (empty in double precision).
    private var singleBuffer: [Float]
    /// (2·memory)² inner products of the buffer's columns (entries of unfilled slots are unused).
    private var gram: [Double]
    /// Filled slots, oldest first. Slots 0..<order.count are the filled ones.
    private(set) var order: [Int] = []
    /// From the last `direction`: Wᵀg (over the columns filled then) and d = −(cg·g + W·c).
    private var lastProducts: [Double] = []
    private var lastCoefficients: [Double] = []
    private var lastGradientCoefficient = 0.0
    /// The slot whose y's products with the other columns wait for the next Wᵀg (y = g_new − g_old,
    /// so w_lᵀy = w_lᵀg_new − w_lᵀg_old), and how many columns were filled before it was added.
    private var pendingSlot: Int? = nil
    /// Wᵀg_new, per piece and column (piece-major, 2·order.count columns), taken by `append`'s pass
    /// in Float32 storage while g_new and the new pair were in cache: the next `direction` (whose
    /// gradient is that g_new) then needs no pass of its own for Wᵀg. The same per-piece sums as
    /// that pass (`SinglePrecisionPasses.dots`), so the products are bitwise the same.
    private var appendedProducts: [Double]? = nil
    var hasAppendedProducts: Bool { appendedProducts != nil }
    /// Completes the inner products over items when the participants hold their own rows (the
    /// pair buffer then holds the block's rows): Wᵀg (2k numbers), gᵀd and (sᵀy, sᵀs, yᵀy) are one
    /// allreduce each. Nil (one process) leaves every number as it was.
    var itemSums: ItemSums? = nil

    init(length: Int, memory: Int, singlePrecision: Bool = false) {
        precondition(length > 0 && memory >= 1)
        self.length = length
        self.memory = memory
        self.singlePrecision = singlePrecision
        (self.buffer, self.singleBuffer) = Self.storage(length: length, memory: memory, singlePrecision: singlePrecision)
        self.gram = [Double](repeating: 0, count: 4 * memory * memory)
        self.columnLength = length
    }

    /// Sets H0's column scaling p (`p.count` columns of `length / p.count` entries, every p_j > 0
    /// and finite) and clears the pairs: pairs stored under another P are not valid under this one.
    mutating func setScaling(_ p: [Double]) {
        precondition(!p.isEmpty && length % p.count == 0 && p.allSatisfy { $0 > 0 && $0.isFinite })
        scaling = p
        columnLength = length / p.count
        removeAll()
    }

    /// out[i] = factor·g[i]·p_(column of i).
    private func scaled(_ g: UnsafeBufferPointer<Double>, by factor: Double, into out: UnsafeMutableBufferPointer<Double>) {
        guard let p = scaling else {
            for i in 0..<length { out[i] = factor * g[i] }
            return
        }
        let r = columnLength
        for j in 0..<p.count {
            let f = factor * p[j], base = j * r
            for i in base..<(base + r) { out[i] = f * g[i] }
        }
    }

    var count: Int { order.count }

    /// Clears the pairs and frees the buffer, for a run that no longer uses the coefficient form
    /// (L-BFGS's full Gram form keeps explicit pairs): 2·memory·length entries it would otherwise
    /// hold for nothing. The history takes no pairs after this.
    mutating func releaseStorage() {
        removeAll()
        buffer = []
        singleBuffer = []
    }

    /// Whether `releaseStorage` freed the buffer.
    var storageReleased: Bool { buffer.isEmpty && singleBuffer.isEmpty }

    /// Allocates the buffer again (uninitialised, as `init` does) after `releaseStorage`.
    mutating func reallocateStorage() {
        guard storageReleased else { return }
        (buffer, singleBuffer) = Self.storage(length: length, memory: memory, singlePrecision: singlePrecision)
    }

    /// The buffer, uninitialised (no memset pass over 2·memory·length entries): slots are written by
    /// `append` before any read, and only filled slots are checkpointed.
    private static func storage(length: Int, memory: Int, singlePrecision: Bool) -> ([Double], [Float]) {
        let count = length * 2 * memory
        return singlePrecision ? ([], [Float](unsafeUninitializedCapacity: count) { _, initialised in initialised = count })
                               : ([Double](unsafeUninitializedCapacity: count) { _, initialised in initialised = count }, [])
    }

    mutating func removeAll() {
        order.removeAll()
        pendingSlot = nil
        appendedProducts = nil
        lastProducts = []
        lastCoefficients = []
        lastGradientCoefficient = 1
    }

    private func g(_ i: Int, _ j: Int) -> Double { gram[i + j * 2 * memory] }

    /// s and y of the pair at position `k` (0 = oldest), copies (tests).
    func pair(_ k: Int) -> (s: [Double], y: [Double]) {
        let j = order[k]
        if singlePrecision {
            return (singleBuffer[(2 * j * length)..<((2 * j + 1) * length)].map(Double.init),
                    singleBuffer[((2 * j + 1) * length)..<((2 * j + 2) * length)].map(Double.init))
        }
        return (Array(buffer[(2 * j * length)..<((2 * j + 1) * length)]),
                Array(buffer[((2 * j + 1) * length)..<((2 * j + 2) * length)]))
    }

    /// d ← −H·g. After `append`, `gradient` must be the `newGradient` it was given: the pending
    /// inner products of the new y are completed from this call's Wᵀg.
    ///
    /// With `unitStepFrom` x and `trial`, the same pass also writes trial = x + d (the line search's
    /// first point at its usual unit step) while each piece of d is in cache, and returns true; it
    /// does not without pairs (returns false: the caller forms the trial itself).
    @discardableResult
    mutating func direction(gradient: UnsafeBufferPointer<Double>, into d: UnsafeMutableBufferPointer<Double>,
                            unitStepFrom base: UnsafeBufferPointer<Double>? = nil,
                            trial: UnsafeMutableBufferPointer<Double>? = nil) -> Bool {
        precondition(gradient.count == length && d.count == length)
        precondition((base == nil) == (trial == nil) && (base?.count ?? length) == length && (trial?.count ?? length) == length)
        let k = order.count
        if k == 0 {
            lastSlope = nil
            scaled(gradient, by: -initialScale, into: d)
            lastProducts = []
            lastCoefficients = []
            lastGradientCoefficient = initialScale
            appendedProducts = nil
            return false
        }
        let p = 2 * k, ld = 2 * memory
        // Wᵀg by pieces of rows on all cores (per-piece partial products summed in piece order).
        let n = length, pieces = ParallelPasses.pieceCount(n)
        var partials = [Double](repeating: 0, count: pieces * p)
        if let products = appendedProducts, products.count == pieces * p {
            partials = products // taken by append's pass over g_new (this gradient)
        } else if singlePrecision {
            singleBuffer.withUnsafeBufferPointer { w in
                partials.withUnsafeMutableBufferPointer { pp in
                    let wp = SharedPointer(w.baseAddress!), gp = SharedPointer(gradient.baseAddress!), out = SharedPointer(pp.baseAddress!)
                    ParallelPasses.forEachPiece(n) { r, piece in
                        SinglePrecisionPasses.dots(wp.value, columnCount: p, stride: n, gp.value, r, into: out.value + piece * p)
                    }
                }
            }
        } else {
            buffer.withUnsafeBufferPointer { w in
                partials.withUnsafeMutableBufferPointer { pp in
                    let wp = SharedPointer(w.baseAddress!), gp = SharedPointer(gradient.baseAddress!), out = SharedPointer(pp.baseAddress!)
                    ParallelPasses.forEachPiece(n) { r, piece in
                        cblas_dgemv(CblasColMajor, CblasTrans, Int32(r.count), Int32(p), 1, wp.value + r.lowerBound, Int32(n),
                                    gp.value + r.lowerBound, 1, 0, out.value + piece * p, 1)
                    }
                }
            }
        }
        appendedProducts = nil
        var a = [Double](repeating: 0, count: p)
        for piece in 0..<pieces { for l in 0..<p { a[l] += partials[piece * p + l] } }
        itemSums?.reduce(&a)
        if let slot = pendingSlot {
            // w_lᵀy = w_lᵀg − w_lᵀg_old for the columns that were there at the last direction.
            let yCol = 2 * slot + 1
            for l in 0..<min(lastProducts.count, p) where l / 2 != slot {
                let value = a[l] - lastProducts[l]
                gram[l + yCol * ld] = value
                gram[yCol + l * ld] = value
            }
            pendingSlot = nil
        }
        // The two-loop recursion on coefficients: q = cg·g + Σ c_l·w_l.
        var cg = 1.0
        var c = [Double](repeating: 0, count: p)
        func dotWith(_ col: Int) -> Double {
            var sum = cg * a[col]
            for l in 0..<p where c[l] != 0 { sum += c[l] * gram[col + l * ld] }
            return sum
        }
        var alphas = [Double](repeating: 0, count: memory)
        for j in order.reversed() {
            let rho = 1 / g(2 * j, 2 * j + 1)
            alphas[j] = rho * dotWith(2 * j)
            c[2 * j + 1] -= alphas[j]
        }
        let newest = order[k - 1]
        let gamma = g(2 * newest, 2 * newest + 1) / g(2 * newest + 1, 2 * newest + 1)
        cg *= gamma
        for l in 0..<p { c[l] *= gamma }
        for j in order {
            let rho = 1 / g(2 * j, 2 * j + 1)
            let beta = rho * dotWith(2 * j + 1)
            c[2 * j] += alphas[j] - beta
        }
        lastProducts = a
        lastCoefficients = c
        lastGradientCoefficient = cg
        // d = −(cg·g·P + W·c) piece by piece, with gᵀd from each piece while it is in cache.
        let scale = scaling, columnLength = columnLength
        let xp = SharedPointer(base?.baseAddress), tp = SharedPointer(trial?.baseAddress)
        if singlePrecision {
            lastSlope = singleBuffer.withUnsafeBufferPointer { w in
                c.withUnsafeBufferPointer { cp in
                    let wp = SharedPointer(w.baseAddress!), cpp = SharedPointer(cp.baseAddress!)
                    let gp = SharedPointer(gradient.baseAddress!), dp = SharedPointer(d.baseAddress!)
                    return ParallelPasses.sum(n) { r in
                        let slope = SinglePrecisionPasses.direction(gradient: gp.value, gradientFactor: -cg, scaling: scale,
                                                                    columnLength: columnLength, columns: wp.value, columnCount: p,
                                                                    stride: n, coefficients: cpp.value, range: r, into: dp.value)
                        if let x = xp.value, let t = tp.value { Self.unitStep(x, dp.value, r, into: t) }
                        return slope
                    }
                }
            }
            if let itemSums, let slope = lastSlope { lastSlope = itemSums(slope) }
            return trial != nil
        }
        lastSlope = buffer.withUnsafeBufferPointer { w in
            c.withUnsafeBufferPointer { cp in
                let wp = SharedPointer(w.baseAddress!), cpp = SharedPointer(cp.baseAddress!)
                let gp = SharedPointer(gradient.baseAddress!), dp = SharedPointer(d.baseAddress!)
                return ParallelPasses.sum(n) { r in
                    Self.scaled(gp.value, by: -cg, scaling: scale, columnLength: columnLength, range: r, into: dp.value)
                    cblas_dgemv(CblasColMajor, CblasNoTrans, Int32(r.count), Int32(p), -1, wp.value + r.lowerBound, Int32(n),
                                cpp.value, 1, 1, dp.value + r.lowerBound, 1)
                    if let x = xp.value, let t = tp.value { Self.unitStep(x, dp.value, r, into: t) }
                    return ParallelPasses.dot(gp.value, dp.value, r)
                }
            }
        }
        if let itemSums, let slope = lastSlope { lastSlope = itemSums(slope) }
        return trial != nil
    }

    /// t[i] = x[i] + d[i] over r: `ParallelPasses.combine` at α = 1 (1·d[i] is d[i] exactly), so
    /// the trial point is bitwise the one a separate pass would form.
    @inline(__always)
    private static func unitStep(_ x: UnsafePointer<Double>, _ d: UnsafePointer<Double>, _ r: Range<Int>,
                                 into t: UnsafeMutablePointer<Double>) {
        for i in r { t[i] = x[i] + d[i] }
    }

    /// gᵀd of the last `direction` (nil after a direction without pairs: computed by the caller).
    private(set) var lastSlope: Double? = nil

    /// out[i] = factor·g[i]·p_(column of i) for i in range.
    @inline(__always)
    static func scaled(_ g: UnsafePointer<Double>, by factor: Double, scaling: [Double]?, columnLength: Int, range: Range<Int>,
                       into out: UnsafeMutablePointer<Double>) {
        guard let p = scaling else {
            for i in range { out[i] = factor * g[i] }
            return
        }
        var i = range.lowerBound
        while i < range.upperBound {
            let j = i / columnLength, end = min(range.upperBound, (j + 1) * columnLength)
            let f = factor * p[j]
            for k in i..<end { out[k] = f * g[k] }
            i = end
        }
    }

    /// Adds s = α·d, y = gNew − gOld when sᵀy > `threshold` (dropping the oldest pair when full);
    /// returns sᵀy (the pair is not stored when it fails the test). `direction` and `oldGradient`
    /// must be the last `direction` call's output and input. Costs one pass over d, gNew and gOld
    /// (sᵀy, sᵀs, yᵀy) and one writing s and y; the products with the other stored columns come
    /// from the coefficients of d (sᵀw_l) and from the next Wᵀg (yᵀw_l), not from a pass over W.
    /// With a scaling, the stored y column is ŷ = y·P and sᵀs, yᵀy are Σ_j ‖s_j‖²/p_j, Σ_j p_j·‖y_j‖².
    ///
    /// `expectedCurvature`, when given, is sᵀy from the line search, α·(φ'(α) − φ'(0)) with
    /// φ'(t) = ∇L(V + t·d)ᵀd: the test uses it, and the products are accumulated while s and y are
    /// written (one pass over d, gNew and gOld instead of two). Should the recomputed sᵀy fail the
    /// test (rounding), the history is cleared.
    @discardableResult
    mutating func append(alpha: Double, direction d: UnsafeBufferPointer<Double>, newGradient gNew: UnsafeBufferPointer<Double>,
                         oldGradient gOld: UnsafeBufferPointer<Double>, threshold: Double = 1e-300,
                         expectedCurvature: Double? = nil) -> Double {
        precondition(d.count == length && gNew.count == length && gOld.count == length)
        var sy = 0.0, ss = 0.0, yy = 0.0
        if let expected = expectedCurvature {
            guard expected > threshold else { return expected }
        } else if let p = scaling {
            let r = columnLength
            for j in 0..<p.count {
                var syj = 0.0, ssj = 0.0, yyj = 0.0
                for i in (j * r)..<((j + 1) * r) {
                    let si = alpha * d[i], yi = gNew[i] - gOld[i]
                    syj += si * yi; ssj += si * si; yyj += yi * yi
                }
                sy += syj; ss += ssj / p[j]; yy += yyj * p[j]
            }
        } else {
            var sy0 = 0.0, sy1 = 0.0, ss0 = 0.0, ss1 = 0.0, yy0 = 0.0, yy1 = 0.0
            var i = 0
            while i + 2 <= length {
                let s0 = alpha * d[i], y0 = gNew[i] - gOld[i]
                let s1 = alpha * d[i + 1], y1 = gNew[i + 1] - gOld[i + 1]
                sy0 += s0 * y0; ss0 += s0 * s0; yy0 += y0 * y0
                sy1 += s1 * y1; ss1 += s1 * s1; yy1 += y1 * y1
                i += 2
            }
            if i < length {
                let s0 = alpha * d[i], y0 = gNew[i] - gOld[i]
                sy0 += s0 * y0; ss0 += s0 * s0; yy0 += y0 * y0
            }
            sy = sy0 + sy1; ss = ss0 + ss1; yy = yy0 + yy1
        }
        if expectedCurvature == nil, let itemSums { (sy, ss, yy) = Self.reduced(sy, ss, yy, itemSums) }
        guard expectedCurvature != nil || sy > threshold else { return sy }
        let ld = 2 * memory
        // sᵀw_l = −α·(cg·w_lᵀg + Σ_j c_j·w_lᵀw_j) for the columns filled at the last direction.
        let pOld = lastCoefficients.count
        var sProducts = [Double](repeating: 0, count: pOld)
        for l in 0..<pOld {
            var sum = lastGradientCoefficient * lastProducts[l]
            for j in 0..<pOld where lastCoefficients[j] != 0 { sum += lastCoefficients[j] * gram[l + j * ld] }
            sProducts[l] = -alpha * sum
        }
        let slot: Int
        if order.count < memory {
            slot = order.count
        } else {
            slot = order.removeFirst()
        }
        order.append(slot)
        let n = length
        let p = scaling ?? [1], r = scaling == nil ? n : columnLength
        let accumulate = expectedCurvature != nil
        // One pass writing s and ŷ, by pieces on all cores; the products (when accumulated) are
        // per-piece partials summed in piece order.
        let pieces = ParallelPasses.pieceCount(n)
        var partials = [Double](repeating: 0, count: 3 * pieces)
        // Float32 storage: the same pass takes the next direction's Wᵀg_new (every filled column,
        // the new pair included, read back as stored) while g_new and the new pair are in cache.
        let columns = 2 * order.count
        var products = singlePrecision ? [Double](repeating: 0, count: pieces * columns) : []
        partials.withUnsafeMutableBufferPointer { pp in
            if singlePrecision {
                singleBuffer.withUnsafeMutableBufferPointer { w in
                    products.withUnsafeMutableBufferPointer { out in
                        let wp = SharedPointer(UnsafePointer(w.baseAddress!)), gp = SharedPointer(gNew.baseAddress!)
                        let op = SharedPointer(out.baseAddress!)
                        Self.writePair(w.baseAddress! + 2 * slot * n, n: n, alpha: alpha, d: d, gNew: gNew, gOld: gOld,
                                       scaling: p, columnLength: r, accumulate: accumulate, partials: pp.baseAddress!) { range, piece in
                            SinglePrecisionPasses.dots(wp.value, columnCount: columns, stride: n, gp.value, range,
                                                       into: op.value + piece * columns)
                        }
                    }
                }
            } else {
                buffer.withUnsafeMutableBufferPointer { w in
                    Self.writePair(w.baseAddress! + 2 * slot * n, n: n, alpha: alpha, d: d, gNew: gNew, gOld: gOld,
                                   scaling: p, columnLength: r, accumulate: accumulate, partials: pp.baseAddress!)
                }
            }
        }
        appendedProducts = singlePrecision ? products : nil
        if accumulate {
            for piece in 0..<pieces { sy += partials[3 * piece]; ss += partials[3 * piece + 1]; yy += partials[3 * piece + 2] }
            if let itemSums { (sy, ss, yy) = Self.reduced(sy, ss, yy, itemSums) }
        }
        if accumulate && !(sy > threshold) {
            removeAll()
            return sy
        }
        let sCol = 2 * slot, yCol = sCol + 1
        for l in 0..<pOld where l / 2 != slot {
            gram[l + sCol * ld] = sProducts[l]
            gram[sCol + l * ld] = sProducts[l]
        }
        gram[sCol + sCol * ld] = ss
        gram[yCol + yCol * ld] = yy
        gram[sCol + yCol * ld] = sy
        gram[yCol + sCol * ld] = sy
        pendingSlot = slot
        return sy
    }

    /// The pass of `append` that writes s = α·d and ŷ = P·(g_new − g_old) into the pair columns at
    /// `column` (Float64 or Float32 storage; the products stay Float64), with per-piece partials of
    /// sᵀy, sᵀP⁻¹s and yᵀPy in `partials` (3 per piece) when `accumulate`.
    @inline(__always)
    private static func writePair<T: BinaryFloatingPoint>(_ column: UnsafeMutablePointer<T>, n: Int, alpha: Double,
                                                          d: UnsafeBufferPointer<Double>, gNew: UnsafeBufferPointer<Double>,
                                                          gOld: UnsafeBufferPointer<Double>, scaling p: [Double],
                                                          columnLength r: Int, accumulate: Bool,
                                                          partials: UnsafeMutablePointer<Double>,
                                                          afterPiece: ((Range<Int>, Int) -> Void)? = nil) {
        let sp = SharedPointer(column), out = SharedPointer(partials)
        let dp = SharedPointer(d.baseAddress!), np = SharedPointer(gNew.baseAddress!), op = SharedPointer(gOld.baseAddress!)
        ParallelPasses.forEachPiece(n) { range, piece in
            let sp = sp.value, yp = sp + n, d = dp.value, gNew = np.value, gOld = op.value
            var sy = 0.0, ss = 0.0, yy = 0.0
            var i = range.lowerBound
            while i < range.upperBound {
                let j = i / r, end = min(range.upperBound, (j + 1) * r)
                let pj = p[j]
                var syj = 0.0, ssj = 0.0, yyj = 0.0
                for k in i..<end {
                    let si = alpha * d[k], yi = gNew[k] - gOld[k]
                    sp[k] = T(si)
                    yp[k] = T(pj * yi)
                    if accumulate { syj += si * yi; ssj += si * si; yyj += yi * yi }
                }
                if accumulate { sy += syj; ss += ssj / pj; yy += yyj * pj }
                i = end
            }
            out.value[3 * piece] = sy; out.value[3 * piece + 1] = ss; out.value[3 * piece + 2] = yy
            afterPiece?(range, piece)
        }
    }

    private static func reduced(_ a: Double, _ b: Double, _ c: Double, _ sums: ItemSums) -> (Double, Double, Double) {
        var x = [a, b, c]
        sums.reduce(&x)
        return (x[0], x[1], x[2])
    }

    /// The two-loop recursion on explicit vectors (Nocedal & Wright, Algorithm 7.4): the reference
    /// the coefficient form is tested against.
    /// With `scaling` p, H0 = γ·diag(p) on the columns (`p.count` columns of `gradient.count / p.count`
    /// entries), γ = sᵀy / ⟨y, y·P⟩ (`initialScale` without pairs).
    static func twoLoopReference(s: [[Double]], y: [[Double]], gradient: [Double], scaling: [Double]? = nil,
                                 initialScale: Double = 1) -> [Double] {
        func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
        let p = scaling ?? [1]
        let r = gradient.count / p.count
        func applyP(_ a: [Double]) -> [Double] { a.indices.map { a[$0] * p[$0 / r] } }
        var q = gradient
        let k = s.count
        var alphas = [Double](repeating: 0, count: k)
        for i in stride(from: k - 1, through: 0, by: -1) {
            alphas[i] = dot(s[i], q) / dot(s[i], y[i])
            for t in q.indices { q[t] -= alphas[i] * y[i][t] }
        }
        let gamma = k > 0 ? dot(s[k - 1], y[k - 1]) / dot(y[k - 1], applyP(y[k - 1])) : initialScale
        q = applyP(q)
        for t in q.indices { q[t] *= gamma }
        for i in 0..<k {
            let beta = dot(y[i], q) / dot(s[i], y[i])
            for t in q.indices { q[t] += (alphas[i] - beta) * s[i][t] }
        }
        return q.map { -$0 }
    }
}

// Checkpointing (in this file: it reads the private buffers). Only the filled slots' columns
// are saved: slots fill from 0, so columns past 2·order.count are never read before rewritten.
extension LBFGSHistory {
    func save(_ key: String, into r: inout CheckpointRecord) {
        r.set(key + ".length", length)
        r.set(key + ".memory", memory)
        if let scaling { r.set(key + ".scaling", scaling) }
        r.set(key + ".initialScale", initialScale)
        r.set(key + ".order", order)
        r.set(key + ".singlePrecision", singlePrecision)
        r.set(key + ".buffer", singlePrecision ? singleBuffer[0..<(2 * order.count * length)].map(Double.init)
                                               : Array(buffer[0..<(2 * order.count * length)]))
        r.set(key + ".gram", gram)
        r.set(key + ".lastProducts", lastProducts)
        r.set(key + ".lastCoefficients", lastCoefficients)
        r.set(key + ".lastGradientCoefficient", lastGradientCoefficient)
        r.set(key + ".pendingSlot", pendingSlot ?? -1)
    }

    mutating func restore(_ key: String, from r: CheckpointRecord) throws {
        guard try r.int(key + ".length") == length, try r.int(key + ".memory") == memory else {
            throw CheckpointError.damaged("L-BFGS history sizes do not match the run")
        }
        if r[key + ".scaling"] != nil {
            let p = try r.doubles(key + ".scaling")
            guard !p.isEmpty, length % p.count == 0, p.allSatisfy({ $0 > 0 && $0.isFinite }) else {
                throw CheckpointError.damaged("L-BFGS column scaling is invalid")
            }
            setScaling(p)
        } else {
            scaling = nil
            columnLength = length
        }
        initialScale = try r.double(key + ".initialScale")
        let order = try r.ints(key + ".order")
        guard order.count <= memory, Set(order) == Set(0..<order.count) else {
            throw CheckpointError.damaged("L-BFGS pair order is invalid")
        }
        // Records written before single precision existed have no flag: Float64 pairs.
        let savedSingle = r[key + ".singlePrecision"] != nil ? try r.bool(key + ".singlePrecision") : false
        guard savedSingle == singlePrecision else {
            throw CheckpointError.damaged("L-BFGS pair precision of the snapshot (\(savedSingle ? "single" : "double")) does not match the run")
        }
        let filled = try r.doubles(key + ".buffer", count: 2 * order.count * length)
        if singlePrecision {
            singleBuffer.replaceSubrange(0..<filled.count, with: filled.map { Float($0) })
        } else {
            buffer.replaceSubrange(0..<filled.count, with: filled)
        }
        gram = try r.doubles(key + ".gram", count: 4 * memory * memory)
        self.order = order
        lastProducts = try r.doubles(key + ".lastProducts")
        lastCoefficients = try r.doubles(key + ".lastCoefficients")
        guard lastProducts.count <= 2 * memory, lastCoefficients.count <= 2 * memory else {
            throw CheckpointError.damaged("L-BFGS coefficients are invalid")
        }
        lastGradientCoefficient = try r.double(key + ".lastGradientCoefficient")
        let pending = try r.int(key + ".pendingSlot")
        guard (-1..<memory).contains(pending) else { throw CheckpointError.damaged("L-BFGS pending slot is invalid") }
        pendingSlot = pending < 0 ? nil : pending
        appendedProducts = nil // the next direction takes Wᵀg in its own pass: the same numbers
    }
}
