import ArgumentParser
import Foundation
import Testing

@testable import RNNKit
@testable import RNNKitCLI
@testable import RNNKitKeras

/// `rnnkit predict` and `rnnkit train --save m.keras`, through the functions that build
/// their output (no process is spawned).
@Suite struct PredictCommandTests {
  static func command(_ arguments: [String]) throws -> PredictCommand {
    try #require(try RNNKitCommand.parseAsRoot(["predict"] + arguments) as? PredictCommand)
  }

  @Test(arguments: KerasFixtures.predictionCases)
  func writesKerasPredictionsForANPYBatch(_ c: KerasFixtures.Case) throws {
    let directory = try KerasFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let output = directory.appendingPathComponent("y.npy").path
    var arguments = ["--input", KerasFixtures.url(c.files.input!).path, "--output", output, "--batch-size", "2"]
    if let json = c.files.json {
      arguments += ["--model", KerasFixtures.url(json).path, "--weights", KerasFixtures.url(c.files.weights_h5!).path]
    } else {
      arguments += ["--model", KerasFixtures.url(c.files.keras ?? c.files.h5!).path]
    }
    let text = try Self.command(arguments).predict()
    let expected = try KerasFixtures.array(KerasFixtures.url(c.files.expected!))
    #expect(text == "predictions \(expected.shape) written to \(output)")
    let y = try NPY.read(contentsOf: URL(fileURLWithPath: output)).tensor()
    #expect(maxDifference(y, expected) <= 1e-5)
  }

  @Test func convertWritesAKerasArchiveThatPredictsTheSame() throws {
    let directory = try KerasFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let output = directory.appendingPathComponent("converted.keras")
    let command = try #require(
      try RNNKitCommand.parseAsRoot(["convert", "--model", KerasFixtures.url("keras2_legacy.h5").path, "--output", output.path])
        as? ConvertCommand)
    let original = try loadKerasModel(KerasFixtures.url("keras2_legacy.h5"))
    #expect(try command.convert() == "4 layers, \(original.parameterCount) weights written to \(output.path)")
    let x = try KerasFixtures.array(KerasFixtures.url("keras2_legacy.input.npy"))
    #expect(try loadKerasModel(output).predict(x).scalars == original.predict(x).scalars)
  }

  @Test func classifiesAReviewWithIMDBsEncoding() throws {
    let directory = try KerasFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let index = directory.appendingPathComponent("word_index.json")
    try Data(#"{"the": 1, "movie": 2, "great": 5, "was": 9, "boring": 40}"#.utf8).write(to: index)
    let model = KerasFixtures.url("lstm_mask_stack.keras")
    let text = try Self.command([
      "--model", model.path, "--text", "The movie was GREAT, not boring!", "--word-index", index.path,
    ]).predict()
    // start 1; the 4, movie 5, was 12, great 8, not (unknown) 2, boring 43 ≥ 30 words → 2.
    let expectedIDs: [Int] = [1, 4, 5, 12, 8, 2, 2]
    #expect(IMDB.encode("The movie was GREAT, not boring!", wordIndex: ["the": 1, "movie": 2, "great": 5, "was": 9, "boring": 40], numWords: 30) == expectedIDs)
    let x = padSequences([expectedIDs], maxlen: 8)
    let probability = try loadKerasModel(model).predict(x).scalars[0]
    #expect(text == String(format: "probability %.6f (6 words, 8 tokens)", probability))
  }

  @Test func inputsThatDoNotFitAreNamed() throws {
    let directory = try KerasFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let x = directory.appendingPathComponent("x.npy")
    try NPY.write(Tensor(zeros: [3, 5]), to: x)
    let command = try Self.command([
      "--model", KerasFixtures.url("lstm_mask_stack.keras").path, "--input", x.path, "--output",
      directory.appendingPathComponent("y.npy").path,
    ])
    let error = #expect(throws: KerasFileError.self) { try command.predict() }
    #expect(error?.description == "\(x.path): shape [3, 5] does not fit the model's input [batch] + [8]")
    #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("y.npy").path))
    #expect(throws: (any Error).self) { try RNNKitCommand.parseAsRoot(["predict", "--model", "m.keras"]) }
    #expect(throws: (any Error).self) { try RNNKitCommand.parseAsRoot(["predict", "--model", "m.keras", "--input", "x.npy"]) }
    #expect(throws: (any Error).self) { try RNNKitCommand.parseAsRoot(["predict", "--model", "m.keras", "--text", "hi"]) }
  }

  @Test(.enabled(if: FileManager.default.fileExists(atPath: KerasFixtures.sharedData("aclImdb-sample")),
                 "skipped: ../shared/data/aclImdb-sample is missing"))
  func trainSavesAWholeKerasModel() throws {
    let directory = try KerasFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let saved = directory.appendingPathComponent("imdb.keras")
    let train = try #require(
      try RNNKitCommand.parseAsRoot([
        "train", "--texts", KerasFixtures.sharedData("aclImdb-sample"), "--epochs", "1", "--units", "4", "--layers", "1",
        "--vocab", "500", "--embedding-dim", "8", "--maxlen", "20", "--batch-size", "64", "--save", saved.path,
      ]) as? TrainCommand)
    #expect(try train.train().contains("model saved to \(saved.path)"))
    let file = try KerasModelFile(contentsOf: saved)
    #expect(file.inputShape == [20] && file.takesTokenIDs && file.loadedOptimizerState)
    #expect(file.model.layers.count == 6, "Embedding, SimpleRNN/LSTM, Dense, Dropout, ReLU, Dense: \(file.model.layers.map { type(of: $0) })")
    #expect((file.model.optimizer as? Adam)?.iterations == 7, "400 reviews / 64 = 7 steps")
  }
}
