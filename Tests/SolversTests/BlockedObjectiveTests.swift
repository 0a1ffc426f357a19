import Testing
import LinearAlgebra
import TestSupport
@testable import Solvers

/// The item-block decomposition of loss + gradient (`BlockedObjective`), its kernels, the block
/// balancing and the thread communicator, against brute-force dense X, plain CSR loops and
/// sequential sums.
@Suite struct BlockedObjectiveTests {
    /// Loss and gradient of the blocked scheme with 1, 2 and 3 (uneven) blocks against the dense-X
    /// path, for widths with 8-column passes and remainders, on S with weights and empty rows/columns.
    @Test(arguments: [(1, 1), (2, 1), (3, 13), (2, 8), (3, 37), (1, 37)])
    func blockedLossAndGradientMatchDenseX(blocks: Int, dimension: Int) throws {
        let s = PerfKernelTests.weightedSparse(users: 120, items: 230, density: 0.12, seed: 41)
        let x = BLAS.multiply(s.dense, .transpose, s.dense, .none)
        let problem = try Problem(interactions: s)
        let dense = try MaskedLoss(problem: try Problem(dense: x), dimension: dimension)
        let v = RandomProblems.gaussian(rows: 230, columns: dimension, scale: 0.4, seed: 5)
        let expected = dense.evaluate(v)
        let objective = BlockedObjective(st: s.transposed, dimension: dimension, blockCount: blocks)
        #expect(objective.blocks.count == blocks)
        var gradient = Matrix(rows: 230, columns: dimension) { _, _ in .nan }
        var gram = Matrix(rows: dimension, columns: dimension) { _, _ in .nan }
        var norms = [Double](repeating: .nan, count: 230)
        let parts = objective.evaluate(v, diagonal: problem.diagonal, gradient: &gradient, gram: &gram, rowNorms: &norms)
        let g = BLAS.gram(v)
        #expect(maxAbs(difference(gram, g)) <= 1e-13 * maxAbs(g))
        #expect(relativeError(parts.gramNorm, g.frobeniusNormSquared) <= 1e-13)
        #expect(relativeError(parts.quadratic, s.multiply(v).frobeniusNormSquared) <= 1e-13)
        #expect(norms == v.rowNormsSquared.enumerated().map { i, _ in norms[i] }) // no NaN left
        for i in 0..<230 { #expect(relativeError(norms[i], v.rowNormsSquared[i]) <= 1e-14) }
        #expect(maxAbs(difference(gradient, expected.gradient)) <= 1e-11 * maxAbs(expected.gradient))
        // Through MaskedLoss (the assembly of the loss is MaskedLoss's).
        let loss = try MaskedLoss(problem: problem, dimension: dimension)
        loss.evaluationScheme = .blocks
        let viaLoss = loss.evaluate(v)
        #expect(relativeError(viaLoss.loss, MaskedLoss.bruteForce(x: x, v: v)) <= 1e-12)
        #expect(maxAbs(difference(viaLoss.gradient, expected.gradient)) <= 1e-11 * maxAbs(expected.gradient))
    }

    /// Both schemes of MaskedLoss agree on a problem large enough for the blocked path to run.
    @Test func blockedAndSharedSchemesAgree() throws {
        let s = RandomProblems.interactions(users: 300, items: 420, density: 0.12, seed: 17)
        let problem = try Problem(interactions: s)
        let v = RandomProblems.gaussian(rows: 420, columns: 29, scale: 0.5, seed: 3)
        let blocked = try MaskedLoss(problem: problem, dimension: 29), shared = try MaskedLoss(problem: problem, dimension: 29)
        blocked.evaluationScheme = .blocks
        shared.evaluationScheme = .shared
        let a = blocked.evaluate(v), b = shared.evaluate(v)
        // Loss alone and loss + gradient print the same number (the same sums).
        #expect(blocked.loss(v) == a.loss)
        #expect(shared.loss(v) == b.loss)
        #expect(relativeError(a.loss, b.loss) <= 1e-12)
        #expect(maxAbs(difference(a.gradient, b.gradient)) <= 1e-12 * maxAbs(b.gradient))
        #expect(maxAbs(difference(blocked.gramOfLastEvaluation, shared.gramOfLastEvaluation)) <= 1e-13 * maxAbs(shared.gramOfLastEvaluation))
    }

    /// The range kernels over one block covering every item are the plain CSR loops, bit for bit.
    @Test(arguments: [1, 8, 11, 24, 64])
    func rangeKernelsEqualPlainCSRLoopsBitwise(columns: Int) throws {
        let s = PerfKernelTests.weightedSparse(users: 90, items: 160, density: 0.15, seed: UInt64(columns))
        let st = s.transposed, csr = ItemCSR(st, renumberUsersByActivity: false)
        let v = RandomProblems.gaussian(rows: 160, columns: columns, seed: 4)
        var sv = [Double](repeating: 0, count: 90 * columns)
        var norms = [Double](repeating: .nan, count: 160)
        v.storage.withUnsafeBufferPointer { vp in
            BlockKernels.scatterProduct(st: csr, items: 0..<160, v: vp.baseAddress!, ld: 160, dimension: columns,
                                        sv: &sv, rowNorms: &norms)
        }
        #expect(BlockKernels.columnMajor(sv, users: 90, dimension: columns) == s.multiply(v).storage)
        for i in 0..<160 {
            var n = 0.0
            var d0 = 0
            while d0 < columns { // the kernel's grouping: eight columns summed left to right, then added
                let w = min(8, columns - d0)
                if w == 8 {
                    var partial = n
                    for d in d0..<(d0 + 8) { partial = partial + v[i, d] * v[i, d] }
                    n = partial
                } else { for d in d0..<(d0 + w) { n += v[i, d] * v[i, d] } }
                d0 += w
            }
            #expect(norms[i] == n)
        }
        // Sᵀ·(SV) + excess term over the same range, against the plain loops on the same SV.
        let diagonal = (0..<160).map { Double($0 % 5) }
        var gradient = [Double](repeating: .nan, count: 160 * columns)
        v.storage.withUnsafeBufferPointer { vp in
            BlockKernels.gatherAssemble(st: csr, items: 0..<160, sv: sv, v: vp.baseAddress!, ld: 160, dimension: columns,
                                        rowNorms: norms, diagonal: diagonal, gradient: &gradient)
        }
        for d in 0..<columns {
            for i in 0..<160 {
                var a = 0.0
                for k in st.rowPointers[i]..<st.rowPointers[i + 1] { a += st.values[k] * sv[BlockKernels.offset(user: Int(st.columnIndices[k]), column: d, users: 90, dimension: columns)] }
                #expect(gradient[i + d * 160] == -4 * (a + (norms[i] - diagonal[i]) * v[i, d]))
            }
        }
    }

    /// Renumbering users by activity (the cache-friendly order of SV's rows) gives bitwise the same
    /// loss pieces, gradient and row norms as the original numbering, with 1, 2 and 3 blocks.
    @Test(arguments: [1, 2, 3])
    func userRenumberingIsBitwiseInvisible(blocks: Int) throws {
        let s = PerfKernelTests.weightedSparse(users: 150, items: 260, density: 0.1, seed: 77)
        let problem = try Problem(interactions: s)
        let v = RandomProblems.gaussian(rows: 260, columns: 19, scale: 0.3, seed: 6)
        func run(_ renumber: Bool) -> (Matrix, Matrix, [Double], Double, Double) {
            let objective = BlockedObjective(st: s.transposed, dimension: 19, blockCount: blocks, renumberUsers: renumber)
            var gradient = Matrix(rows: 260, columns: 19), gram = Matrix(rows: 19, columns: 19)
            var norms = [Double](repeating: 0, count: 260)
            let parts = objective.evaluate(v, diagonal: problem.diagonal, gradient: &gradient, gram: &gram, rowNorms: &norms)
            return (gradient, gram, norms, parts.gramNorm, parts.quadratic)
        }
        let plain = run(false), renumbered = run(true)
        #expect(plain.0 == renumbered.0)
        #expect(plain.1 == renumbered.1)
        #expect(plain.2 == renumbered.2)
        #expect(plain.3 == renumbered.3)
        // ‖SV‖²_F sums SV's entries in the users' new order: equal to rounding only.
        #expect(relativeError(plain.4, renumbered.4) <= 1e-14)
        let csr = ItemCSR(s.transposed, renumberUsersByActivity: true)
        var likes = [Int](repeating: 0, count: 150)
        for c in csr.columnIndices { likes[Int(c)] += 1 }
        #expect(zip(likes, likes.dropFirst()).allSatisfy { $0 >= $1 }) // most active users first
        #expect(csr.columnIndices != s.transposed.columnIndices)
    }

    /// Blocks cover the items in order and balance nonzeros + row weight to within one item's cost.
    @Test func blocksAreBalancedByNonzeros() {
        // Item i has (i % 50)² nonzeros: very uneven popularity.
        var pointers = [0]
        for i in 0..<1000 { pointers.append(pointers.last! + (i % 50) * (i % 50)) }
        for count in [1, 2, 3, 7] {
            let blocks = ItemBlocks.balanced(rowPointers: pointers, count: count, rowWeight: 4)
            #expect(blocks.count == count)
            #expect(blocks.bounds.first == 0 && blocks.bounds.last == 1000)
            #expect(zip(blocks.bounds, blocks.bounds.dropFirst()).allSatisfy { $0 <= $1 })
            let cost = (0..<count).map { b in pointers[blocks.bounds[b + 1]] - pointers[blocks.bounds[b]] + 4 * blocks.range(b).count }
            let total = pointers[1000] + 4 * 1000, largestItem = 49 * 49 + 4
            for c in cost { #expect(abs(c - total / count) <= largestItem, "\(cost)") }
        }
        // Equal counts would not be balanced here: the first half of the items is not half the work.
        let uneven = [0] + (1...100).map { $0 * $0 }
        let two = ItemBlocks.balanced(rowPointers: uneven, count: 2, rowWeight: 0)
        #expect(two.bounds[1] == 71) // 70² = 4900 < 5000 ≤ 71²
    }

    /// allreduce sums in rank order on every rank (bitwise the sequential sum), broadcast copies the
    /// root's buffer, and the team can be reused.
    @Test(arguments: [1, 2, 3])
    func threadTeamCollectives(size: Int) throws {
        let team = ThreadTeam(size: size)
        let length = 1001
        func value(_ rank: Int, _ k: Int) -> Double { Double(k + 1) * 0.1 / Double(rank + 3) + (rank == 1 ? 1e16 : 0) }
        let results = Slots<[Double]>(size, []), broadcasts = Slots<[Double]>(size, [])
        for _ in 0..<3 {
            try team.run { comm in
                var buffer = (0..<length).map { value(comm.rank, $0) }
                try buffer.withUnsafeMutableBufferPointer { try comm.allreduceSum($0) }
                var b = [Double](repeating: Double(comm.rank), count: 5)
                try b.withUnsafeMutableBufferPointer { try comm.broadcast($0, root: comm.size - 1) }
                results.pointer[comm.rank] = buffer
                broadcasts.pointer[comm.rank] = b
            }
        }
        let expected = (0..<length).map { k in (1..<size).reduce(value(0, k)) { $0 + value($1, k) } }
        for r in 0..<size {
            #expect(results.pointer[r] == expected)
            #expect(broadcasts.pointer[r] == [Double](repeating: Double(size - 1), count: 5))
        }
    }

    struct Planned: Error {}

    /// A rank that fails makes the others' collectives throw instead of waiting; run rethrows the
    /// original error, and the team works again afterwards.
    @Test func aFailingRankStopsTheOthers() throws {
        let team = ThreadTeam(size: 3)
        #expect(throws: Planned.self) {
            try team.run { comm in
                if comm.rank == 2 { throw Planned() }
                try comm.barrier()
                try comm.barrier()
            }
        }
        let sums = Slots<Double>(3, 0)
        try team.run { comm in sums.pointer[comm.rank] = try comm.allreduceSum(Double(comm.rank + 1)) }
        #expect((0..<3).map { sums.pointer[$0] } == [6, 6, 6])
    }
}

/// One slot per rank, written by that rank's thread only.
final class Slots<T>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>
    let count: Int
    init(_ count: Int, _ initial: T) {
        self.count = count
        pointer = .allocate(capacity: count)
        pointer.initialize(repeating: initial, count: count)
    }
    deinit {
        pointer.deinitialize(count: count)
        pointer.deallocate()
    }
}
