import Dispatch
import Foundation
import LinearAlgebra

/// The implicit loss L = T1 − 2·T2 + T3 − T4 evaluated with error-free transformations, in
/// O(nnz(S)·D + M·D²) work for X = SᵀS (O(nnz(X)·D) for an explicit X), with a rigorous bound of
/// order u²·(magnitudes) instead of the plain evaluation's u·(magnitudes).
///
/// Every inner product (the entries of G = VᵀV, of SV or XV, the row norms ‖v_i‖², the entries
/// and diagonal of X = SᵀS) is accumulated as an unevaluated pair hi + lo: each product a·b is
/// split exactly into p + q by FMA (TwoProduct), p enters hi by TwoSum and the exact rounding
/// error σ of that sum joins q in lo (Ogita, Rump & Oishi's Dot2, with the pair kept instead of
/// rounded). The only roundings left are those of the low word, fl(σ + q) and fl(lo + t), each at
/// most u times its computed result, so u·Σ(|t| + |lo|), summed alongside, bounds the pair's error
/// a posteriori. Squares of pairs (h + l)² = h² + 2hl + l² take h² exactly (TwoProduct) and carry
/// the rounding of 2hl and the dropped l²; an input error e of a pair x̂ adds e·(2|x̂| + e). The four
/// terms are then summed as pairs the same way (docs/maths.md, "Accuracy of the loss").
///
/// TwoProduct is exact barring underflow: each product adds η = 2⁻¹⁰⁷⁰ to the bound, which covers
/// the rounding of a subnormal product and of its FMA remainder.
///
/// Work runs in fixed pieces (items for G and T4, users or rows for T2, blocks of rows of the Gram
/// matrix for T3) whose results are merged in piece order, so the value and its bound do not
/// depend on the number of threads. A distributed problem is not handled (see `MaskedLoss.refined`).
final class CompensatedLoss {
    let problem: Problem
    let threads: Int
    private let sTransposed: SparseMatrix?
    /// T3 = ‖X‖²_F and X_ii as pairs with their bounds, computed on first use (X = SᵀS: one walk of
    /// the cheaper Gram matrix, unless S is 0/1 and ‖X‖²_F < 2⁵³, which set-up then summed exactly).
    private var frobenius: TrackedSum?
    private var diagonal: [TrackedSum]?

    /// Bytes of pieces' G accumulators allowed (three D × D arrays per piece).
    static let pieceMemoryBudget = 256 << 20
    static let maxItemPieces = 16

    init(problem: Problem, threads: Int = ProcessInfoCores.count) {
        precondition(problem.distribution == nil, "the compensated loss needs all of S")
        self.problem = problem
        self.threads = max(1, threads)
        if case let .interactions(s) = problem.source { sTransposed = s.transposed } else { sTransposed = nil }
    }

    /// Multiply-adds one evaluation costs (each about ten flops), for the budget along a run.
    static func work(_ problem: Problem, dimension d: Int) -> Double {
        let m = Double(problem.itemCount), dd = Double(d)
        let g = m * dd * (dd + 1) / 2 + m * dd
        switch problem.source {
        case let .interactions(s): return g + Double(s.nonzeroCount) * dd
        case .dense: return g + m * m * dd
        case let .sparse(x): return g + Double(x.nonzeroCount) * dd
        }
    }

    /// L(V) and a rigorous bound on |computed − true|; NaN when V's entries overflow.
    func evaluate(_ v: Matrix) -> (loss: Double, bound: Double) {
        let m = problem.itemCount, d = v.columns
        precondition(v.rows == m, "embedding has \(v.rows) rows, the problem \(m) items")
        var rows = [Double](repeating: 0, count: m * d) // V row-major: every pass reads whole rows
        v.storage.withUnsafeBufferPointer { vs in
            rows.withUnsafeMutableBufferPointer { r in
                for j in 0..<d { for i in 0..<m { r[i * d + j] = vs[j * m + i] } }
            }
        }
        let x3 = frobeniusTerm()
        let xDiagonal = diagonalTerms()
        let (t1, t4) = rows.withUnsafeBufferPointer { r in gramAndDiagonalTerms(SharedPointer(r.baseAddress!), m: m, d: d, xDiagonal: xDiagonal) }
        let t2 = rows.withUnsafeBufferPointer { r in quadraticTerm(SharedPointer(r.baseAddress!), m: m, d: d) }
        var total = TrackedSum()
        total.add(t1)
        total.add(t2.scaled(by: -2))
        total.add(x3)
        total.add(t4.scaled(by: -1))
        let (value, rounding) = total.rounded
        guard value.isFinite else { return (.nan, .infinity) }
        // The masked loss is a sum of squares: a negative value is rounding, and 0 is closer to
        // the truth. The factor 1.01 covers the roundings of the bound's own sums.
        let bound = 1.01 * (total.bound + rounding)
        return (max(0, value), bound)
    }

    // MARK: - T1 = ‖VᵀV‖²_F and T4 = Σ (‖v_i‖² − X_ii)²

    /// One pass over the items in fixed pieces: each piece accumulates its part of G (upper
    /// triangle) and of T4; pieces merge in order.
    private func gramAndDiagonalTerms(_ rows: SharedPointer<UnsafePointer<Double>>, m: Int, d: Int,
                                      xDiagonal: [TrackedSum]) -> (TrackedSum, TrackedSum) {
        let perPiece = 4 * d * d * MemoryLayout<Double>.stride
        let pieces = max(1, min(Self.maxItemPieces, (m + 63) / 64, Self.pieceMemoryBudget / max(perPiece, 1)))
        let stride = d * d
        let gHi = UnsafeMutableBufferPointer<Double>.allocate(capacity: pieces * stride)
        let gLo = UnsafeMutableBufferPointer<Double>.allocate(capacity: pieces * stride)
        let gLow2 = UnsafeMutableBufferPointer<Double>.allocate(capacity: pieces * stride)
        let gMag = UnsafeMutableBufferPointer<Double>.allocate(capacity: pieces * stride)
        let t4Parts = UnsafeMutableBufferPointer<TrackedSum>.allocate(capacity: pieces)
        defer { gHi.deallocate(); gLo.deallocate(); gLow2.deallocate(); gMag.deallocate(); t4Parts.deallocate() }
        gHi.initialize(repeating: 0); gLo.initialize(repeating: 0); gLow2.initialize(repeating: 0); gMag.initialize(repeating: 0)
        t4Parts.initialize(repeating: TrackedSum())
        let out = SharedPointer((gHi.baseAddress!, gLo.baseAddress!, gLow2.baseAddress!, gMag.baseAddress!, t4Parts.baseAddress!))
        let diag = SharedPointer(xDiagonal)
        Self.forEachPiece(pieces, threads: threads) { piece in
            let (hiAll, loAll, low2All, magAll, t4All) = out.value
            let hi = hiAll + piece * stride, lo = loAll + piece * stride, mag = magAll + piece * stride
            let low2 = low2All + piece * stride
            var t4 = TrackedSum()
            for i in (piece * m / pieces)..<((piece + 1) * m / pieces) {
                let r = rows.value + i * d
                var norm = TrackedSum()
                for j in 0..<d {
                    let a = r[j]
                    norm.addProduct(a, a)
                    let base = j * d
                    // G_jk += a·V_ik for k ≥ j, each entry its own triple (independent lanes).
                    for k in j..<d {
                        TrackedSum.accumulate(a, r[k], hi + base + k, lo + base + k, low2 + base + k, mag + base + k)
                    }
                }
                t4.addSquare(norm.minus(diag.value[i]))
            }
            t4All[piece] = t4
        }
        // Merge the pieces in order, then T1 = Σ_j G_jj² + 2·Σ_{j<k} G_jk².
        let products = Double(m) // products per entry of G, each worth η
        var t1 = TrackedSum(), t4 = TrackedSum()
        for piece in 0..<pieces { t4.add(t4Parts[piece]) }
        for j in 0..<d {
            for k in j..<d {
                var entry = TrackedSum()
                for piece in 0..<pieces {
                    let at = piece * stride + j * d + k
                    entry.add(TrackedSum(hi: gHi[at], lo: gLo[at], low2: gLow2[at], magnitude: gMag[at]))
                }
                entry.products = products
                let square = entry.squared()
                t1.add(k == j ? square : square.scaled(by: 2))
            }
        }
        return (t1, t4)
    }

    // MARK: - T2 = ‖SV‖²_F or ⟨V, XV⟩

    private func quadraticTerm(_ rows: SharedPointer<UnsafePointer<Double>>, m: Int, d: Int) -> TrackedSum {
        let rowCount: Int
        switch problem.source {
        case let .interactions(s): rowCount = s.rows
        case .dense, .sparse: rowCount = m
        }
        let pieces = max(1, min(256, (rowCount + 255) / 256))
        let parts = UnsafeMutableBufferPointer<TrackedSum>.allocate(capacity: pieces)
        defer { parts.deallocate() }
        parts.initialize(repeating: TrackedSum())
        let out = SharedPointer(parts.baseAddress!)
        let source = problem.source
        Self.forEachPiece(pieces, threads: threads) { piece in
            let range = (piece * rowCount / pieces)..<((piece + 1) * rowCount / pieces)
            let scratch = UnsafeMutablePointer<Double>.allocate(capacity: 4 * d)
            defer { scratch.deallocate() }
            let hi = scratch, lo = scratch + d, low2 = scratch + 2 * d, mag = scratch + 3 * d
            var part = TrackedSum()
            var entries = [TrackedSum](repeating: TrackedSum(), count: d)
            for row in range {
                scratch.initialize(repeating: 0, count: 4 * d)
                var count = 0
                // hi + lo + low2 = Σ_k w_k·v_k over the row's entries (S_u: or X_i:).
                func accumulate(_ w: Double, _ k: Int) {
                    let r = rows.value + k * d
                    for j in 0..<d { TrackedSum.accumulate(w, r[j], hi + j, lo + j, low2 + j, mag + j) }
                    count += 1
                }
                switch source {
                case let .interactions(s):
                    for p in s.rowPointers[row]..<s.rowPointers[row + 1] { accumulate(s.values[p], Int(s.columnIndices[p])) }
                case let .dense(x):
                    for k in 0..<m { accumulate(x[k, row], k) }
                case let .sparse(x):
                    for p in x.rowPointers[row]..<x.rowPointers[row + 1] { accumulate(x.values[p], Int(x.columnIndices[p])) }
                }
                for j in 0..<d {
                    entries[j] = TrackedSum(hi: hi[j], lo: lo[j], low2: low2[j], magnitude: mag[j])
                    entries[j].products = Double(count)
                }
                if case .interactions = source {
                    for j in 0..<d { part.add(entries[j].squared()) } // ‖(SV)_u‖²
                } else {
                    part.addInnerProduct(rows.value + row * d, entries)
                }
            }
            out.value[piece] = part
        }
        var total = TrackedSum()
        for piece in 0..<pieces { total.add(parts[piece]) }
        return total
    }

    // MARK: - T3 = ‖X‖²_F and X_ii

    private func frobeniusTerm() -> TrackedSum {
        if let frobenius { return frobenius }
        var t3 = TrackedSum()
        switch problem.source {
        case let .dense(x):
            for value in x.storage { t3.addProduct(value, value) }
        case let .sparse(x):
            for value in x.values { t3.addProduct(value, value) }
        case let .interactions(s):
            // Set-up summed the integer counts of a 0/1 S exactly (GramNorm's binary path): below
            // 2⁵³ every partial sum, and so the total, is an exact double.
            if s.values.allSatisfy({ $0 == 1 }), problem.frobeniusNormSquared < 0x1p53 {
                t3 = TrackedSum(hi: problem.frobeniusNormSquared, lo: 0, low2: 0, magnitude: 0)
            } else {
                t3 = gramFrobenius(s)
            }
        }
        frobenius = t3
        return t3
    }

    private func diagonalTerms() -> [TrackedSum] {
        if let diagonal { return diagonal }
        let made: [TrackedSum]
        if let st = sTransposed { // X_ii = Σ_u S_ui²
            made = (0..<st.rows).map { i in
                var sum = TrackedSum()
                for p in st.rowPointers[i]..<st.rowPointers[i + 1] { sum.addProduct(st.values[p], st.values[p]) }
                return sum
            }
        } else {
            made = problem.diagonal.map { TrackedSum(hi: $0, lo: 0, low2: 0, magnitude: 0) }
        }
        diagonal = made
        return made
    }

    /// ‖SᵀS‖²_F = ‖SSᵀ‖²_F walked on the cheaper side like `GramNorm`, each entry of the Gram
    /// matrix a pair (upper triangle, off-diagonal squares twice), in 64 fixed blocks of rows.
    private func gramFrobenius(_ s: SparseMatrix) -> TrackedSum {
        let side = GramNorm.cheaperSide(s)
        let st = sTransposed ?? s.transposed
        let (a, at) = side == .users ? (s, st) : (st, s)
        let n = a.rows
        let blocks = max(1, min(64, n))
        let parts = UnsafeMutableBufferPointer<TrackedSum>.allocate(capacity: blocks)
        defer { parts.deallocate() }
        parts.initialize(repeating: TrackedSum())
        let out = SharedPointer(parts.baseAddress!)
        Self.forEachPiece(blocks, threads: threads) { block in
            let scratch = UnsafeMutablePointer<Double>.allocate(capacity: 4 * n)
            defer { scratch.deallocate() }
            scratch.initialize(repeating: 0, count: 4 * n)
            let hi = scratch, lo = scratch + n, low2 = scratch + 2 * n, mag = scratch + 3 * n
            var count = [Int32](repeating: 0, count: n)
            var touched: [Int] = []
            var part = TrackedSum()
            for r in (block * n / blocks)..<((block + 1) * n / blocks) {
                for k in a.rowPointers[r]..<a.rowPointers[r + 1] {
                    let j = Int(a.columnIndices[k]), x = a.values[k]
                    for q in at.rowPointers[j]..<at.rowPointers[j + 1] {
                        let w = Int(at.columnIndices[q])
                        guard w >= r else { continue }
                        if count[w] == 0 { touched.append(w) }
                        count[w] += 1
                        TrackedSum.accumulate(x, at.values[q], hi + w, lo + w, low2 + w, mag + w)
                    }
                }
                for w in touched {
                    var entry = TrackedSum(hi: hi[w], lo: lo[w], low2: low2[w], magnitude: mag[w])
                    entry.products = Double(count[w])
                    let square = entry.squared()
                    part.add(w == r ? square : square.scaled(by: 2))
                    hi[w] = 0; lo[w] = 0; low2[w] = 0; mag[w] = 0; count[w] = 0
                }
                touched.removeAll(keepingCapacity: true)
            }
            out.value[block] = part
        }
        var total = TrackedSum()
        for block in 0..<blocks { total.add(parts[block]) }
        return total
    }

    /// body(piece) for pieces 0..<count, contiguous runs of pieces on up to `threads` threads.
    static func forEachPiece(_ count: Int, threads: Int, _ body: (Int) -> Void) {
        let t = max(1, min(threads, count))
        if t == 1 { for piece in 0..<count { body(piece) }; return }
        withoutActuallyEscaping(body) { body in
            let shared = SharedPointer(body)
            DispatchQueue.concurrentPerform(iterations: t) { k in
                for piece in (k * count / t)..<((k + 1) * count / t) { shared.value(piece) }
            }
        }
    }
}

/// A value carried as an unevaluated sum hi + lo + low2 (a triple word), with what bounds its
/// error: u·magnitude for the roundings left, `error` carried in from inputs, and η per product
/// for underflow.
///
/// Adding an exact pair p + q: hi + p, lo + σ and then + q by TwoSum (all three exact, errors σ,
/// τ1, τ2), t = fl(τ1 + τ2) and low2 = fl(low2 + t), each rounding at most u times its result. Only
/// the third word is ever rounded, so the error after n additions is u·Σ(|t| + |low2|) ≈
/// n·u³·|hi|: a pair (two words) would leave n·u²·|hi|, which for ‖VᵀV‖²_F ≈ 1e25 is already
/// 1e-5 absolute. Squares take h², 2h·lo exactly (TwoProduct) and round only terms of order
/// u²·h², so the four terms of the loss keep about u³ of their size.
struct TrackedSum: Sendable {
    static let u = Double.ulpOfOne / 2
    /// Bounds the error of TwoProduct when a product underflows.
    static let eta = 0x1p-1070

    var hi = 0.0, lo = 0.0, low2 = 0.0
    /// Σ of the computed results of the roundings (|t| + |low2| per addition).
    var magnitude = 0.0
    /// Absolute error carried in (inputs, squares), already in absolute units.
    var error = 0.0
    /// Products accumulated, each worth η.
    var products = 0.0

    init() {}
    init(hi: Double, lo: Double, low2: Double, magnitude: Double) {
        self.hi = hi; self.lo = lo; self.low2 = low2; self.magnitude = magnitude
    }

    /// hi + lo + low2 rounded: hi + lo = s + e exactly (TwoSum), then s + fl(e + low2). After a
    /// cancellation hi and lo may nearly cancel each other: adding lo to low2 first would lose
    /// low2's digits (u·|lo|, about u²·|hi| before the cancellation).
    var value: Double { rounded.value }

    /// The rounded value and a bound on its rounding: u·|fl(e + low2)| + u·|value|.
    var rounded: (value: Double, rounding: Double) {
        let s = hi + lo, z = s - hi
        let e = (hi - (s - z)) + (lo - z)
        let tail = e + low2
        let v = s + tail
        return (v, Self.u * (abs(tail) + abs(v)))
    }
    /// |hi + lo + low2 − true value| ≤ bound.
    var bound: Double { error + Self.u * magnitude + Self.eta * products }

    /// The triple at (hi, lo, low2) += a·b, the roundings' magnitudes into mag: the loops over D
    /// entries call this on independent lanes.
    @inline(__always)
    static func accumulate(_ a: Double, _ b: Double, _ hi: UnsafeMutablePointer<Double>, _ lo: UnsafeMutablePointer<Double>,
                           _ low2: UnsafeMutablePointer<Double>, _ mag: UnsafeMutablePointer<Double>) {
        let p = a * b, q = fma(a, b, -p)
        let h = hi.pointee, l = lo.pointee
        let s = h + p, z = s - h
        let sigma = (h - (s - z)) + (p - z)
        let l1 = l + sigma, z1 = l1 - l
        let tau1 = (l - (l1 - z1)) + (sigma - z1)
        let l2 = l1 + q, z2 = l2 - l1
        let tau2 = (l1 - (l2 - z2)) + (q - z2)
        let t = tau1 + tau2
        let w = low2.pointee + t
        hi.pointee = s
        lo.pointee = l2
        low2.pointee = w
        mag.pointee += abs(t) + abs(w)
    }

    /// += p + q for an exact pair (p, q).
    @inline(__always) mutating func add(_ p: Double, _ q: Double) {
        let s = hi + p, z = s - hi
        let sigma = (hi - (s - z)) + (p - z)
        let l1 = lo + sigma, z1 = l1 - lo
        let tau1 = (lo - (l1 - z1)) + (sigma - z1)
        let l2 = l1 + q, z2 = l2 - l1
        let tau2 = (l1 - (l2 - z2)) + (q - z2)
        let t = tau1 + tau2
        low2 += t
        hi = s
        lo = l2
        magnitude += abs(t) + abs(low2)
    }

    @inline(__always) mutating func addProduct(_ a: Double, _ b: Double) {
        let p = a * b
        add(p, fma(a, b, -p))
        products += 1
    }

    /// Adds another value with its error terms.
    mutating func add(_ other: TrackedSum) {
        add(other.hi, other.lo)
        add(other.low2, 0)
        magnitude += other.magnitude
        error += other.error
        products += other.products
    }

    /// The value times a power of two (exact) or −1.
    func scaled(by factor: Double) -> TrackedSum {
        var out = TrackedSum(hi: hi * factor, lo: lo * factor, low2: low2 * factor, magnitude: magnitude * abs(factor))
        out.error = error * abs(factor)
        out.products = products * abs(factor)
        return out
    }

    /// x̂², x̂ = h + l + m: h² and 2h·l exactly (TwoProduct), 2h·m and (l + m)² rounded (terms of
    /// order u²·h², their roundings u³·h²); the result's `error` bounds its distance to x² for
    /// every x within `bound` of x̂.
    func squared() -> TrackedSum {
        let e = bound
        let h = hi, l = lo, m = low2
        let p1 = h * h, q1 = fma(h, h, -p1)
        let twoH = 2 * h
        let p2 = twoH * l, q2 = fma(twoH, l, -p2)
        let r3 = twoH * m
        let lm = l + m, r4 = lm * lm
        var out = TrackedSum()
        out.add(p1, q1)
        out.add(p2, q2)
        out.add(r3, 0)
        out.add(r4, 0)
        let size = abs(h) + abs(l) + abs(m)
        let inherited: Double = e * (2 * size + e)
        // fl(2hm), fl((l+m)²) and the rounding δ ≤ u|l+m| of l + m (which moves the square by (2|l+m| + δ)δ).
        let rounding: Double = Self.u * (abs(r3) + 4 * abs(r4)) + 4 * Self.eta
        out.error = inherited + rounding
        return out
    }

    /// This value minus another, with both errors.
    func minus(_ other: TrackedSum) -> TrackedSum {
        var out = self
        out.add(other.scaled(by: -1))
        return out
    }

    /// Adds x² for the value x (with its error).
    mutating func addSquare(_ x: TrackedSum) { add(x.squared()) }

    /// Adds Σ_j a_j·y_j for doubles a_j and values y_j: a_j·hi_j and a_j·lo_j exactly, a_j·low2_j
    /// rounded; y_j's error enters as |a_j|·bound_j.
    mutating func addInnerProduct(_ a: UnsafePointer<Double>, _ y: [TrackedSum]) {
        for j in 0..<y.count {
            let x = a[j]
            let p1 = x * y[j].hi, q1 = fma(x, y[j].hi, -p1)
            let p2 = x * y[j].lo, q2 = fma(x, y[j].lo, -p2)
            let r = x * y[j].low2
            add(p1, q1)
            add(p2, q2)
            add(r, 0)
            error += abs(x) * y[j].bound + Self.u * abs(r) + 3 * Self.eta
        }
    }
}
