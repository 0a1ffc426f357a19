import Solvers

extension SolverSettings {
    /// Sets option `name` (its command-line name) in every settings group of `method` that has it,
    /// as `--name value` would; throws when none has it, so that a renamed option fails the test.
    public mutating func set(_ name: String, _ value: String, for method: RegisteredMethod) throws {
        var applied = false
        for group in method.settingGroups where group.has(name) { applied = try group.apply(name, value, to: &self) || applied }
        guard applied else { throw ProblemError.invalidOption("\(method.name) has no option \(name)") }
    }
}
