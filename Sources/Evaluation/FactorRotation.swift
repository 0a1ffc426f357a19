/// How the factor solution is rotated before it is reported.
public enum FactorRotation: String, Sendable, CaseIterable {
    case none, varimax, promax
}
