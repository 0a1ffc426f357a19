import ArgumentParser

@main
struct Coembed: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coembed",
        abstract: "Learn item embeddings from co-occurrence data and compare the ways of doing it.",
        subcommands: [])
}
