import Foundation
import RNNKit

// The text tools on the real files (`--text-data DIR`, the folder of ../shared/data):
// Tokenizer.fit on all 18,846 newsgroup posts, and WordVectors.load on the 100,000-word
// GloVe file. Each is timed once, cold: these are one-off steps of a program, not loops.

struct TextLoadingTimes {
  let posts: Int, distinctWords: Int, fitSeconds: Double
  let vectors: Int, dimension: Int, gloveSeconds: Double

  /// Times both on the files under `data`; throws what the loaders throw.
  static func measure(data: String) throws -> TextLoadingTimes {
    let news = try Newsgroups.load(path: "\(data)/newsgroups", subset: .all)
    var tokenizer = Tokenizer(numWords: 20_000)
    let clock = ContinuousClock()
    let fit = clock.measure { tokenizer.fit(onTexts: news.texts) }
    var glove: WordVectors?
    let load = try clock.measure { glove = try WordVectors.load(glove: "\(data)/glove/glove.6B.50d.100k.txt") }
    return TextLoadingTimes(
      posts: news.texts.count, distinctWords: tokenizer.wordIndex.count, fitSeconds: fit.milliseconds / 1e3,
      vectors: glove?.count ?? 0, dimension: glove?.dimension ?? 0, gloveSeconds: load.milliseconds / 1e3)
  }

  var lines: [String] {
    [
      "Tokenizer.fit on \(posts) newsgroup posts (\(distinctWords) distinct words): \(format(fitSeconds, 2)) s",
      "WordVectors.load of \(vectors) GloVe vectors of \(dimension) floats: \(format(gloveSeconds, 2)) s",
    ]
  }
}
