import Foundation
import LinearAlgebra

/// A ratings (interactions) text file in any layout → S, with titles when known.
public enum RatingsFile {
    /// Reads `url` in `layout` (default MovieLens `ratings.csv`) into S: 1 where the rating is at
    /// least `likeThreshold`, or for every row when the layout has no rating column. Items are
    /// every item on some row (liked or not); a repeated (user, item) pair counts once.
    ///
    /// Titles: from `titles` (an `id,title` CSV, see `TitleFile`) when given; otherwise, for the
    /// MovieLens layout, from `movies.csv` beside the ratings when it exists.
    public static func load(_ url: URL, layout: RatingsLayout = .movieLens, likeThreshold: Double = 4.0,
                            titles: URL? = nil) throws(DataIOError) -> Interactions {
        try load(url, layout: layout, likeThreshold: likeThreshold, titles: titles, titlesHeader: nil)
    }

    /// `titlesHeader`: the names the titles file's first two columns must have (MovieLens's
    /// `movieId,title`), or nil for any.
    static func load(_ url: URL, layout: RatingsLayout, likeThreshold: Double, titles: URL?,
                     titlesHeader: [String]?) throws(DataIOError) -> Interactions {
        let file = url.path
        guard likeThreshold.isFinite else {
            throw .invalidContent(file: file, problem: "like threshold \(likeThreshold) is not a finite number")
        }
        let bytes = try FileBytes.read(url)
        let read = try RatingsReader.read(bytes, file: file, layout: layout, likeThreshold: likeThreshold)
        let names = try TitleFile.titles(ofRatings: url, layout: layout, titles: titles, header: titlesHeader,
                                         itemIDs: read.itemIDs, itemKeys: read.itemKeys)
        return Interactions(matrix: read.matrix, userIDs: read.userIDs, itemIDs: read.itemIDs, titles: names,
                            likeThreshold: read.hasRating ? likeThreshold : 1,
                            ratingCount: read.rowCount, source: file, userKeys: read.userKeys, itemKeys: read.itemKeys)
    }
}

extension RatingsLayout {
    /// False when the rows carry no rating (every row is a like). Without `columns` a headerless
    /// file has a rating when it has three or more fields, which only the file can tell.
    public var hasRatingColumn: Bool { columns.map { $0.rating != nil } ?? true }
}
