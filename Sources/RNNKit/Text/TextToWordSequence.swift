/// Splits `text` into words as Keras's `text_to_word_sequence` does: lower-cased, every
/// character of `filters` replaced by `split`, then split on `split`, empty pieces dropped —
/// the same rules as ``Tokenizer``.
///
/// ```swift
/// textToWordSequence("A great movie!<br />Loved it.")   // ["a", "great", "movie", "br", "loved", "it"]
/// ```
public func textToWordSequence(
  _ text: String, filters: String = Tokenizer.defaultFilters, lower: Bool = true, split: String = " "
) -> [String] {
  let splitter = WordSplitter(filters: filters, lower: lower, split: split, charLevel: false)
  var scratch = WordSplitter.Scratch()
  var words: [String] = []
  splitter.forEachToken(in: text, scratch: &scratch) { words.append(String(decoding: $0, as: UTF8.self)) }
  return words
}

extension IMDB {
  /// A review's token ids as `keras.datasets.imdb.load_data` numbers them: `startChar`, then
  /// each word's rank in `wordIndex` plus `indexFrom`, with `oovChar` for a word that is
  /// not in the index or whose id would reach `numWords`.
  ///
  /// ```swift
  /// let words = try IMDB.wordIndex(path: "imdb_word_index.json")
  /// IMDB.encode("this movie was great", wordIndex: words, numWords: 10_000)   // [1, 14, 20, 16, 87]
  /// ```
  public static func encode(
    _ text: String, wordIndex: [String: Int], numWords: Int? = nil, startChar: Int = 1, oovChar: Int = 2,
    indexFrom: Int = 3
  ) -> [Int] {
    [startChar] + textToWordSequence(text).map { word in
      guard let rank = wordIndex[word], rank >= 0, rank <= Int.max - indexFrom else { return oovChar }
      let id = rank + indexFrom
      if let numWords, id >= numWords { return oovChar }
      return id
    }
  }
}
