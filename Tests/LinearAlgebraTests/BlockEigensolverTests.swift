import Testing
import LinearAlgebra
import TestSupport

@Suite struct BlockEigensolverTests {
    /// Eigenpairs of a matrix with a chosen spectrum (a cluster, a gap, negative values below the
    /// wanted ones) against LAPACK: values, and the vectors column for column (same sign rule).
    @Test func matchesLAPACKOnSmallProblems() throws {
        var rng = SplitMix64(seed: 91)
        let n = 150, k = 6
        var spectrum = (0..<n).map { 1 - 2 * Double($0) / Double(n) }  // 1 … −1
        spectrum[0] = 9; spectrum[1] = 7; spectrum[2] = 6.9; spectrum[3] = 4; spectrum[4] = 3; spectrum[5] = 2.5
        let a = try RandomProblems.matrixWithSpectrum(spectrum, using: &rng)
        let op = try DenseSymmetricOperator(a)
        let block = try BlockEigensolver.largest(k, of: op, options: .init(tolerance: 1e-12, seed: 3))
        let lapack = try SymmetricEigen.largest(k, of: op, options: .init(backend: .dense))
        #expect(block.info.method == .blockRayleighRitz)
        #expect(block.vectors.rows == n && block.vectors.columns == k)
        for j in 0..<k {
            #expect(abs(block.values[j] - lapack.values[j]) <= 1e-10 * 9)
            for i in 0..<n { #expect(abs(block.vectors[i, j] - lapack.vectors[i, j]) <= 1e-8) }
        }
        let g = BLAS.gram(block.vectors)
        for j in 0..<k { for i in 0..<k { #expect(abs(g[i, j] - (i == j ? 1 : 0)) <= 1e-12) } }
    }

    /// SᵀS of a 1500 × 1000 sparse S: every returned pair meets the stopping rule when re-measured
    /// independently, and the values agree with ARPACK.
    @Test func residualsOnALargerImplicitProblem() throws {
        var rng = SplitMix64(seed: 5)
        let s = try RandomProblems.binarySparse(rows: 1500, columns: 1000, density: 0.02, emptyRows: 3, emptyColumns: 2, using: &rng)
        let op = GramOperator(s)
        let k = 12, tol = 1e-9
        let block = try BlockEigensolver.largest(k, of: op, options: .init(tolerance: tol, seed: 8))
        let av = op.applied(to: block.vectors)
        let lambdaMax = block.values[0]
        for j in 0..<k {
            var r = 0.0
            for i in 0..<1000 { let d = av[i, j] - block.values[j] * block.vectors[i, j]; r += d * d }
            #expect(r.squareRoot() <= 1.01 * tol * lambdaMax)
        }
        let arpack = try SymmetricEigen.largest(k, of: op, options: .init(backend: .arpack))
        for j in 0..<k { #expect(abs(block.values[j] - arpack.values[j]) <= 1e-7 * lambdaMax) }
    }

    @Test func warmStartFromTheAnswerConvergesAtOnce() throws {
        var rng = SplitMix64(seed: 17)
        let a = try RandomProblems.matrixWithSpectrum((0..<80).map { 10 / (1 + Double($0)) }, using: &rng)
        let op = try DenseSymmetricOperator(a)
        let exact = try SymmetricEigen.largest(4, of: op, options: .init(backend: .dense))
        let warm = try BlockEigensolver.largest(4, of: op, options: .init(tolerance: 1e-8, start: exact.vectors))
        let cold = try BlockEigensolver.largest(4, of: op, options: .init(tolerance: 1e-8))
        #expect(warm.info.iterations < cold.info.iterations)
    }

    /// A block nearly as wide as the operator (b = 12 of n = 30) leaves W almost rank-deficient
    /// once X is projected out; CholeskyQR then amplified the rounding along X, the basis lost
    /// orthogonality, Ritz values overshot λ_max and 500 iterations never converged (this is the
    /// eigen start of `solve` on a 50 × 30 interaction matrix).
    @Test func aBlockNearlyAsWideAsTheOperatorConverges() throws {
        let s = RandomProblems.interactions(users: 50, items: 30, density: 0.3, seed: 7)
        let op = GramOperator(s)
        let dense = op.applied(to: Matrix.identity(30))
        let exact = try LAPACK.symmetricEigenvalues(dense)
        for seed: UInt64 in [0, 1, 2] {
            let eig = try BlockEigensolver.largest(4, of: op, options: BlockEigenOptions(seed: seed))
            #expect(eig.info.iterations < 100, "seed \(seed): \(eig.info.iterations) iterations")
            for j in 0..<4 { #expect(abs(eig.values[j] - exact[j]) <= 1e-9 * exact[0], "seed \(seed), pair \(j)") }
        }
    }

    @Test func refusesWhatItCannotDo() {
        #expect(throws: LinearAlgebraError.self) { try BlockEigensolver.largest(30, of: DiagonalOperator((0..<40).map(Double.init))) }
        #expect(throws: LinearAlgebraError.self) {
            try BlockEigensolver.largest(2, of: DiagonalOperator((0..<40).map(Double.init)), options: .init(tolerance: 0))
        }
        // One iteration is not enough for 1e-14 on a spectrum without gaps.
        #expect(throws: LinearAlgebraError.self) {
            try BlockEigensolver.largest(3, of: DiagonalOperator((0..<400).map { 1 + 1e-3 * Double($0) }),
                                         options: .init(tolerance: 1e-14, maxIterations: 1))
        }
    }

    @Test func memoryBudgetParsesAndRefuses() throws {
        #expect(MemoryBudget.parse("12G") == 12 << 30)
        #expect(MemoryBudget.parse("512M") == 512 << 20)
        #expect(MemoryBudget.parse("1000") == 1000)
        #expect(MemoryBudget.parse("lots") == nil)
        #expect(throws: MemoryBudgetError.self) { try MemoryBudget(bytes: 100).require(101, for: "x", remedy: "y") }
        try MemoryBudget(bytes: 100).require(100, for: "x", remedy: "y")
    }
}
