import ArgumentParser
import Foundation
import RNNKit
import RNNKitDistributed
import RNNKitKeras

/// `rnnkit train`: trains the tutorials' IMDB sentiment classifier and reports test accuracy.
struct TrainCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",
    abstract: "Trains the Keras tutorial's sentiment classifier on IMDB reviews.",
    discussion: """
      Reads Keras's imdb.npz (the same shuffle and word ranks as keras.datasets.imdb), pads or
      cuts every review to --maxlen tokens, trains Embedding → recurrent layers → Dense(32) →
      Dropout → ReLU → Dense(1, sigmoid) with Adam, and evaluates on the 25,000 test reviews.
      """
  )

  @Option(help: "Keras's imdb.npz.") var data: String?
  @Option(help: "A raw aclImdb folder (train/pos, train/neg, test/pos, test/neg) instead of --data.") var texts: String?
  @Option(help: "GloVe vectors (text format) to initialise the embedding; sets the embedding size.") var glove: String?
  @Flag(help: "Keep the GloVe vectors fixed during training.") var freezeEmbedding = false
  @Option(help: "Keras's imdb_word_index.json, for --glove with --data (default: beside --data).") var wordIndex: String?
  @Option(help: "Recurrent cell: simple, lstm or gru.") var cell = "lstm"
  @Option(help: "Units per recurrent layer.") var units = 64
  @Option(help: "Stacked recurrent layers.") var layers = 2
  @Option(help: "Training epochs.") var epochs = 10
  @Option(help: "Samples per step.") var batchSize = 128
  @Option(help: "Vocabulary: the most frequent words kept.") var vocab = 10_000
  @Option(help: "Tokens per review (longer ones keep their end).") var maxlen = 80
  @Option(help: "Word-vector size.") var embeddingDim = 100
  @Option(help: "Dropout rate of the recurrent layers and the head.") var dropout: Float = 0.5
  @Option(help: "Adam's learning rate.") var learningRate: Float = 1e-3
  @Option(help: "Write the trained model here: a whole Keras 3 model for a .keras path (Keras's load_model and rnnkit predict read it), else the weights as safetensors.") var save: String?
  @Option(help: "Write the loss/accuracy curves here (SVG).") var plot: String?
  @Option(help: "Random seed.") var seed: UInt64 = 0
  @Flag(help: "With --distributed: exchange the embedding's gradient as the rows each batch touches, not the dense matrix.") var sparseEmbeddingGradients = false
  @Flag(help: "Train one model across the ranks of an MPI job: mpirun -np N rnnkit train … --distributed (--batch-size is the global batch).") var distributed = false

  func validate() throws {
    guard (data == nil) != (texts == nil) else { throw ValidationError("give exactly one of --data imdb.npz or --texts aclImdb/") }
    guard !freezeEmbedding || glove != nil else { throw ValidationError("--freeze-embedding needs --glove") }
    guard !sparseEmbeddingGradients || distributed else { throw ValidationError("--sparse-embedding-gradients needs --distributed") }
    guard SentimentClassifier.Cell(rawValue: cell) != nil else {
      throw ValidationError("--cell must be simple, lstm or gru, got '\(cell)'")
    }
    for (name, value) in [("--units", units), ("--layers", layers), ("--epochs", epochs), ("--batch-size", batchSize), ("--maxlen", maxlen), ("--embedding-dim", embeddingDim)] where value < 1 {
      throw ValidationError("\(name) must be at least 1, got \(value)")
    }
    guard vocab >= 4 else { throw ValidationError("--vocab must be at least 4 (ids 0–3 are reserved), got \(vocab)") }
    guard (0..<1).contains(dropout) else { throw ValidationError("--dropout must be in [0, 1), got \(dropout)") }
    guard learningRate > 0 else { throw ValidationError("--learning-rate must be positive, got \(learningRate)") }
  }

  func run() throws { try printReportingErrors(train) }

  /// Loads the data, trains (printing progress and the model summary) and returns the result
  /// lines. With --distributed, every rank of the MPI job runs this: one model, the global
  /// batch split across the ranks (Model.fit(…, communicator:)); rank 0 prints and saves.
  func train() throws -> String {
    let world = distributed ? try joinMPIJob() : nil
    if world == nil, let copies = MPICommunicator.launchedSize, copies > 1 {
      print("note: running under mpirun without --distributed: \(copies) independent copies train \(copies) separate models")
    }
    guard let world, world.size > 1 else { return try train(on: world) }
    // A rank that fails ends the whole job: the others would wait in a collective forever.
    do { return try train(on: world) } catch { world.abort(reporting: error) }
  }

  private func train(on world: MPICommunicator?) throws -> String {
    let isRankZero = (world?.rank ?? 0) == 0
    setRandomSeed(seed)
    let (train, test, words) = try loadReviews(quiet: !isRankZero)
    let (xTrain, yTrain) = (padSequences(train.sequences, maxlen: maxlen), labels(train.labels))
    let (xTest, yTest) = (padSequences(test.sequences, maxlen: maxlen), labels(test.labels))
    let model = try makeModel(words: words)
    try model.embedding.validate(xTrain)
    try model.embedding.validate(xTest)
    model.compile(optimizer: Adam(learningRate: learningRate), loss: .binaryCrossentropy, metrics: [.accuracy])
    model.sparseEmbeddingGradients = sparseEmbeddingGradients
    if isRankZero {
      print("train \(xTrain.shape), test \(xTest.shape)")
      print(model.summary(inputShape: [maxlen]))
      if let world { print("\(world.size) ranks × \(threadCount) thread(s), global batch \(batchSize)") }
    }

    let start = ContinuousClock.now
    let history = try model.fit(
      xTrain, yTrain, batchSize: batchSize, epochs: epochs, validationData: (xTest, yTest), seed: seed, communicator: world)
    let seconds = (ContinuousClock.now - start) / .seconds(1) / Double(history.epochs.count)
    guard isRankZero else { return "" }
    let scores = try model.evaluate(xTest, yTest, batchSize: 500)
    let ranks = world.map { " on \($0.size) ranks" } ?? ""
    var lines = [String(format: "test accuracy %.4f, test loss %.4f (%.1f s per epoch", scores["accuracy"]!, scores["loss"]!, seconds) + ranks + ")"]
    if let save { lines.append(try saveModel(model, to: save)) }
    if let plot {
      try history.plot(to: URL(fileURLWithPath: plot))
      lines.append("curves written to \(plot)")
    }
    return lines.joined(separator: "\n")
  }

  /// The MPI job this process belongs to, its threads set to the cores per rank on this machine.
  private func joinMPIJob() throws -> MPICommunicator {
    guard MPICommunicator.isUnderMPIRun else {
      throw ValidationError("--distributed needs an MPI job: mpirun -np N rnnkit train … --distributed (Open MPI's environment is not set)")
    }
    let world = try MPICommunicator()
    let local = ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_LOCAL_SIZE"].flatMap { Int($0) } ?? world.size
    setThreadCount(Swift.max(1, ProcessInfo.processInfo.activeProcessorCount / Swift.max(1, local)))
    return world
  }

  /// The tutorial's classifier, its embedding from GloVe when --glove is given.
  private func makeModel(words: [String: Int]) throws -> SentimentClassifier {
    var embedding: Embedding?
    if let glove {
      let vectors = try WordVectors.load(glove: glove)
      let (matrix, found) = vectors.embeddingMatrix(wordIndex: words, numWords: vocab)
      print("GloVe: \(found) of \(vocab) words have a vector \(matrix.shape)\(freezeEmbedding ? ", frozen" : "")")
      embedding = try Embedding(inputDim: vocab, outputDim: vectors.dimension, weights: matrix, trainable: !freezeEmbedding)
    }
    return SentimentClassifier(
      cell: SentimentClassifier.Cell(rawValue: cell)!, vocabulary: vocab, embeddingDim: embeddingDim, units: units,
      layers: layers, dropout: dropout, embedding: embedding, seed: seed)
  }

  /// Writes the model (a whole Keras model for a .keras path, else safetensors weights) and says so.
  private func saveModel(_ model: SentimentClassifier, to path: String) throws -> String {
    let url = URL(fileURLWithPath: path)
    if url.pathExtension == "keras" {
      try model.saveKeras(url, inputShape: [maxlen])
      return "model saved to \(path)"
    }
    try model.save(weights: url)
    return "weights saved to \(path)"
  }

  /// Token ids and labels from imdb.npz (Keras's ids: word rank + 3) or from raw reviews
  /// (a Tokenizer fitted on the training texts), and the word → id map GloVe needs.
  private func loadReviews(quiet: Bool = false) throws -> (train: (sequences: [[Int]], labels: [Int]), test: (sequences: [[Int]], labels: [Int]), words: [String: Int]) {
    if let texts {
      if !quiet { print("Reading \(texts) and fitting a tokenizer (vocabulary \(vocab))…") }
      let reviews = try IMDB.loadDirectory(path: texts)
      var tokenizer = Tokenizer(numWords: vocab)
      tokenizer.fit(onTexts: reviews.train.texts)
      return (
        (tokenizer.sequences(fromTexts: reviews.train.texts), reviews.train.labels),
        (tokenizer.sequences(fromTexts: reviews.test.texts), reviews.test.labels), tokenizer.wordIndex)
    }
    let data = data!
    if !quiet { print("Loading \(data) (vocabulary \(vocab), \(maxlen) tokens per review)…") }
    let imdb = try IMDB.load(path: data, numWords: vocab)
    var words: [String: Int] = [:]
    if glove != nil {
      let path = wordIndex ?? URL(fileURLWithPath: data).deletingLastPathComponent().appendingPathComponent("imdb_word_index.json").path
      words = try IMDB.wordIndex(path: path).mapValues { $0 + 3 }  // load_data's index_from
    }
    return ((imdb.train.sequences, imdb.train.labels), (imdb.test.sequences, imdb.test.labels), words)
  }

  private func labels(_ values: [Int]) -> Tensor {
    Tensor(shape: [values.count, 1], scalars: values.map(Float.init))
  }
}
