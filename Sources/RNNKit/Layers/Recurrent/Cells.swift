/// The fully-connected recurrent cell: `h = activation(x·W + h·U + b)`; its output is h.
///
/// Weights (Keras order): `kernel [features, units]`, `recurrent_kernel [units, units]`,
/// `bias [units]`.
///
/// ```swift
/// let cell = SimpleRNNCell(units: 64)
/// var h = cell.zeroState(batchSize: 4)
/// var out = h[0]
/// for xt in x.unstacked(alongAxis: 1) { (out, h) = cell(xt, h) }   // x: [4, 80, 100]
/// ```
public final class SimpleRNNCell: RecurrentCell {
  /// The activation: `.tanh` (default) or `.relu` (IRNN-style models).
  public let activation: Activation

  /// A SimpleRNN cell.
  ///
  /// - Parameters:
  ///   - units: the state size H.
  ///   - activation: `.tanh` or `.relu`.
  ///   - useBias: add a bias.
  ///   - kernelInitializer: the input kernel's initializer (Keras's default: Glorot uniform).
  ///   - recurrentInitializer: the recurrent kernel's initializer (Keras's default: orthogonal).
  ///   - biasInitializer: the bias's initializer (Keras's default: zeros).
  ///   - dropout: the fraction of the inputs dropped in training (one mask per sequence).
  ///   - recurrentDropout: the fraction of the recurrent state dropped in training.
  ///   - inputSize: build the weights now for this many features (else on first call).
  ///   - seed: seeds initialisation and dropout; `nil` draws from ``setRandomSeed(_:)``'s stream.
  public init(
    units: Int, activation: Activation = .tanh, useBias: Bool = true,
    kernelInitializer: Initializer = .glorotUniform, recurrentInitializer: Initializer = .orthogonal(),
    biasInitializer: Initializer = .zeros, dropout: Float = 0, recurrentDropout: Float = 0,
    inputSize: Int? = nil, seed: UInt64? = nil
  ) {
    precondition(
      activation == .tanh || activation == .relu,
      "SimpleRNNCell: activation must be .tanh or .relu, got .\(activation)")
    self.activation = activation
    super.init(
      kind: .simpleRNN(relu: activation == .relu), units: units, useBias: useBias,
      kernelInitializer: kernelInitializer, recurrentInitializer: recurrentInitializer,
      biasInitializer: biasInitializer, dropout: dropout, recurrentDropout: recurrentDropout,
      inputSize: inputSize, seed: seed)
  }
}

/// The long short-term memory cell (Hochreiter & Schmidhuber 1997), Keras's gate order
/// i, f, c, o; state `[h, c]`; output h.
///
/// ```
/// i = σ(x·Wi + h·Ui + bi)   f = σ(x·Wf + h·Uf + bf)   g = tanh(x·Wc + h·Uc + bc)
/// o = σ(x·Wo + h·Uo + bo)   c' = f·c + i·g            h' = o·tanh(c')
/// ```
/// Weights: `kernel [features, 4·units]`, `recurrent_kernel [units, 4·units]`, `bias [4·units]`.
///
/// ```swift
/// let cell = LSTMCell(units: 64)
/// var state = cell.zeroState(batchSize: 4)      // [h, c]
/// var out = state[0]
/// for xt in x.unstacked(alongAxis: 1) { (out, state) = cell(xt, state) }
/// ```
public final class LSTMCell: RecurrentCell {
  /// Whether the forget gate's bias starts at 1 (Keras's default).
  public let unitForgetBias: Bool

  /// An LSTM cell.
  ///
  /// - Parameters:
  ///   - units: the state size H.
  ///   - activation: `.tanh`, the only one the fused kernel computes.
  ///   - recurrentActivation: `.sigmoid`, likewise.
  ///   - useBias: add a bias.
  ///   - unitForgetBias: start the forget gate's bias at 1 (bias initializer must be `.zeros`, as in Keras).
  ///   - kernelInitializer: the input kernel's initializer (Keras's default: Glorot uniform).
  ///   - recurrentInitializer: the recurrent kernel's initializer (Keras's default: orthogonal).
  ///   - biasInitializer: the bias's initializer (Keras's default: zeros).
  ///   - dropout: the fraction of the inputs dropped in training (one mask per sequence).
  ///   - recurrentDropout: the fraction of the recurrent state dropped in training.
  ///   - inputSize: build the weights now for this many features.
  ///   - seed: seeds initialisation and dropout.
  public init(
    units: Int, activation: Activation = .tanh, recurrentActivation: Activation = .sigmoid,
    useBias: Bool = true, unitForgetBias: Bool = true,
    kernelInitializer: Initializer = .glorotUniform, recurrentInitializer: Initializer = .orthogonal(),
    biasInitializer: Initializer = .zeros, dropout: Float = 0, recurrentDropout: Float = 0,
    inputSize: Int? = nil, seed: UInt64? = nil
  ) {
    precondition(
      activation == .tanh && recurrentActivation == .sigmoid,
      "LSTMCell: the fused kernel computes activation .tanh with recurrentActivation .sigmoid, got .\(activation) and .\(recurrentActivation)")
    self.unitForgetBias = unitForgetBias
    super.init(
      kind: .lstm, units: units, useBias: useBias, kernelInitializer: kernelInitializer,
      recurrentInitializer: recurrentInitializer, biasInitializer: biasInitializer, dropout: dropout,
      recurrentDropout: recurrentDropout, inputSize: inputSize, seed: seed)
  }

  override func initialBias(using generator: inout RandomGenerator) -> Tensor {
    guard unitForgetBias else { return super.initialBias(using: &generator) }
    // Keras: concatenate(bias_initializer(H), ones(H), bias_initializer(2H)).
    return Tensor(concatenating: [
      biasInitializer.tensor(shape: [units], using: &generator), Tensor(ones: [units]),
      biasInitializer.tensor(shape: [2 * units], using: &generator),
    ])
  }
}

/// The gated recurrent unit (Cho et al. 2014), Keras's gate order z, r, h; output h.
///
/// With `resetAfter: true` (Keras's default, cuDNN-compatible) the reset gate applies after
/// the recurrent product and the bias is `[2, 3·units]` (input row, recurrent row):
/// ```
/// z = σ(x·Wz + bz + h·Uz + b'z)   r = σ(x·Wr + br + h·Ur + b'r)
/// ĥ = tanh(x·Wh + bh + r ⊙ (h·Uh + b'h))     h' = z ⊙ h + (1 − z) ⊙ ĥ
/// ```
/// With `resetAfter: false`, `ĥ = tanh(x·Wh + (r ⊙ h)·Uh + bh)` and the bias is `[3·units]`.
///
/// ```swift
/// let cell = GRUCell(units: 64)
/// var h = cell.zeroState(batchSize: 4)
/// var out = h[0]
/// for xt in x.unstacked(alongAxis: 1) { (out, h) = cell(xt, h) }
/// ```
public final class GRUCell: RecurrentCell {
  /// Whether the reset gate applies after the recurrent product (Keras 2+ default).
  public let resetAfter: Bool

  /// A GRU cell.
  ///
  /// - Parameters:
  ///   - units: the state size H.
  ///   - activation: `.tanh`, the only one the fused kernel computes.
  ///   - recurrentActivation: `.sigmoid`, likewise.
  ///   - useBias: add a bias.
  ///   - resetAfter: Keras's `reset_after`.
  ///   - kernelInitializer: the input kernel's initializer (Keras's default: Glorot uniform).
  ///   - recurrentInitializer: the recurrent kernel's initializer (Keras's default: orthogonal).
  ///   - biasInitializer: the bias's initializer (Keras's default: zeros).
  ///   - dropout: the fraction of the inputs dropped in training (one mask per sequence).
  ///   - recurrentDropout: the fraction of the recurrent state dropped in training.
  ///   - inputSize: build the weights now for this many features.
  ///   - seed: seeds initialisation and dropout.
  public init(
    units: Int, activation: Activation = .tanh, recurrentActivation: Activation = .sigmoid,
    useBias: Bool = true, resetAfter: Bool = true,
    kernelInitializer: Initializer = .glorotUniform, recurrentInitializer: Initializer = .orthogonal(),
    biasInitializer: Initializer = .zeros, dropout: Float = 0, recurrentDropout: Float = 0,
    inputSize: Int? = nil, seed: UInt64? = nil
  ) {
    precondition(
      activation == .tanh && recurrentActivation == .sigmoid,
      "GRUCell: the fused kernel computes activation .tanh with recurrentActivation .sigmoid, got .\(activation) and .\(recurrentActivation)")
    self.resetAfter = resetAfter
    super.init(
      kind: .gru(resetAfter: resetAfter), units: units, useBias: useBias,
      kernelInitializer: kernelInitializer, recurrentInitializer: recurrentInitializer,
      biasInitializer: biasInitializer, dropout: dropout, recurrentDropout: recurrentDropout,
      inputSize: inputSize, seed: seed)
  }
}
