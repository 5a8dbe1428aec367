import Foundation
import RNNKit

/// A PyTorch `state_dict` saved as safetensors (`safetensors.torch.save_file(model.state_dict(),
/// ...)`), loaded into RNNKit layers with PyTorch's conventions converted to Keras's:
///
/// | PyTorch | RNNKit (Keras layout) |
/// |---|---|
/// | `nn.LSTM` `weight_ih_l{k}` [4H, D], `weight_hh_l{k}` [4H, H], `bias_ih_l{k}` + `bias_hh_l{k}` | `LSTM` kernel = W_ihᵀ [D, 4H], recurrent kernel = W_hhᵀ, bias = b_ih + b_hh (gates i, f, g, o = Keras's i, f, c, o) |
/// | `nn.GRU` (gates r, z, n) | `GRU(resetAfter: true)`: rows reordered to z, r, n, transposed; bias [2, 3H] = [b_ih; b_hh] reordered |
/// | `nn.RNN` (tanh or relu) | `SimpleRNN`: kernel = W_ihᵀ, bias = b_ih + b_hh |
/// | `_reverse` suffix | the backward layer of a `Bidirectional` |
/// | `nn.Linear` `weight` [out, in], `bias` | `Dense` kernel = weightᵀ |
/// | `nn.Embedding` `weight` | `Embedding` embeddings |
///
/// `batch_first` changes no weight. Layer `k` of a `num_layers` module is the `k`-th RNNKit
/// layer of a stack (every one but the last with `returnSequences: true`).
///
/// ```swift
/// let state = try PyTorchStateDict(contentsOf: URL(fileURLWithPath: "model.safetensors"))
/// let model = Sequential {
///   Embedding(inputDim: 30, outputDim: 5)
///   LSTM(units: 4, inputSize: 5)
///   Dense(units: 2, inputSize: 4)
/// }
/// try state.load(into: model.layers[0], module: "embedding")
/// try state.load(into: model.layers[1], module: "lstm")
/// try state.load(into: model.layers[2], module: "fc")
/// ```
public struct PyTorchStateDict {
  /// The tensors by their state-dict key.
  public let tensors: [String: Tensor]
  /// The file, for errors.
  public let name: String

  /// Reads a safetensors file.
  ///
  /// - Throws: the safetensors reader's error for a malformed file.
  public init(contentsOf url: URL) throws {
    tensors = try SafeTensors.read(contentsOf: url).tensors
    name = url.relativePath
  }

  /// A state dict already in memory; `name` labels errors.
  public init(tensors: [String: Tensor], name: String = "state dict") {
    self.tensors = tensors
    self.name = name
  }

  /// Loads the PyTorch module `module` (a key prefix such as `"lstm"`, `"fc"`, or `""` for a
  /// bare module) into `layer`: an `Embedding`, a `Dense`, a recurrent layer (PyTorch layer
  /// `index` of the module) or a `Bidirectional` (layer `index` and its `_reverse`).
  ///
  /// - Throws: ``KerasFileError`` naming the file, the key and both shapes for a missing or
  ///   mismatched weight; nothing is changed then.
  public func load(into layer: any Layer, module: String, index: Int = 0) throws {
    let prefix = module.isEmpty ? "" : module + "."
    let weights: [Tensor]
    switch layer {
    case let embedding as Embedding:
      weights = [try tensor(prefix + "weight", shape: embedding.embeddings.value.shape)]
    case let dense as Dense:
      guard let inputSize = dense.inputSize else { throw notBuilt(layer) }
      var list = [try tensor(prefix + "weight", shape: [dense.units, inputSize]).transposed()]
      if dense.useBias { list.append(try tensor(prefix + "bias", shape: [dense.units])) }
      weights = list
    default:
      guard let recurrent = RecurrentLayer(layer) else {
        throw KerasFileError(file: name, layer: "\(type(of: layer))", message: "RNNKit loads PyTorch weights into Embedding, Dense and recurrent layers")
      }
      var list: [Tensor] = []
      for (direction, rnn) in recurrent.directions.enumerated() {
        list += try cellWeights(rnn.cell, key: "l\(index)" + (direction == 1 ? "_reverse" : ""), prefix: prefix)
      }
      weights = list
    }
    do { try layer.setWeights(weights) } catch {
      throw KerasFileError(file: name, layer: "\(type(of: layer))", message: "\(error)")
    }
  }

  /// The RNNKit layers of a PyTorch `nn.LSTM`, `nn.GRU` or `nn.RNN` saved under `module`,
  /// with its weights: one layer per `num_layers`, each a `Bidirectional` (`concat`) when
  /// the module is bidirectional. Sizes, depth, direction and bias come from the tensors'
  /// keys and shapes; `activation` is `nn.RNN`'s `nonlinearity` (`.tanh` or `.relu`).
  ///
  /// - Parameters:
  ///   - kind: the PyTorch module: `.lstm`, `.gru` or `.rnn`.
  ///   - module: the module's key prefix in the state dict (`"lstm"` for `lstm.weight_ih_l0`),
  ///     `""` for a module saved on its own.
  ///   - activation: `nn.RNN`'s `nonlinearity`; `.tanh` for the others.
  ///   - returnSequences: whether the last layer returns every step (PyTorch's `output`) or
  ///     only the last (`output[:, -1]`); the layers below always return every step.
  /// - Throws: ``KerasFileError`` for missing or inconsistent tensors.
  ///
  /// ```swift
  /// let layers = try state.recurrentLayers(.lstm, module: "lstm")   // nn.LSTM(3, 4, num_layers=2)
  /// let y = Sequential(layers)(x)                                    // [batch, time, 4]
  /// ```
  public func recurrentLayers(
    _ kind: PyTorchRecurrentKind, module: String = "", activation: Activation = .tanh, returnSequences: Bool = true
  ) throws -> [any Layer] {
    let prefix = module.isEmpty ? "" : module + "."
    guard kind == .rnn ? [.tanh, .relu].contains(activation) : activation == .tanh else {
      throw KerasFileError(file: name, message: "activation .\(activation): nn.\(kind.rawValue) computes \(kind == .rnn ? ".tanh or .relu" : ".tanh")")
    }
    let gates = kind.gateCount
    var layers: [any Layer] = []
    while let wih = tensors[prefix + "weight_ih_l\(layers.count)"] {
      let key = prefix + "weight_ih_l\(layers.count)"
      guard wih.rank == 2, wih.shape[0] > 0, wih.shape[0] % gates == 0, wih.shape[1] > 0 else {
        throw KerasFileError(file: name, message: "\(key) has shape \(wih.shape), expected [\(gates)·hidden, input] for nn.\(kind.rawValue)")
      }
      let (units, inputSize) = (wih.shape[0] / gates, wih.shape[1])
      let bidirectional = tensors[key + "_reverse"] != nil
      let sequences = returnSequences || tensors[prefix + "weight_ih_l\(layers.count + 1)"] != nil
      let useBias = tensors[prefix + "bias_ih_l\(layers.count)"] != nil
      let layer: any Layer
      switch (kind, bidirectional) {
      case (.lstm, false):
        layer = LSTM(units: units, useBias: useBias, unitForgetBias: false, returnSequences: sequences, inputSize: inputSize)
      case (.lstm, true):
        layer = Bidirectional(LSTM(units: units, useBias: useBias, unitForgetBias: false, returnSequences: sequences, inputSize: inputSize))
      case (.gru, false):
        layer = GRU(units: units, useBias: useBias, returnSequences: sequences, inputSize: inputSize)
      case (.gru, true):
        layer = Bidirectional(GRU(units: units, useBias: useBias, returnSequences: sequences, inputSize: inputSize))
      case (.rnn, false):
        layer = SimpleRNN(units: units, activation: activation, useBias: useBias, returnSequences: sequences, inputSize: inputSize)
      case (.rnn, true):
        layer = Bidirectional(
          SimpleRNN(units: units, activation: activation, useBias: useBias, returnSequences: sequences, inputSize: inputSize))
      }
      try load(into: layer, module: module, index: layers.count)
      layers.append(layer)
    }
    guard !layers.isEmpty else {
      throw KerasFileError(file: name, message: "no tensor \(prefix)weight_ih_l0: not an nn.\(kind.rawValue) state dict under \"\(module)\"")
    }
    return layers
  }

  /// One direction of one PyTorch recurrent layer, as the cell's Keras-order weights.
  func cellWeights(_ cell: RecurrentCell, key: String, prefix: String) throws -> [Tensor] {
    guard let inputSize = cell.inputSize else { throw notBuilt(cell) }
    let h = cell.units
    if let gru = cell as? GRUCell, !gru.resetAfter {
      throw KerasFileError(file: name, layer: "GRU", message: "PyTorch's GRU is Keras's reset_after=True; create the GRU with resetAfter: true")
    }
    let gates = cell is LSTMCell ? 4 : cell is GRUCell ? 3 : 1
    // PyTorch's GRU blocks are r, z, n; Keras's are z, r, h.
    let order = gates == 3 ? [1, 0, 2] : Array(0..<gates)
    func reordered(_ t: Tensor) -> Tensor {
      gates == 3 ? Tensor(concatenating: order.map { g in t[(g * h)..<((g + 1) * h)] }, alongAxis: 0) : t
    }
    let wih = try tensor(prefix + "weight_ih_" + key, shape: [gates * h, inputSize])
    let whh = try tensor(prefix + "weight_hh_" + key, shape: [gates * h, h])
    var weights = [reordered(wih).transposed(), reordered(whh).transposed()]
    let hasBias = tensors[prefix + "bias_ih_" + key] != nil
    guard hasBias == cell.useBias else {
      throw KerasFileError(
        file: name, layer: "\(type(of: cell))",
        message: "\(prefix)bias_ih_\(key) is \(hasBias ? "present" : "absent") but the layer has useBias: \(cell.useBias)")
    }
    if hasBias {
      let bih = reordered(try tensor(prefix + "bias_ih_" + key, shape: [gates * h]))
      let bhh = reordered(try tensor(prefix + "bias_hh_" + key, shape: [gates * h]))
      weights.append(gates == 3 ? Tensor(concatenating: [bih, bhh]).reshaped(to: [2, 3 * h]) : bih + bhh)
    }
    return weights
  }

  func tensor(_ key: String, shape: [Int]) throws -> Tensor {
    guard let t = tensors[key] else {
      let near = tensors.keys.sorted().prefix(12).joined(separator: ", ")
      throw KerasFileError(file: name, message: "no tensor \(key) (shape \(shape) expected); the file has \(near)")
    }
    guard t.shape == shape else {
      throw KerasFileError(file: name, message: "\(key) has shape \(t.shape), expected \(shape)")
    }
    if let bad = t.scalars.firstIndex(where: { !$0.isFinite }) {
      throw KerasFileError(file: name, message: "\(key) holds \(t.scalars[bad]) at flat index \(bad); weights must be finite")
    }
    return t
  }

  func notBuilt(_ layer: any Layer) -> KerasFileError {
    KerasFileError(file: name, layer: "\(type(of: layer))", message: "has no weights yet: create it with inputSize:")
  }
}

/// The recurrent modules of PyTorch that ``PyTorchStateDict/recurrentLayers(_:module:activation:returnSequences:)`` reads.
public enum PyTorchRecurrentKind: String, Sendable, CaseIterable {
  /// `nn.LSTM` → `LSTM`.
  case lstm = "LSTM"
  /// `nn.GRU` → `GRU` with `resetAfter: true`.
  case gru = "GRU"
  /// `nn.RNN` → `SimpleRNN`.
  case rnn = "RNN"

  var gateCount: Int {
    switch self {
    case .lstm: return 4
    case .gru: return 3
    case .rnn: return 1
    }
  }
}
