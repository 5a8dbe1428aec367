/// The shared machinery of ``SimpleRNNCell``, ``LSTMCell`` and ``GRUCell``: the weights in
/// Keras's layout, their lazy creation on first use, dropout masks, and the fused kernels.
///
/// A cell computes one time step: `cell(xt, state)` → `(output, newState)`. The layers
/// (``SimpleRNN``, ``LSTM``, ``GRU``) run a whole sequence through the same cell with one
/// fused kernel call.
///
/// Shapes: `xt: [batch, features]`, each state `[batch, units]`; weights
/// `kernel [features, G·units]`, `recurrent_kernel [units, G·units]`, `bias [G·units]`
/// (GRU with `resetAfter`: `[2, 3·units]`), G = 1, 4, 3 for SimpleRNN, LSTM, GRU.
public class RecurrentCell: Layer, LazilyBuilt {
  /// H: the size of the output and of each state.
  public let units: Int
  /// Whether the cell adds a bias.
  public let useBias: Bool
  /// The fraction of input features dropped during training (one mask per sequence).
  public let dropout: Float
  /// The fraction of recurrent state units dropped during training (one mask per gate
  /// and sequence).
  public let recurrentDropout: Float
  let kind: RecurrentOperation
  let kernelInitializer: Initializer
  let recurrentInitializer: Initializer
  let biasInitializer: Initializer

  /// The input kernel W, `[features, G·units]`; `nil` until the cell knows its input size.
  public private(set) var kernel: Parameter?
  /// The recurrent kernel U, `[units, G·units]`; `nil` until built.
  public private(set) var recurrentKernel: Parameter?
  /// The bias; `nil` until built or when `useBias` is false.
  public private(set) var bias: Parameter?

  var generator: RandomGenerator
  let workspace = KernelWorkspace()

  init(
    kind: RecurrentOperation, units: Int, useBias: Bool, kernelInitializer: Initializer,
    recurrentInitializer: Initializer, biasInitializer: Initializer, dropout: Float,
    recurrentDropout: Float, inputSize: Int?, seed: UInt64?
  ) {
    precondition(units > 0, "\(Self.self): units must be positive, got \(units)")
    precondition((0..<1).contains(dropout), "\(Self.self): dropout must be in [0, 1), got \(dropout)")
    precondition(
      (0..<1).contains(recurrentDropout), "\(Self.self): recurrentDropout must be in [0, 1), got \(recurrentDropout)")
    self.kind = kind
    self.units = units
    self.useBias = useBias
    self.kernelInitializer = kernelInitializer
    self.recurrentInitializer = recurrentInitializer
    self.biasInitializer = biasInitializer
    self.dropout = dropout
    self.recurrentDropout = recurrentDropout
    generator = layerGenerator(seed: seed)
    if let inputSize { build(inputSize: inputSize) }
  }

  /// The number of state tensors: 1, or 2 for LSTM (`[h, c]`).
  public var stateCount: Int { kind.stateCount }

  /// The input feature count the weights were built for, once known.
  public var inputSize: Int? { kernel?.value.shape[0] }

  /// The bias shape in Keras's layout.
  var biasShape: [Int] {
    if case .gru(resetAfter: true) = kind { return [2, 3 * units] }
    return [kind.gateCount * units]
  }

  /// The bias a new cell starts with; LSTM overrides it for `unitForgetBias`.
  func initialBias(using generator: inout RandomGenerator) -> Tensor {
    biasInitializer.tensor(shape: biasShape, using: &generator)
  }

  /// Creates the weights for `inputSize` features, in Keras's order (kernel, recurrent
  /// kernel, bias), unless they exist.
  func build(inputSize: Int) {
    guard needsWeights(for: inputSize, what: "input features") else { return }
    let width = kind.gateCount * units
    kernel = addWeight("kernel", shape: [inputSize, width], initializer: kernelInitializer)
    recurrentKernel = addWeight("recurrent_kernel", shape: [units, width], initializer: recurrentInitializer)
    if useBias { bias = Parameter(initialBias(using: &generator), name: "bias") }
  }


  /// The all-zero state for a batch: `[h]`, or `[h, c]` for LSTM, each `[batchSize, units]`.
  ///
  /// ```swift
  /// var state = cell.zeroState(batchSize: 4)
  /// ```
  public func zeroState(batchSize: Int) -> [Tensor] {
    (0..<stateCount).map { _ in Tensor(zeros: [batchSize, units]) }
  }

  /// One time step.
  ///
  /// - Parameters:
  ///   - x: this step's input, `[batch, features]`.
  ///   - state: the previous state from ``zeroState(batchSize:)`` or the last step.
  ///   - training: whether dropout is active (fresh masks each call, unlike the layers,
  ///     which reuse one mask for the whole sequence).
  /// - Returns: the output `[batch, units]` and the new state.
  ///
  /// ```swift
  /// let cell = SimpleRNNCell(units: 64)
  /// var h = cell.zeroState(batchSize: 4)
  /// var out = h[0]
  /// for xt in x.unstacked(alongAxis: 1) { (out, h) = cell(xt, h) }
  /// ```
  public func callAsFunction(_ x: Tensor, _ state: [Tensor], training: Bool = false) -> (output: Tensor, state: [Tensor]) {
    precondition(x.rank == 2, "\(Self.self): a step's input must be [batch, features], got \(x.shape)")
    build(inputSize: x.shape[1])
    let batch = x.shape[0]
    precondition(
      state.count == stateCount && state.allSatisfy { $0.shape == [batch, units] },
      "\(Self.self): state must be \(stateCount) tensor(s) of shape \([batch, units]), got \(state.map(\.shape))")
    let masks = dropoutMasks(batch: batch, features: x.shape[1], training: training)
    let input = masks.input.map { x * $0 } ?? x
    let newState = kind.step(
      x: input, state: state, recurrentDropoutMask: masks.recurrent,
      kernel: kernel!.forForward, recurrentKernel: recurrentKernel!.forForward, bias: bias?.forForward,
      workspace: workspace)
    return (newState[0], newState)
  }

  /// One step from the zero state; the cell's output.
  public func forward(_ input: Tensor, context: inout LayerContext) -> Tensor {
    callAsFunction(input, zeroState(batchSize: input.shape[0]), training: context.training).output
  }

  /// Dropout masks scaled by 1 / (1 − rate), as Keras draws them: the input mask
  /// `[batch, features]` and the recurrent masks `[G, batch, units]`; `nil` when off.
  func dropoutMasks(batch: Int, features: Int, training: Bool) -> (input: Tensor?, recurrent: Tensor?) {
    guard training else { return (nil, nil) }
    func mask(_ shape: [Int], rate: Float) -> Tensor? {
      guard rate > 0 else { return nil }
      let keep = Tensor(randomUniform: shape, using: &generator) .> Tensor(rate)
      return keep / (1 - rate)
    }
    return (mask([batch, features], rate: dropout), mask([kind.gateCount, batch, units], rate: recurrentDropout))
  }
}
