// The README's "Keras and PyTorch models" snippet, verbatim, on a model of the IMDB
// tutorial's shape that the test writes first; ReadmeSnippetTests (in RNNKitTests) checks
// the README's lines against this file. The word index is read relative to the package
// root, the working directory of `swift test`.
import Foundation
import Testing

@testable import RNNKit
@testable import RNNKitKeras

@Suite struct ReadmeKerasSnippetTests {
  static let wordIndex = "../shared/data/imdb/imdb_word_index.json"

  @Test(.enabled(if: FileManager.default.fileExists(atPath: wordIndex), "skipped: \(wordIndex) is missing (run from the package root)"))
  func loadPredictFineTuneSave() throws {
    let directory = try KerasFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let url = directory.appendingPathComponent("imdb_keras.keras")
    let tuned = directory.appendingPathComponent("tuned.keras")
    let source = Sequential {
      Embedding(inputDim: 10_000, outputDim: 8, seed: 1)
      LSTM(units: 4, inputSize: 8, seed: 2)
      Dense(units: 1, activation: .sigmoid, inputSize: 4, seed: 3)
    }
    source.compile(optimizer: Adam(), loss: BinaryCrossentropy(), metrics: [BinaryAccuracy()])
    try source.saveKeras(url, inputShape: [80])
    let xTrain = padSequences([[1, 14, 20, 16, 87], [1, 300, 2, 9000]], maxlen: 80)
    let yTrain = Tensor(shape: [2, 1], scalars: [1, 0])

    // A model trained in Keras (model.save("imdb_keras.keras")), with its Adam state:
    let file = try KerasModelFile(contentsOf: url)
    print(file.inputShape)                                 // [Optional(80)]: 80 token ids a review
    let words = try IMDB.wordIndex(path: "../shared/data/imdb/imdb_word_index.json")
    let ids = IMDB.encode("This film was just brilliant", wordIndex: words, numWords: 10_000)
    let p = file.model.predict(padSequences([ids], maxlen: 80))   // [1, 1]: P(positive)

    // Fine-tune in Swift, then save a file Keras loads: keras.models.load_model("tuned.keras")
    try file.model.fit(xTrain, yTrain, batchSize: 128, epochs: 1, verbose: .silent)
    try file.model.saveKeras(tuned)

    #expect(file.inputShape == [80])
    #expect(ids == [1, 14, 22, 16, 43, 530])
    #expect(p.shape == [1, 1] && p.scalars == source.predict(padSequences([ids], maxlen: 80)).scalars)
    let back = try KerasModelFile(contentsOf: tuned)
    #expect((back.model.optimizer as? Adam)?.iterations == 1)
    #expect(back.model.predict(xTrain).scalars == file.model.predict(xTrain).scalars)
    #expect(back.model.predict(xTrain).scalars != source.predict(xTrain).scalars, "fine-tuning changed the weights")
  }

  @Test func pyTorchSnippet() throws {
    let torchURL = KerasFixtures.torch.appendingPathComponent("embedding_lstm_linear.safetensors")

    // PyTorch: an nn.LSTM's state dict, saved with safetensors.torch.save_file.
    let state = try PyTorchStateDict(contentsOf: torchURL)
    let lstm = Sequential(try state.recurrentLayers(.lstm, module: "lstm"))

    let x = Tensor(randomNormal: [2, 6, 5], seed: 4)
    #expect(lstm(x).shape == [2, 6, 4])
  }
}
