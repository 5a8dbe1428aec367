import CKernels
import Foundation
import Testing

@testable import RNNKit
@testable import RNNKitKeras

/// Keras's own files in, Keras's predictions out; RNNKit's files back in, bit for bit.
@Suite struct KerasModelFileTests {
  static func load(_ c: KerasFixtures.Case) throws -> KerasModelFile {
    if let keras = c.files.keras { return try KerasModelFile(contentsOf: KerasFixtures.url(keras)) }
    if let h5 = c.files.h5 { return try KerasModelFile(contentsOf: KerasFixtures.url(h5)) }
    let json = try #require(c.files.json)
    return try KerasModelFile(contentsOf: KerasFixtures.url(json), weights: c.files.weights_h5.map(KerasFixtures.url))
  }

  @Test func theManifestListsEveryCase() {
    // A missing or unreadable manifest would otherwise give zero cases and a pass.
    #expect(KerasFixtures.predictionCases.count >= 16, "fixture cases: \(KerasFixtures.predictionCases.map(\.name))")
  }

  /// Every fixture on the three time-loop paths (portable, batch slices, column split).
  @Test(arguments: KerasFixtures.predictionCases,
        [CK_RNN_PATH_PORTABLE, CK_RNN_PATH_MICROKERNEL, CK_RNN_PATH_MICROKERNEL_COLUMNS])
  func predictsWhatKerasPredicts(_ c: KerasFixtures.Case, path: ck_rnn_path) throws {
    ck_rnn_set_path(path)
    defer { ck_rnn_set_path(CK_RNN_PATH_AUTO) }
    let file = try Self.load(c)
    let x = try KerasFixtures.array(KerasFixtures.url(try #require(c.files.input)))
    let expected = try KerasFixtures.array(KerasFixtures.url(try #require(c.files.expected)))
    try file.checkInput(x)
    let y = file.model.predict(x)
    #expect(y.shape == expected.shape, "\(c.name): shape")
    if y.shape == expected.shape {
      #expect(maxDifference(y, expected) <= 1e-5, "\(c.name): max |RNNKit − Keras| = \(maxDifference(y, expected))")
    }
  }

  /// RNNKit → .keras → RNNKit gives the same weights and the same predictions, bit for bit.
  @Test(arguments: KerasFixtures.predictionCases)
  func roundTripsThroughItsOwnKerasFile(_ c: KerasFixtures.Case) throws {
    let file = try Self.load(c)
    let x = try KerasFixtures.array(KerasFixtures.url(try #require(c.files.input)))
    let directory = try KerasFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let saved = directory.appendingPathComponent("model.keras")
    try file.model.saveKeras(saved, inputShape: file.inputShape)
    let back = try KerasModelFile(contentsOf: saved)
    #expect(back.inputShape == file.inputShape)
    #expect(back.model.getWeights().map(\.scalars) == file.model.getWeights().map(\.scalars), "\(c.name): weights")
    #expect(back.model.predict(x).scalars == file.model.predict(x).scalars, "\(c.name): predictions")

    // Keras's model_from_json + load_weights workflow, from RNNKit's own files.
    let weights = directory.appendingPathComponent("model.weights.h5")
    try file.model.saveKerasWeights(weights)
    let again = directory.appendingPathComponent("again.weights.h5")
    try back.model.saveKerasWeights(again)
    #expect(try Data(contentsOf: weights) == Data(contentsOf: again), "\(c.name): the same weights write the same bytes")
    let rebuilt = try Sequential(kerasJSON: file.model.kerasJSON(inputShape: file.inputShape))
    try rebuilt.loadKerasWeights(weights)
    #expect(rebuilt.predict(x).scalars == file.model.predict(x).scalars, "\(c.name): JSON + weights")
  }

  @Test func continuesKerasTrainingWithAdamsState() throws {
    let file = try KerasModelFile(contentsOf: KerasFixtures.url("adam_state.keras"))
    #expect(file.loadedOptimizerState)
    let adam = try #require(file.model.optimizer as? Adam)
    #expect(adam.iterations == 3)
    let x = try KerasFixtures.array(KerasFixtures.url("adam_state.train_x.npy"))
    let y = try KerasFixtures.array(KerasFixtures.url("adam_state.train_y.npy"))
    try file.model.trainStep(x, y)
    let input = try KerasFixtures.array(KerasFixtures.url("adam_state.input.npy"))
    let expected = try KerasFixtures.array(KerasFixtures.url("adam_state.after_step.npy"))
    let after = file.model.predict(input)
    #expect(maxDifference(after, expected) <= 1e-5, "after one more Adam step: \(maxDifference(after, expected))")

    // RNNKit writes the state back; reading it gives the same next step.
    let directory = try KerasFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let saved = directory.appendingPathComponent("adam.keras")
    try file.model.saveKeras(saved, inputShape: file.inputShape)
    let back = try KerasModelFile(contentsOf: saved)
    #expect(back.loadedOptimizerState)
    #expect((back.model.optimizer as? Adam)?.iterations == 4)
    try file.model.trainStep(x, y)
    try back.model.trainStep(x, y)
    #expect(back.model.predict(input).scalars == file.model.predict(input).scalars)
  }

  @Test(arguments: [
    ("unsupported_layer.keras", "LayerNormalization"),
    ("unsupported_option.keras", "option activation"),
    ("functional_branch.keras", "chain"),
  ])
  func refusesWhatRNNKitLacksByName(_ file: String, _ words: String) throws {
    let error = #expect(throws: KerasFileError.self) { try KerasModelFile(contentsOf: KerasFixtures.url(file)) }
    #expect(error?.description.contains(words) == true, "\(error.map { "\($0)" } ?? "no error")")
    #expect(error?.description.contains(file) == true)
  }
}
