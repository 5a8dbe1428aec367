import Foundation
import Testing

@testable import RNNKit
@testable import RNNKitKeras

/// PyTorch's nn.LSTM / nn.GRU / nn.RNN / nn.Embedding / nn.Linear weights in, PyTorch's
/// outputs and final states out (fixtures from Tests/Reference/torch_rnn_weights.py).
@Suite struct PyTorchStateDictTests {
  struct Config: Decodable {
    let module: String
    let num_layers: Int?
    let bidirectional: Bool?
    let nonlinearity: String?
  }

  struct CaseFile: Decodable { let config: Config }

  @Test func everyCaseIsThere() {
    #expect(KerasFixtures.torchCases.count >= 9, "PyTorch fixture cases: \(KerasFixtures.torchCases)")
  }

  @Test(arguments: KerasFixtures.torchCases.filter { $0 != "embedding_lstm_linear" })
  func recurrentModulesMatchPyTorch(_ name: String) throws {
    let dir = KerasFixtures.torch
    let config = try JSONDecoder().decode(CaseFile.self, from: Data(contentsOf: dir.appendingPathComponent("\(name).json"))).config
    let state = try PyTorchStateDict(contentsOf: dir.appendingPathComponent("\(name).safetensors"))
    let kind = try #require(PyTorchRecurrentKind(rawValue: config.module))
    let layers = try state.recurrentLayers(kind, activation: config.nonlinearity == "relu" ? .relu : .tanh)
    #expect(layers.count == (config.num_layers ?? 1))

    var x = try KerasFixtures.array(dir.appendingPathComponent("\(name).input.npy"))
    var finalStates: [[Tensor]] = []
    for layer in layers {
      let sequenceLayer = try #require(layer as? any SequenceLayer)
      let (output, states) = sequenceLayer.callReturningState(x, initialState: nil, mask: nil, training: false)
      finalStates.append(states)
      x = output
    }
    let expected = try KerasFixtures.array(dir.appendingPathComponent("\(name).expected.npy"))
    #expect(maxDifference(x, expected) <= 1e-5, "\(name): output max |RNNKit − PyTorch| = \(maxDifference(x, expected))")

    // h_n[l·dirs + d] (and c_n): each layer's states are [h, c] per direction, forward first.
    let perDirection = kind == .lstm ? 2 : 1
    for (file, offset) in [("h_n", 0), ("c_n", 1)] where offset < perDirection {
      let expectedStates = try KerasFixtures.array(dir.appendingPathComponent("\(name).\(file).npy"))
      let ours = finalStates.flatMap { states in stride(from: offset, to: states.count, by: perDirection).map { states[$0] } }
      let stacked = Tensor(concatenating: ours.map { $0.expandingShape(at: 0) }, alongAxis: 0)
      #expect(maxDifference(stacked, expectedStates) <= 1e-5, "\(name): \(file)")
    }
  }

  @Test func embeddingLSTMLinearModelMatchesPyTorch() throws {
    let dir = KerasFixtures.torch
    let state = try PyTorchStateDict(contentsOf: dir.appendingPathComponent("embedding_lstm_linear.safetensors"))
    let model = Sequential {
      Embedding(inputDim: 30, outputDim: 5)
      LSTM(units: 4, inputSize: 5)
      Dense(units: 2, inputSize: 4)
    }
    try state.load(into: model.layers[0], module: "embedding")
    try state.load(into: model.layers[1], module: "lstm")
    try state.load(into: model.layers[2], module: "fc")
    let x = try KerasFixtures.array(dir.appendingPathComponent("embedding_lstm_linear.input.npy"))
    let expected = try KerasFixtures.array(dir.appendingPathComponent("embedding_lstm_linear.expected.npy"))
    #expect(maxDifference(model.predict(x), expected) <= 1e-5)
  }

  @Test func mismatchedModulesAreRefusedByKeyAndShape() throws {
    let state = try PyTorchStateDict(contentsOf: KerasFixtures.torch.appendingPathComponent("lstm_1layer.safetensors"))
    let wrongSize = LSTM(units: 5, inputSize: 3)
    let before = wrongSize.getWeights()
    let error = #expect(throws: KerasFileError.self) { try state.load(into: wrongSize, module: "") }
    #expect(error?.description.contains("weight_ih_l0 has shape [16, 3], expected [20, 3]") == true, "\(String(describing: error))")
    #expect(wrongSize.getWeights().map(\.scalars) == before.map(\.scalars), "nothing changed")
    #expect(throws: KerasFileError.self) { try state.recurrentLayers(.gru) }
    #expect(throws: KerasFileError.self) { try state.load(into: GRU(units: 4, resetAfter: false, inputSize: 3), module: "") }
  }
}
