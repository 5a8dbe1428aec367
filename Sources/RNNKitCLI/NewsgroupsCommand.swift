import ArgumentParser
import Foundation
import RNNKit

/// `rnnkit newsgroups`: the Keras tutorial's Conv1D classifier on 20 Newsgroups.
struct NewsgroupsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "newsgroups",
    abstract: "Trains the tutorial's Conv1D text classifier on 20 Newsgroups (GloVe, frozen).",
    discussion: """
      Tokenizes the training posts (the most frequent --vocab words), pads or cuts each to
      --maxlen tokens, embeds them with GloVe vectors (frozen unless --train-embedding), and
      trains three Conv1D(128, 5) with max pooling, Dense(128) and a softmax over the 20
      groups; the bydate test posts are the validation data.
      """
  )

  @Option(help: "The folder holding 20news-bydate-train and 20news-bydate-test.") var data: String
  @Option(help: "GloVe vectors (text format); without it the embedding is learned.") var glove: String?
  @Flag(help: "Let training change the GloVe vectors.") var trainEmbedding = false
  @Option(help: "Training epochs.") var epochs = 5
  @Option(help: "Samples per step.") var batchSize = 128
  @Option(help: "Vocabulary: the most frequent words kept.") var vocab = 20_000
  @Option(help: "Tokens per post.") var maxlen = 1000
  @Option(help: "Embedding size when no GloVe file is given.") var embeddingDim = 100
  @Option(help: "Write the loss/accuracy curves here (SVG).") var plot: String?
  @Option(help: "Random seed.") var seed: UInt64 = 0

  func validate() throws {
    for (name, value) in [("--epochs", epochs), ("--batch-size", batchSize), ("--embedding-dim", embeddingDim)] where value < 1 {
      throw ValidationError("\(name) must be at least 1, got \(value)")
    }
    guard vocab >= 2 else { throw ValidationError("--vocab must be at least 2, got \(vocab)") }
    guard maxlen >= 149 else { throw ValidationError("--maxlen must be at least 149 for three Conv1D(5) with pooling 5, got \(maxlen)") }
  }

  func run() throws { try printReportingErrors(train) }

  func train() throws -> String {
    setRandomSeed(seed)
    let train = try Newsgroups.load(path: data, subset: .train)
    let test = try Newsgroups.load(path: data, subset: .test)
    var tokenizer = Tokenizer(numWords: vocab)
    tokenizer.fit(onTexts: train.texts)
    let xTrain = padSequences(tokenizer.sequences(fromTexts: train.texts), maxlen: maxlen)
    let xTest = padSequences(tokenizer.sequences(fromTexts: test.texts), maxlen: maxlen)
    let yTrain = Tensor(shape: [train.labels.count, 1], scalars: train.labels.map(Float.init))
    let yTest = Tensor(shape: [test.labels.count, 1], scalars: test.labels.map(Float.init))
    print("\(xTrain.shape[0]) training and \(xTest.shape[0]) test posts in \(train.groupNames.count) groups; \(tokenizer.wordIndex.count) distinct words")

    var embedding: Embedding?
    if let glove {
      let vectors = try WordVectors.load(glove: glove)
      let (matrix, found) = vectors.embeddingMatrix(wordIndex: tokenizer.wordIndex, numWords: vocab)
      print("GloVe: \(found) of \(vocab) words have a vector \(matrix.shape)")
      embedding = try Embedding(inputDim: vocab, outputDim: vectors.dimension, weights: matrix, trainable: trainEmbedding)
    }
    let model = NewsgroupsClassifier(
      classes: train.groupNames.count, vocabulary: vocab, embeddingDim: embeddingDim, embedding: embedding, seed: seed)
    model.compile(optimizer: RMSprop(), loss: .sparseCategoricalCrossentropy, metrics: [.accuracy])
    print(model.summary(inputShape: [maxlen]))

    let start = ContinuousClock.now
    let history = try model.fit(xTrain, yTrain, batchSize: batchSize, epochs: epochs, validationData: (xTest, yTest), seed: seed)
    let seconds = (ContinuousClock.now - start) / .seconds(1) / Double(history.epochs.count)
    let accuracy = history.history["val_accuracy"]!.map { String(format: "%.4f", $0) }.joined(separator: ", ")
    var lines = [String(format: "test accuracy by epoch: \(accuracy) (%.1f s per epoch)", seconds)]
    if let plot {
      try history.plot(to: URL(fileURLWithPath: plot))
      lines.append("curves written to \(plot)")
    }
    return lines.joined(separator: "\n")
  }
}
