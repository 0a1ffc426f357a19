import ArgumentParser
import Foundation
import Solvers
import Workflows

/// `-h`/`--help` for commands that take solver settings: ArgumentParser's help for the declared
/// options, then the generated run and method options.
struct SettingsHelp: ParsableArguments {
    @Flag(name: [.short, .long], help: "Show help information, with every run and method option.")
    var help = false

    func exitIfRequested<Command: ParsableCommand>(_: Command.Type) throws {
        if help { throw CleanExit.message(Coembed.helpMessage(for: Command.self) + "\n" + SettingsArguments.help()) }
    }
}
