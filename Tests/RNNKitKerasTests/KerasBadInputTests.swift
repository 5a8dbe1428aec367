import Foundation
import Testing

@testable import RNNKit
@testable import RNNKitKeras

/// Files from outside: whatever they hold, a clear error naming the file, the layer and the
/// value, no crash, and nothing half-loaded.
@Suite struct KerasBadInputTests {
  static let lstmCase = KerasFixtures.url("lstm_mask_stack.keras")

  /// Writes `data` to a temporary file named `name` and reads it as a Keras model.
  static func load(_ data: Data, name: String = "model.keras") throws -> KerasModelFile {
    let directory = try KerasFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let url = directory.appendingPathComponent(name)
    try data.write(to: url)
    return try KerasModelFile(contentsOf: url)
  }

  @Test func truncatedFilesThrowNamingTheFile() throws {
    for file in ["lstm_mask_stack.keras", "legacy_h5.h5"] {
      let data = try Data(contentsOf: KerasFixtures.url(file))
      for length in stride(from: 0, to: data.count, by: Swift.max(1, data.count / 60)) {
        let error = #expect(throws: (any Error).self, "\(file) cut at \(length)") { try Self.load(data.prefix(length), name: file) }
        #expect("\(error.map { "\($0)" } ?? "")".contains(file))
      }
    }
  }

  /// `count` seeded mutants of `original` (1–4 bytes changed), each handed to `load`, which
  /// must return or throw; returns how many loaded and how many were refused.
  static func mutants(
    of original: [UInt8], count: Int, seed: UInt64, _ load: (Data) throws -> Void
  ) -> (loaded: Int, refused: Int) {
    var generator = RandomGenerator(seed: seed)
    var (loaded, refused) = (0, 0)
    for _ in 0..<count {
      var bytes = original
      for _ in 0..<(1 + Int(generator.next() % 4)) {
        bytes[Int(generator.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: generator.next())
      }
      do {
        try load(Data(bytes))
        loaded += 1
      } catch {
        refused += 1
      }
    }
    return (loaded, refused)
  }

  /// Mutated `.keras` archives (the zip's CRCs catch most), mutated `config.json` members
  /// repacked with valid CRCs (the config reader sees every mutant), and mutated
  /// `model.weights.h5` members read by libhdf5: each loads or throws, and a model that
  /// loads holds only finite weights.
  @Test func mutatedKerasFilesNeverCrash() throws {
    let url = KerasFixtures.url("bidirectional_lstm_concat.keras")
    let archive = try NPZ.read(contentsOf: url)
    let config = [UInt8](try archive.memberData("config.json"))
    let weights = [UInt8](try archive.memberData("model.weights.h5"))
    let original = try KerasModelFile(contentsOf: url).model
    func checkFinite(_ file: KerasModelFile) {
      #expect(file.model.parameters.allSatisfy { $0.value.scalars.allSatisfy(\.isFinite) })
    }
    let whole = Self.mutants(of: [UInt8](try Data(contentsOf: url)), count: 1000, seed: 1) { checkFinite(try Self.load($0)) }
    let configs = Self.mutants(of: config, count: 1000, seed: 2) { bytes in
      checkFinite(try Self.load(StoredZip.archive([("config.json", bytes), ("model.weights.h5", Data(weights))])))
    }
    let directory = try KerasFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let weightsURL = directory.appendingPathComponent("model.weights.h5")
    let h5 = Self.mutants(of: weights, count: 1000, seed: 3) { bytes in
      try bytes.write(to: weightsURL)
      try original.loadKerasWeights(weightsURL)
    }
    #expect(original.parameters.allSatisfy { $0.value.scalars.allSatisfy(\.isFinite) })
    for (what, result) in [("archive", whole), ("config.json", configs), ("model.weights.h5", h5)] {
      #expect(result.refused > 0 && result.loaded + result.refused == 1000, "\(what): \(result)")
    }
  }

  @Test func aNaNWeightIsRefusedNamingLayerAndWeight() throws {
    let model = try KerasModelFile(contentsOf: Self.lstmCase).model
    let lstm = try #require(model.layers[1] as? LSTM)
    var values = lstm.cell.recurrentKernel!.value.scalars
    values[7] = .nan
    lstm.cell.recurrentKernel!.value = Tensor(shape: lstm.cell.recurrentKernel!.value.shape, scalars: values)
    let directory = try KerasFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let url = directory.appendingPathComponent("nan.keras")
    try model.saveKeras(url)
    let error = #expect(throws: KerasFileError.self) { try KerasModelFile(contentsOf: url) }
    #expect(error?.layer == "'lstm' (LSTM)")
    #expect(error?.message.contains("layers/lstm/cell/vars/1 (recurrent_kernel) holds nan at flat index 7") == true, "\(String(describing: error))")
  }

  @Test func wrongShapedWeightsLeaveTheModelUntouched() throws {
    // Weights of a GRU(4) model into a model whose Dense is wider: refused, nothing changed.
    let weights = try KerasFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: weights) }
    let source = try KerasModelFile(contentsOf: KerasFixtures.url("gru_reset_after.keras")).model
    let url = weights.appendingPathComponent("gru.weights.h5")
    try source.saveKerasWeights(url)
    let target = Sequential {
      Embedding(inputDim: 30, outputDim: 6, maskZero: true)
      GRU(units: 4, inputSize: 6)
      Dense(units: 3, activation: .softmax, inputSize: 4)
    }
    let before = target.getWeights().map(\.scalars)
    let error = #expect(throws: KerasFileError.self) { try target.loadKerasWeights(url) }
    #expect(error?.message.contains("layers/dense/vars/0 (kernel) has shape [4, 2], expected [4, 3]") == true, "\(String(describing: error))")
    #expect(target.getWeights().map(\.scalars) == before)
  }

  @Test(arguments: [
    (#"[1, 2, 3]"#, "no \"class_name\""),
    (#"{"class_name": "Sequential", "config": {"layers": [{"class_name": "Dense", "config": {"units": 2}}]}}"#, "no input shape"),
    (#"{"class_name": "Sequential", "config": {"layers": [{"class_name": "InputLayer", "config": {"batch_shape": [null, 5, 3]}}, {"class_name": "LSTM", "config": {"name": "l", "units": 0}}]}}"#, "option units"),
    (#"{"class_name": "Sequential", "config": {"layers": [{"class_name": "InputLayer", "config": {"batch_shape": [null, 5, 3]}}, {"class_name": "LSTM", "config": {"name": "l", "units": 4, "return_state": true}}]}}"#, "option return_state"),
    (#"{"class_name": "Sequential", "config": {"layers": [{"class_name": "InputLayer", "config": {"batch_shape": [null, 5, 3]}}, {"class_name": "Conv1D", "config": {"name": "c", "filters": 2, "kernel_size": [9]}}]}}"#, "at least 9 time steps"),
    (#"{"class_name": "Sequential", "config": {"layers": [{"class_name": "InputLayer", "config": {"batch_shape": [null, 5]}}, {"class_name": "Lambda", "config": {"name": "f"}}]}}"#, "RNNKit has no layer Lambda"),
    (#"{"class_name": "Sequential", "con"#, "not valid JSON"),
    (#"{"class_name": "Sequential", "config": {"layers": [{"class_name": "InputLayer", "config": {"batch_shape": [null, 5, 3]}}, {"class_name": "Dense", "config": {"name": "d", "units": 1073741824}}]}}"#, "its kernel would be [3, 1073741824], more than the 268435456 values"),
    (#"{"class_name": "Sequential", "config": {"layers": [{"class_name": "InputLayer", "config": {"batch_shape": [null, 5]}}, {"class_name": "Embedding", "config": {"name": "e", "input_dim": 100000000, "output_dim": 100}}]}}"#, "its embeddings would be [100000000, 100]"),
    (#"{"class_name": "Sequential", "config": {"layers": [{"class_name": "InputLayer", "config": {"batch_shape": [null, 5, 3]}}, {"class_name": "LSTM", "config": {"name": "l", "units": 100000}}]}}"#, "its recurrent_kernel would be [100000, 400000]"),
  ])
  func malformedConfigsAreRefusedClearly(_ json: String, _ words: String) throws {
    let error = #expect(throws: KerasFileError.self) { try Sequential(kerasJSON: json, name: "model.json") }
    #expect(error?.description.contains(words) == true, "\(String(describing: error))")
    #expect(error?.file == "model.json")
  }

  @Test func inputsThatDoNotFitTheModelAreRefused() throws {
    let file = try KerasModelFile(contentsOf: Self.lstmCase)
    #expect(file.inputShape == [8] && file.takesTokenIDs)
    let wrongLength = #expect(throws: KerasFileError.self) { try file.checkInput(Tensor(zeros: [2, 5]), name: "x.npy") }
    #expect(wrongLength?.description.contains("shape [2, 5] does not fit the model's input [batch] + [8]") == true)
    let badToken = #expect(throws: KerasFileError.self) {
      try file.checkInput(Tensor(shape: [1, 8], scalars: [1, 2, 3, 30, 0, 0, 0, 0]), name: "x.npy")
    }
    #expect(badToken?.description.contains("30") == true, "\(String(describing: badToken))")
    let conv = try KerasModelFile(contentsOf: KerasFixtures.url("simple_rnn_relu_backwards.keras"))
    #expect(throws: KerasFileError.self) { try conv.checkInput(Tensor(zeros: [2, 7, 4])) }
  }

  @Test func notAKerasFileIsNamed() throws {
    let error = #expect(throws: KerasFileError.self) { try Self.load(Data("hello".utf8), name: "notes.keras") }
    #expect(error?.description.contains("notes.keras: neither a .keras archive") == true)
    let weightsOnly = #expect(throws: KerasFileError.self) {
      try KerasModelFile(contentsOf: KerasFixtures.url("weights_only.weights.h5"))
    }
    #expect(weightsOnly?.message.contains("loadKerasWeights") == true)
  }
}
