import Testing
import Foundation
import LinearAlgebra
import Solvers
import Workflows

@Suite struct TraceExportTests {
    /// One header line and one line per trace entry (iteration 0 included), extras as columns.
    @Test func traceCSVHasAHeaderAndOneLinePerEntry() throws {
        let x = Matrix([[4, 1, 0.5], [1, 3, 0.2], [0.5, 0.2, 2]])
        var settings = SolverSettings(dimension: 1)
        settings.maxIterations = 3
        settings.relativeTolerance = 0
        let r = try RegisteredMethod(GradientDescent.self).run(problem: try Problem(dense: x), settings: settings)
        let lines = r.traceCSV.split(separator: "\n")
        #expect(lines.count == r.trace.count + 1)
        #expect(lines[0].hasPrefix("iteration,seconds,loss,gradient_norm,step_size"))
        #expect(r.trace.count >= 2)
    }
}
