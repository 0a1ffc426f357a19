import Foundation
import LinearAlgebra
import DataIO
import Solvers
import Evaluation
import Reporting

/// Recommendation-quality options for a comparison: a seeded hold-out of one liked item per user.
public struct HoldoutOptions: Sendable {
    public var seed: UInt64
    public var k: Int
    /// nil = each method's own default (`RegisteredMethod.defaultSimilarity`).
    public var similarity: Similarity?
    public var easeLambda: Double

    public init(seed: UInt64 = 0, k: Int = 10, similarity: Similarity? = nil, easeLambda: Double = 200) {
        self.seed = seed
        self.k = k
        self.similarity = similarity
        self.easeLambda = easeLambda
    }
}
