import Testing
@testable import Reporting

@Suite struct ConvergenceTests {
    @Test func relativeGapDefinition() {
        #expect(abs(Convergence.relativeGap(loss: 1.1, best: 1.0) - 0.1) < 1e-15)
        #expect(Convergence.relativeGap(loss: 2.0, best: 2.0) == 0)
        #expect(Convergence.relativeGap(loss: 0, best: 0) == 0)
        #expect(Convergence.relativeGap(loss: 1, best: 0) == .infinity)
        #expect(Convergence.relativeGap(loss: .nan, best: 1).isNaN)
        // Dividing by |best| keeps "worse" positive for negative losses.
        #expect(Convergence.relativeGap(loss: -1.0, best: -2.0) == 0.5)
    }

    @Test func timeToToleranceOnHandMadeSeries() {
        let steady = ConvergenceSeries(solver: "steady", points: [
            (iteration: 0, seconds: 0.0, loss: 2.0),
            (iteration: 1, seconds: 0.5, loss: 1.0005),     // gap 5e-4: reaches 1e-3
            (iteration: 2, seconds: 1.0, loss: 1.00005),    // gap 5e-5
            (iteration: 3, seconds: 1.5, loss: 1.0000005),  // gap 5e-7: reaches 1e-6
            (iteration: 4, seconds: 2.0, loss: 1.0),
        ])
        let never = ConvergenceSeries(solver: "never", points: [
            (iteration: 0, seconds: 0.0, loss: 3.0),
            (iteration: 10, seconds: 4.0, loss: 1.01),
        ])
        let dipThenRise = ConvergenceSeries(solver: "sgd", points: [
            (iteration: 0, seconds: 0.0, loss: 1.5),
            (iteration: 1, seconds: 0.25, loss: .nan),        // skipped, never counts
            (iteration: 2, seconds: 0.5, loss: 1.0000001),    // gap 1e-7: both reached here
            (iteration: 3, seconds: 0.75, loss: 1.2),         // drifts away again
        ])
        let analysis = Convergence.analyze([steady, never, dipThenRise])
        #expect(analysis.best == 1.0)
        #expect(analysis.series.map(\.solver) == ["steady", "never", "sgd"])

        #expect(analysis.series[0].crossing(1e-3) == ToleranceCrossing(iteration: 1, seconds: 0.5))
        #expect(analysis.series[0].crossing(1e-6) == ToleranceCrossing(iteration: 3, seconds: 1.5))
        #expect(analysis.series[1].crossing(1e-3) == nil)
        #expect(analysis.series[1].crossing(1e-6) == nil)
        #expect(analysis.series[2].crossing(1e-3) == ToleranceCrossing(iteration: 2, seconds: 0.5))
        #expect(analysis.series[2].crossing(1e-6) == ToleranceCrossing(iteration: 2, seconds: 0.5))
        // The default tolerances, coarsest first; only the exact hit reaches 1e-10.
        #expect(analysis.series[0].tolerances == [1e-3, 1e-6, 1e-10])
        #expect(analysis.series[0].crossing(1e-10) == ToleranceCrossing(iteration: 4, seconds: 2.0))
        #expect(analysis.series[2].crossing(1e-10) == nil)
        let asked = Convergence.analyze([steady], tolerances: [1e-6, 1e-2])
        #expect(asked.series[0].tolerances == [1e-2, 1e-6])
        #expect(asked.series[0].crossing(1e-3) == nil, "not asked for")
    }

    @Test func explicitBestAndNonFiniteSeries() {
        let s = ConvergenceSeries(solver: "x", points: [
            (iteration: 0, seconds: 0, loss: .infinity),
            (iteration: 1, seconds: 1, loss: 1.002),
            (iteration: 2, seconds: 2, loss: 1.0009),
        ])
        // With the table's best (1.0) the 1e-3 crossing is at iteration 2, not at the series' own minimum.
        let a = Convergence.analyze([s], best: 1.0)
        #expect(a.series[0].crossing(1e-3) == ToleranceCrossing(iteration: 2, seconds: 2))
        #expect(a.series[0].crossing(1e-6) == nil)
        #expect(Convergence.bestLoss(of: [s]) == 1.0009)
        let empty = Convergence.analyze([ConvergenceSeries(solver: "e", points: [])])
        #expect(empty.best == nil)
        #expect(empty.series[0].crossing(1e-3) == nil)
    }
}
