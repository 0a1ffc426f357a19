/// The release this build belongs to (`coembed --version`); no release has been tagged yet.
enum CoembedVersion {
    static let string = "0.1.0-dev"
}
