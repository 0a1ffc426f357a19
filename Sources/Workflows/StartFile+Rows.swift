import Foundation
import LinearAlgebra
import DataIO
import Solvers

extension StartFile {
    /// Rows `held` of the `itemCount` × `dimension` embedding in `url` (a distributed run's own
    /// rows), reading only those rows' bytes; the header and shape are checked first, so every
    /// participant reports a wrong file the same way.
    public static func readRows(_ url: URL, held: Range<Int>, itemCount: Int, dimension: Int) throws -> Matrix {
        let layout = try NPY.layout(of: url)
        guard layout.rows == itemCount, layout.columns == dimension else {
            throw ProblemError.shapeMismatch("\(url.path) holds a \(layout.rows)×\(layout.columns) embedding, the problem needs \(itemCount)×\(dimension)")
        }
        return try NPY.readRows(url, layout: layout, rows: held)
    }
}
