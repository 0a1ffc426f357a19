import LinearAlgebra
import Testing
import TestSupport

/// `SymmetricEigen.largest` on both backends: residuals, orthonormality, cross-backend agreement,
/// validation, typed failures and reproducibility. Serialized because ARPACK is process-global.
@Suite(.serialized) struct SymmetricEigenTests {
    /// Solves the top-`k` problem of `op` with LAPACK (forced dense) and ARPACK and checks each
    /// against `reference` (the operator's dense matrix) and against each other.
    func checkBothBackends(_ op: some SymmetricOperator, k: Int, reference: Matrix) throws {
        let dense = try SymmetricEigen.largest(k, of: op, options: .init(backend: .dense))
        let arpack = try SymmetricEigen.largest(k, of: op, options: .init(backend: .arpack))
        #expect(dense.info.method == .lapackDense)
        #expect(arpack.info.method == .arpack)
        for result in [dense, arpack] {
            #expect(result.values.count == k)
            #expect(result.vectors.rows == op.dimension && result.vectors.columns == k)
            #expect(isDescending(result.values))
            #expect(result.info.requested == k && result.info.converged >= k)
            #expect(try relativeResidual(reference, result.values, result.vectors) <= 1e-10)
            #expect(orthonormalityError(result.vectors) <= 1e-10)
        }
        let spectrum = try LAPACK.symmetricEigenvalues(reference)
        let norm = spectrum.lazy.map(abs).max() ?? 1
        for j in 0..<k {
            #expect(abs(dense.values[j] - spectrum[j]) <= 1e-10 * norm)
            #expect(abs(arpack.values[j] - dense.values[j]) <= 1e-10 * max(abs(dense.values[j]), 1e-300))
        }
        // The top-k subspace is well defined when λ_k and λ_{k+1} are separated.
        if k < spectrum.count, spectrum[k - 1] - spectrum[k] > 1e-3 * norm {
            let pd = projector(dense.vectors), pa = projector(arpack.vectors)
            #expect(maxAbs(Matrix(rows: pd.rows, columns: pd.columns) { pd[$0, $1] - pa[$0, $1] }) <= 1e-8)
        }
    }

    @Test func denseOperatorUsesLapackAutomatically() throws {
        var rng = SplitMix64(seed: 31)
        let a = RandomProblems.symmetricMatrix(150, using: &rng)
        let result = try SymmetricEigen.largest(8, of: try DenseSymmetricOperator(a))
        #expect(result.info.method == .lapackDense)
        #expect(result.info.operatorApplications == 0)
        #expect(try relativeResidual(a, result.values, result.vectors) <= 1e-10)
        #expect(orthonormalityError(result.vectors) <= 1e-10)
    }

    @Test func randomDenseSymmetric() throws {
        var rng = SplitMix64(seed: 32)
        let a = RandomProblems.symmetricMatrix(150, using: &rng)
        try checkBothBackends(try DenseSymmetricOperator(a), k: 8, reference: a)
    }

    @Test func randomSparseSymmetric() throws {
        var rng = SplitMix64(seed: 33)
        let s = try RandomProblems.symmetricSparse(200, density: 0.05, using: &rng)
        let op = try SparseSymmetricOperator(s)
        let automatic = try SymmetricEigen.largest(6, of: op)
        #expect(automatic.info.method == .arpack)
        try checkBothBackends(op, k: 6, reference: s.dense)
    }

    @Test func gramOperatorWithEmptyRowsAndColumns() throws {
        var rng = SplitMix64(seed: 34)
        let s = try RandomProblems.binarySparse(rows: 150, columns: 120, density: 0.06, emptyRows: 10, emptyColumns: 7, using: &rng)
        let d = s.dense
        try checkBothBackends(GramOperator(s), k: 6, reference: naiveProduct(d.transposed, d))
    }

    @Test func diagonallyShiftedGramOperator() throws {
        var rng = SplitMix64(seed: 35)
        let s = try RandomProblems.binarySparse(rows: 120, columns: 100, density: 0.08, emptyColumns: 5, using: &rng)
        let shift = (0..<100).map { _ in 2 * rng.nextSigned() }
        let d = s.dense
        var reference = naiveProduct(d.transposed, d)
        for i in 0..<100 { reference[i, i] += shift[i] }
        try checkBothBackends(DiagonallyShiftedOperator(GramOperator(s), adding: shift), k: 5, reference: reference)
    }

    @Test func backendsAgreeOnWellSeparatedSpectrum() throws {
        var rng = SplitMix64(seed: 36)
        let top: [Double] = [20, 18, 16, 14, 12]
        let rest = (0..<115).map { _ in 5 * rng.nextSigned() }
        let a = try RandomProblems.matrixWithSpectrum(top + rest, using: &rng)
        let op = try DenseSymmetricOperator(a)
        try checkBothBackends(op, k: 5, reference: a)
        // Sign normalisation makes the vectors themselves comparable across backends.
        let dense = try SymmetricEigen.largest(5, of: op)
        let arpack = try SymmetricEigen.largest(5, of: op, options: .init(backend: .arpack))
        for j in 0..<5 {
            #expect(abs(dense.values[j] - top[j]) <= 1e-10 * 20)
            #expect(abs(arpack.values[j] - dense.values[j]) <= 1e-10 * dense.values[j])
            #expect(zip(dense.vectors.column(j), arpack.vectors.column(j)).allSatisfy { abs($0 - $1) <= 1e-8 })
        }
    }

    @Test func arpackFallsBackToDenseWhenKIsCloseToN() throws {
        let op = DiagonalOperator([3, 1, 4, 1.5, 9])
        for k in [4, 5] {
            let result = try SymmetricEigen.largest(k, of: op, options: .init(backend: .arpack))
            #expect(result.info.method == .lapackDense)
            #expect(result.info.operatorApplications == 5)
            #expect(result.values == Array([9, 4, 3, 1.5, 1].prefix(k)))
        }
        let single = try SymmetricEigen.largest(1, of: DiagonalOperator([2]))
        #expect(single.values == [2] && single.vectors.storage == [1])
    }

    @Test func denseBackendMaterialisesImplicitOperators() throws {
        let op = DiagonalOperator((1...30).map(Double.init))
        let result = try SymmetricEigen.largest(3, of: op, options: .init(backend: .dense))
        #expect(result.info.method == .lapackDense)
        #expect(result.info.operatorApplications == 30)
        #expect(result.values == [30, 29, 28])
    }

    // MARK: - Errors

    @Test func invalidRequestsAreRejected() throws {
        let op = DiagonalOperator((1...50).map(Double.init))
        for k in [0, -1, 51] {
            for backend in [EigenBackend.automatic, .dense, .arpack] {
                let error = #expect(throws: LinearAlgebraError.self) {
                    try SymmetricEigen.largest(k, of: op, options: .init(backend: backend))
                }
                if case .invalidArgument? = error {} else { Issue.record("k = \(k): \(String(describing: error))") }
            }
        }
        var nanStart = [Double](repeating: 1, count: 50)
        nanStart[7] = .nan
        let nanError = #expect(throws: LinearAlgebraError.self) {
            try SymmetricEigen.largest(3, of: op, options: .init(backend: .arpack, startVector: nanStart))
        }
        if case .nonFinite? = nanError {} else { Issue.record("NaN start: \(String(describing: nanError))") }
        var infStart = [Double](repeating: 1, count: 50)
        infStart[0] = -.infinity
        #expect(throws: LinearAlgebraError.self) {
            try SymmetricEigen.largest(3, of: op, options: .init(startVector: infStart))
        }
        #expect(throws: LinearAlgebraError.self) {
            try SymmetricEigen.largest(3, of: op, options: .init(startVector: [Double](repeating: 0, count: 50)))
        }
        #expect(throws: LinearAlgebraError.self) {
            try SymmetricEigen.largest(3, of: op, options: .init(startVector: [1, 2, 3]))
        }
        for tolerance in [0, -1e-12, .nan] {
            #expect(throws: LinearAlgebraError.self) {
                try SymmetricEigen.largest(3, of: op, options: .init(tolerance: tolerance))
            }
        }
        for ncv in [3, 51] {
            #expect(throws: LinearAlgebraError.self) {
                try SymmetricEigen.largest(3, of: op, options: .init(ncv: ncv))
            }
        }
        #expect(throws: LinearAlgebraError.self) {
            try SymmetricEigen.largest(3, of: op, options: .init(maxIterations: 0))
        }
    }

    @Test func arpackIterationLimitThrowsNotConverged() throws {
        // Eigenvalues 1…1000 spaced by 1: a small Krylov space cannot reach 1e-12 in one restart.
        let op = DiagonalOperator((1...1000).map(Double.init))
        let error = #expect(throws: LinearAlgebraError.self) {
            try SymmetricEigen.largest(4, of: op, options: .init(backend: .arpack, maxIterations: 1, ncv: 9))
        }
        guard case let .notConverged(requested, converged, iterations)? = error else {
            Issue.record("expected notConverged, got \(String(describing: error))")
            return
        }
        #expect(requested == 4)
        #expect(converged < 4)
        #expect(iterations >= 1)
        // The same problem converges with the default limits, and the lock was released.
        let result = try SymmetricEigen.largest(4, of: op, options: .init(backend: .arpack, ncv: 9))
        #expect(result.values == result.values.sorted(by: >))
        for (got, want) in zip(result.values, [1000.0, 999, 998, 997]) { #expect(abs(got - want) <= 1e-9) }
    }

    // MARK: - Reproducibility

    @Test func sameSeedGivesBitIdenticalResults() throws {
        var rng = SplitMix64(seed: 37)
        let s = try RandomProblems.symmetricSparse(300, density: 0.03, using: &rng)
        let op = try SparseSymmetricOperator(s)
        let options = EigenOptions(backend: .arpack, seed: 42)
        let first = try SymmetricEigen.largest(5, of: op, options: options)
        let second = try SymmetricEigen.largest(5, of: op, options: options)
        #expect(first.values == second.values)
        #expect(first.vectors.storage == second.vectors.storage)
        #expect(first.info == second.info)
    }

    @Test func warmStartIsUsedAndConvergesFaster() throws {
        var rng = SplitMix64(seed: 38)
        let s = try RandomProblems.binarySparse(rows: 300, columns: 250, density: 0.04, using: &rng)
        let op = GramOperator(s)
        // A small basis forces restarts, so a good start vector visibly saves work.
        let cold = try SymmetricEigen.largest(2, of: op, options: .init(backend: .arpack, ncv: 5))
        let hint = zip(cold.vectors.column(0), cold.vectors.column(1)).map { $0 + $1 + 1e-4 * rng.nextSigned() }
        let warm = try SymmetricEigen.largest(2, of: op, options: .init(backend: .arpack, ncv: 5, startVector: hint))
        for j in 0..<2 { #expect(abs(warm.values[j] - cold.values[j]) <= 1e-10 * cold.values[0]) }
        #expect(warm.info.iterations < cold.info.iterations)
        #expect(warm.info.operatorApplications < cold.info.operatorApplications)
    }
}
