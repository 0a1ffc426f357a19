/// A failure found while running a command (not a usage mistake): printed as `Error: …` without
/// the usage text, exit code 1.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
