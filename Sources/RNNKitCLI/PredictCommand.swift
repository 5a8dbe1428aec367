import ArgumentParser
import Foundation
import RNNKit
import RNNKitKeras

/// `rnnkit predict`: runs a Keras model file on a `.npy` batch or on one review's text.
struct PredictCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "predict",
    abstract: "Runs a Keras model (.keras, legacy .h5, or JSON + .weights.h5) on a .npy batch or a review's text.",
    discussion: """
      With --input X.npy (integer token ids or float features, [batch, ...]) it writes the
      model's predictions as float32 .npy to --output. With --text it encodes the review as
      keras.datasets.imdb does (start 1, out-of-vocabulary 2, word ranks from --word-index
      plus 3), pads or cuts it to --maxlen tokens, and prints the model's output.
      """
  )

  @Option(help: "The model: a .keras archive, a legacy .h5, or a model.to_json() architecture.") var model: String
  @Option(help: "The weights for a JSON architecture (a .weights.h5 or legacy .h5).") var weights: String?
  @Option(help: "Input batch (.npy).") var input: String?
  @Option(help: "Where to write the predictions (.npy, float32).") var output: String?
  @Option(help: "Samples per forward pass.") var batchSize = 32
  @Option(help: "A review to classify, instead of --input.") var text: String?
  @Option(help: "Keras's imdb_word_index.json, for --text.") var wordIndex: String?
  @Option(help: "Tokens per review for --text (the model's own input length when it has one).") var maxlen: Int?

  func validate() throws {
    guard (input == nil) != (text == nil) else { throw ValidationError("give exactly one of --input X.npy or --text \"…\"") }
    if input != nil, output == nil { throw ValidationError("--input needs --output Y.npy") }
    if text != nil, wordIndex == nil { throw ValidationError("--text needs --word-index imdb_word_index.json") }
    guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1, got \(batchSize)") }
    if let maxlen, maxlen < 1 { throw ValidationError("--maxlen must be at least 1, got \(maxlen)") }
  }

  func run() throws { try printReportingErrors(predict) }

  /// Loads the model, predicts and returns what to print.
  func predict() throws -> String {
    let file = try KerasModelFile(
      contentsOf: URL(fileURLWithPath: model), weights: weights.map { URL(fileURLWithPath: $0) })
    if let text { return try classify(text, with: file) }
    let inputPath = input!
    let x = try NPY.read(contentsOf: URL(fileURLWithPath: inputPath)).tensor()
    try file.checkInput(x, name: inputPath)
    let y = file.model.predict(x, batchSize: batchSize)
    try NPY.write(y, to: URL(fileURLWithPath: output!))
    return "predictions \(y.shape) written to \(output!)"
  }

  /// One review's probability (or output values) under a model that reads token ids.
  private func classify(_ text: String, with file: KerasModelFile) throws -> String {
    guard let embedding = file.model.layers.first as? Embedding else {
      throw ValidationError("--text needs a model that starts with an Embedding; this one starts with \(type(of: file.model.layers[0]))")
    }
    let words = try IMDB.wordIndex(path: wordIndex!)
    let length = maxlen ?? file.inputShape.first.flatMap { $0 } ?? 80
    let ids = IMDB.encode(text, wordIndex: words, numWords: embedding.inputDim)
    let x = padSequences([ids], maxlen: length)
    try file.checkInput(x, name: "--text")
    let y = file.model.predict(x)
    let values = y.scalars.map { String(format: "%.6f", $0) }.joined(separator: " ")
    return y.scalarCount == 1 ? "probability \(values) (\(ids.count - 1) words, \(length) tokens)" : "outputs \(values)"
  }
}
