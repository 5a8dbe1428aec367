import RNNKit

/// The per-sample shapes that flow through a chain of RNNKit layers (no batch axis; nil is a
/// length Keras leaves open, like `None` time steps). The config reader builds each layer
/// for the features it receives; `rnnkit predict` checks an input against the model before
/// any layer sees it; the config writer records each layer's input shape.
enum LayerShapes {
  /// The output shape of `layer` for a per-sample `input` shape, or an error naming the
  /// layer (`label`) and both shapes.
  static func output(of layer: any Layer, input: [Int?], label: String, file: String) throws -> [Int?] {
    func fail(_ expected: String) -> KerasFileError {
      KerasFileError(file: file, layer: label, message: "expected input of shape \(expected) per sample, got \(describe(input))")
    }
    func features(_ built: Int?) throws -> Int {
      guard let last = input.last, let f = last else { throw fail("[..., features] with a known feature size") }
      if let built, built != f { throw fail("[..., \(built)]") }
      return f
    }
    switch layer {
    case let embedding as Embedding:
      guard input.count == 1 else { throw fail("[time] (token ids)") }
      return input + [embedding.outputDim]
    case let dense as Dense:
      guard !input.isEmpty else { throw fail("[..., features]") }
      _ = try features(dense.inputSize)
      return input.dropLast() + [dense.units]
    case let conv as Conv1D:
      guard input.count == 2 else { throw fail("[time, channels]") }
      _ = try features(conv.inputSize)
      let steps = try input[0].map { try window(conv.padding, length: $0, size: conv.kernelSize, stride: conv.strides, fail: fail) }
      return [steps, conv.filters]
    case let pool as MaxPooling1D:
      guard input.count == 2 else { throw fail("[time, channels]") }
      let steps = try input[0].map { try window(pool.padding, length: $0, size: pool.poolSize, stride: pool.strides, fail: fail) }
      return [steps, input[1]]
    case is GlobalMaxPooling1D, is GlobalAveragePooling1D:
      guard input.count == 2 else { throw fail("[time, channels]") }
      return [input[1]]
    case is Flatten:
      guard !input.isEmpty else { throw fail("[d1, d2, ...]") }
      var total = 1
      for d in input {
        guard let d else { throw fail("known sizes on every axis (Flatten needs a fixed number of time steps)") }
        let (product, overflow) = total.multipliedReportingOverflow(by: d)
        guard !overflow, product <= 1 << 30 else { throw fail("at most 2^30 values") }
        total = product
      }
      return [total]
    case is Dropout, is ActivationLayer:
      return input
    default:
      if let recurrent = RecurrentLayer(layer) {
        guard input.count == 2 else { throw fail("[time, features]") }
        _ = try features(recurrent.inputSize)
        let units = recurrent.outputUnits
        return recurrent.returnSequences ? [input[0], units] : [units]
      }
      throw KerasFileError(file: file, layer: label, message: "RNNKit cannot describe a \(type(of: layer)) to Keras")
    }
  }

  /// The output shape of a chain of layers, checking each.
  static func output(of layers: [any Layer], input: [Int?], file: String) throws -> [Int?] {
    var shape = input
    for (i, layer) in layers.enumerated() {
      shape = try output(of: layer, input: shape, label: "\(i) (\(type(of: layer)))", file: file)
    }
    return shape
  }

  /// Keras's output length of a window of `size` moved by `stride` over `length` steps.
  static func window(
    _ padding: Padding, length: Int, size: Int, stride: Int, fail: (String) -> KerasFileError
  ) throws -> Int {
    switch padding {
    case .valid:
      guard length >= size else { throw fail("at least \(size) time steps") }
      return (length - size) / stride + 1
    case .same:
      guard length >= 1 else { throw fail("at least 1 time step") }
      return (length + stride - 1) / stride
    }
  }

  /// A shape as Keras prints it, `None` for open lengths.
  static func describe(_ shape: [Int?]) -> String {
    "[" + shape.map { $0.map(String.init) ?? "None" }.joined(separator: ", ") + "]"
  }
}

/// A recurrent layer of any cell, plain or Bidirectional, seen through what the Keras
/// readers and writers need: its sub-layers, sizes and options.
struct RecurrentLayer {
  /// The RNN layers: one, or the forward and backward layers of a Bidirectional.
  let directions: [AnyRNN]
  /// The Bidirectional merge mode, nil for a plain layer.
  let mergeMode: MergeMode?

  init?(_ layer: any Layer) {
    switch layer {
    case let l as RNN<SimpleRNNCell>: (directions, mergeMode) = ([AnyRNN(l)], nil)
    case let l as RNN<LSTMCell>: (directions, mergeMode) = ([AnyRNN(l)], nil)
    case let l as RNN<GRUCell>: (directions, mergeMode) = ([AnyRNN(l)], nil)
    case let b as Bidirectional<SimpleRNNCell>:
      (directions, mergeMode) = ([AnyRNN(b.forwardLayer), AnyRNN(b.backwardLayer)], b.mergeMode)
    case let b as Bidirectional<LSTMCell>:
      (directions, mergeMode) = ([AnyRNN(b.forwardLayer), AnyRNN(b.backwardLayer)], b.mergeMode)
    case let b as Bidirectional<GRUCell>:
      (directions, mergeMode) = ([AnyRNN(b.forwardLayer), AnyRNN(b.backwardLayer)], b.mergeMode)
    default: return nil
    }
  }

  var inputSize: Int? { directions[0].cell.inputSize }
  var returnSequences: Bool { directions[0].returnSequences }
  var outputUnits: Int { mergeMode == .concat ? 2 * directions[0].cell.units : directions[0].cell.units }
}

/// An `RNN` of any cell, seen through its cell.
struct AnyRNN {
  let layer: any Layer
  let cell: RecurrentCell
  let returnSequences: Bool
  let goBackwards: Bool

  init<Cell: RecurrentCell>(_ rnn: RNN<Cell>) {
    layer = rnn
    cell = rnn.cell
    returnSequences = rnn.returnSequences
    goBackwards = rnn.goBackwards
  }
}
