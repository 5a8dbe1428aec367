/// A recurrent layer: runs a cell over every time step of a batch of sequences with one
/// fused kernel call, like `keras.layers.RNN(cell)`.
///
/// Shapes: input `[batch, time, features]`; output `[batch, time, units]` with
/// `returnSequences`, else `[batch, units]`; final states `[batch, units]` each.
///
/// Masking follows Keras: at a step whose mask is 0 the state is carried over and the
/// output repeats the previous output (zeros before the first real step).
///
/// ```swift
/// let layer = RNN(cell: LSTMCell(units: 64), returnSequences: true)
/// let y = layer(x)                                  // [batch, time, 64]
/// let (last, states) = layer.callReturningState(x)  // Keras's return_state=True
/// ```
public class RNN<Cell: RecurrentCell>: SequenceLayer {
  /// The cell whose weights the layer uses.
  public let cell: Cell
  /// Return the output of every step (`true`) or only the last one.
  public let returnSequences: Bool
  /// Process the sequence from its last step to its first; the returned sequence stays in
  /// processing order, as in Keras.
  public internal(set) var goBackwards: Bool
  /// Masked steps output zeros instead of repeating the previous output (what
  /// ``Bidirectional`` asks of its layers, as Keras does).
  var zeroOutputForMask = false

  /// A layer running `cell` over sequences.
  ///
  /// - Parameters:
  ///   - cell: the step function and weights.
  ///   - returnSequences: Keras's `return_sequences`.
  ///   - goBackwards: Keras's `go_backwards`.
  public init(cell: Cell, returnSequences: Bool = false, goBackwards: Bool = false) {
    self.cell = cell
    self.returnSequences = returnSequences
    self.goBackwards = goBackwards
  }

  /// H: the cell's units.
  public var units: Int { cell.units }

  /// The layer applied to `x`, with the final states: Keras's `return_state=True`.
  ///
  /// - Returns: the output and the final states (`[h]`, or `[h, c]` for LSTM).
  ///
  /// ```swift
  /// let (output, states) = lstm.callReturningState(x)
  /// let (h, c) = (states[0], states[1])
  /// ```
  public func callReturningState(
    _ x: Tensor, initialState: [Tensor]? = nil, mask: Tensor? = nil, training: Bool = false
  ) -> (output: Tensor, states: [Tensor]) {
    let name = String(describing: type(of: self))
    precondition(x.rank == 3, "\(name): input must be [batch, time, features], got \(x.shape)")
    let (batch, time, features) = (x.shape[0], x.shape[1], x.shape[2])
    precondition(time > 0, "\(name): input has no time steps: \(x.shape)")
    cell.build(inputSize: features)
    if let initialState {
      precondition(
        initialState.count == cell.stateCount && initialState.allSatisfy { $0.shape == [batch, units] },
        "\(name): initialState must be \(cell.stateCount) tensor(s) of shape \([batch, units]), got \(initialState.map(\.shape))")
    }
    if let mask {
      precondition(mask.shape == [batch, time], "\(name): mask must be \([batch, time]), got \(mask.shape)")
    }

    let masks = cell.dropoutMasks(batch: batch, features: features, training: training)
    var input = masks.input.map { x * $0.expandingShape(at: 1) } ?? x
    var stepMask = mask?.detached
    if goBackwards {
      input = input.reversed(alongAxis: 1)
      stepMask = stepMask?.reversed(alongAxis: 1)
    }
    let (outputs, states) = cell.kind.sequence(
      x: input, initialStates: initialState, mask: stepMask, recurrentDropoutMask: masks.recurrent,
      kernel: cell.kernel!.forForward, recurrentKernel: cell.recurrentKernel!.forForward,
      bias: cell.bias?.forForward, workspace: cell.workspace)

    // The kernel repeats the carried state at masked steps; Keras repeats the previous
    // *output*, which is zero before a row's first real step (or always zero for
    // Bidirectional's layers).
    var sequence = outputs
    if let stepMask {
      let outputMask = zeroOutputForMask ? stepMask : stepMask.seenSoFar(alongAxis: 1)
      sequence = outputs * outputMask.expandingShape(at: 2)
    }
    return (returnSequences ? sequence : sequence[.all, time - 1, .all], states)
  }

}

extension Tensor {
  /// For a 0/1 mask: 1 from the first 1 along `axis` onwards (a running maximum).
  /// Not differentiable; masks are data.
  func seenSoFar(alongAxis axis: Int) -> Tensor {
    precondition(rank == 2 && axis == 1, "seenSoFar: implemented for [batch, time] masks")
    let (rows, steps) = (shape[0], shape[1])
    var values = scalars
    for r in 0..<rows {
      var seen: Float = 0
      for t in 0..<steps {
        seen = Swift.max(seen, values[r * steps + t] != 0 ? 1 : 0)
        values[r * steps + t] = seen
      }
    }
    return Tensor(shape: shape, scalars: values)
  }
}

/// The fully-connected recurrent layer, `keras.layers.SimpleRNN`.
///
/// ```swift
/// let model = Sequential {
///   SimpleRNN(units: 64, returnSequences: true)
///   SimpleRNN(units: 64)
/// }
/// ```
public final class SimpleRNN: RNN<SimpleRNNCell> {
  /// A SimpleRNN layer; the parameters are ``SimpleRNNCell``'s and Keras's.
  public init(
    units: Int, activation: Activation = .tanh, useBias: Bool = true,
    kernelInitializer: Initializer = .glorotUniform, recurrentInitializer: Initializer = .orthogonal(),
    biasInitializer: Initializer = .zeros, dropout: Float = 0, recurrentDropout: Float = 0,
    returnSequences: Bool = false, goBackwards: Bool = false, inputSize: Int? = nil, seed: UInt64? = nil
  ) {
    super.init(
      cell: SimpleRNNCell(
        units: units, activation: activation, useBias: useBias, kernelInitializer: kernelInitializer,
        recurrentInitializer: recurrentInitializer, biasInitializer: biasInitializer, dropout: dropout,
        recurrentDropout: recurrentDropout, inputSize: inputSize, seed: seed),
      returnSequences: returnSequences, goBackwards: goBackwards)
  }
}

/// The long short-term memory layer, `keras.layers.LSTM`.
///
/// ```swift
/// let lstm = LSTM(units: 64, returnSequences: true, dropout: 0.5)
/// let y = lstm(x, training: true)      // [batch, time, 64]
/// ```
public final class LSTM: RNN<LSTMCell> {
  /// An LSTM layer; the parameters are ``LSTMCell``'s and Keras's.
  public init(
    units: Int, activation: Activation = .tanh, recurrentActivation: Activation = .sigmoid,
    useBias: Bool = true, unitForgetBias: Bool = true, kernelInitializer: Initializer = .glorotUniform,
    recurrentInitializer: Initializer = .orthogonal(), biasInitializer: Initializer = .zeros,
    dropout: Float = 0, recurrentDropout: Float = 0, returnSequences: Bool = false,
    goBackwards: Bool = false, inputSize: Int? = nil, seed: UInt64? = nil
  ) {
    super.init(
      cell: LSTMCell(
        units: units, activation: activation, recurrentActivation: recurrentActivation, useBias: useBias,
        unitForgetBias: unitForgetBias, kernelInitializer: kernelInitializer,
        recurrentInitializer: recurrentInitializer, biasInitializer: biasInitializer, dropout: dropout,
        recurrentDropout: recurrentDropout, inputSize: inputSize, seed: seed),
      returnSequences: returnSequences, goBackwards: goBackwards)
  }
}

/// The gated recurrent unit layer, `keras.layers.GRU`.
///
/// ```swift
/// let gru = GRU(units: 64, resetAfter: true)
/// let y = gru(x)                       // [batch, 64]
/// ```
public final class GRU: RNN<GRUCell> {
  /// A GRU layer; the parameters are ``GRUCell``'s and Keras's.
  public init(
    units: Int, activation: Activation = .tanh, recurrentActivation: Activation = .sigmoid,
    useBias: Bool = true, resetAfter: Bool = true, kernelInitializer: Initializer = .glorotUniform,
    recurrentInitializer: Initializer = .orthogonal(), biasInitializer: Initializer = .zeros,
    dropout: Float = 0, recurrentDropout: Float = 0, returnSequences: Bool = false,
    goBackwards: Bool = false, inputSize: Int? = nil, seed: UInt64? = nil
  ) {
    super.init(
      cell: GRUCell(
        units: units, activation: activation, recurrentActivation: recurrentActivation, useBias: useBias,
        resetAfter: resetAfter, kernelInitializer: kernelInitializer,
        recurrentInitializer: recurrentInitializer, biasInitializer: biasInitializer, dropout: dropout,
        recurrentDropout: recurrentDropout, inputSize: inputSize, seed: seed),
      returnSequences: returnSequences, goBackwards: goBackwards)
  }
}
