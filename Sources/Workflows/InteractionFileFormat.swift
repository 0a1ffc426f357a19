import Foundation
import LinearAlgebra
import DataIO
import Solvers

/// Output formats of `coembed generate`, chosen by the output file's extension.
public enum InteractionFileFormat: String, Sendable, CaseIterable {
    /// MovieLens `ratings.csv`: `userId,movieId,rating,timestamp`, 1-based ids, every like rated 5.0.
    case ratingsCSV = "csv"

    /// The format for `url`'s extension, or an error listing the supported ones.
    public static func forOutput(_ url: URL) throws -> InteractionFileFormat {
        let ext = url.pathExtension.lowercased()
        guard let format = InteractionFileFormat(rawValue: ext) else {
            let known = allCases.map { "." + $0.rawValue }.joined(separator: ", ")
            throw ProblemError.invalidOption("cannot write \(url.lastPathComponent): unsupported extension '.\(ext)' (supported: \(known))")
        }
        return format
    }
}
