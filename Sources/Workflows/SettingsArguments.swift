import Solvers

/// The solver settings on the command line, generated from the registry's settings groups:
/// `--name VALUE`, `--name=VALUE`, `--flag` and `--no-flag` for every option of every group.
/// An option shared by several groups (the sampled methods' `--epochs`) sets it in each.
public enum SettingsArguments {
    public static func apply(_ arguments: [String], groups: [SettingsGroupHandle], to settings: inout SolverSettings) throws {
        // A preset sets several values at once; the options given with it override it wherever they stand.
        var assignments: [(name: String, value: String, targets: [SettingsGroupHandle])] = []
        var k = 0
        while k < arguments.count {
            let token = arguments[k]
            k += 1
            guard token.hasPrefix("--"), token.count > 2 else {
                throw SettingsArgumentError(description: "unexpected argument '\(token)'")
            }
            var name = String(token.dropFirst(2))
            var inline: String?
            if let equals = name.firstIndex(of: "=") {
                inline = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            var targets = groups.filter { $0.has(name) }
            var value: String
            if targets.isEmpty, name.hasPrefix("no-"),
               case let plain = String(name.dropFirst(3)),
               case let inverted = groups.filter({ g in g.options.contains { $0.name == plain && $0.form == .invertibleFlag } }),
               !inverted.isEmpty {
                guard inline == nil else { throw SettingsArgumentError(description: "--\(name) takes no value") }
                name = plain
                targets = inverted
                value = "false"
            } else {
                guard let option = targets.first?.options.first(where: { $0.name == name }) else {
                    throw SettingsArgumentError(description: "unknown option '--\(name)'")
                }
                switch option.form {
                case .flag, .invertibleFlag:
                    guard inline == nil else { throw SettingsArgumentError(description: "--\(name) takes no value") }
                    value = "true"
                case .value:
                    if let inline {
                        value = inline
                    } else {
                        guard k < arguments.count else { throw SettingsArgumentError(description: "missing value for '--\(name)'") }
                        value = arguments[k]
                        k += 1
                    }
                }
            }
            assignments.append((name, value, targets))
        }
        let presetsFirst = assignments.filter { $0.name == SampledPreset.optionName } + assignments.filter { $0.name != SampledPreset.optionName }
        for (name, value, targets) in presetsFirst {
            for group in targets { _ = try group.apply(name, value, to: &settings) }
        }
    }

    /// Help for the generated options: the run's, then each method's (options shared with a
    /// method listed earlier are named, not repeated).
    public static func help(run: SettingsGroupHandle = MethodRegistry.runSettings,
                            methods: [RegisteredMethod] = MethodRegistry.all) -> String {
        var lines = ["RUN OPTIONS (every solver; compare also takes them per solver as name:key=value):"]
        lines += run.options.map { line($0, indent: 2) }
        lines += ["", "METHOD OPTIONS (each applies to the methods it is listed under):"]
        var shown = Set(run.options.map(\.name))
        for method in methods {
            lines.append("  \(method.name) — \(method.summary)")
            let fresh = method.settings.options.filter { !shown.contains($0.name) }
            let shared = method.settings.options.filter { shown.contains($0.name) }.map { "--\($0.name)" }
            lines += fresh.map { line($0, indent: 4) }
            if !shared.isEmpty { lines.append("      also: \(shared.joined(separator: ", "))") }
            if fresh.isEmpty && shared.isEmpty { lines.append("      (no settings)") }
            shown.formUnion(fresh.map(\.name))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One option as ArgumentParser prints them: the synopsis, then the help wrapped at 80
    /// columns in a column of its own.
    static func line(_ option: OptionDescription, indent: Int) -> String {
        let synopsis: String
        switch option.form {
        case let .value(choices): synopsis = "--\(option.name) <\(choices?.joined(separator: "|") ?? option.name)>"
        case .flag: synopsis = "--\(option.name)"
        case .invertibleFlag: synopsis = "--[no-]\(option.name)"
        }
        let text = option.help + (option.defaultText.map { " (default: \($0))" } ?? "")
        let column = 32, width = 80
        var out = String(repeating: " ", count: indent) + synopsis
        var current = out.count
        if current + 2 > column {
            out += "\n" + String(repeating: " ", count: column)
        } else {
            out += String(repeating: " ", count: column - current)
        }
        current = column
        for word in text.split(separator: " ") {
            if current > column, current + 1 + word.count > width {
                out += "\n" + String(repeating: " ", count: column)
                current = column
            }
            if current > column { out += " "; current += 1 }
            out += word
            current += word.count
        }
        return out
    }
}
