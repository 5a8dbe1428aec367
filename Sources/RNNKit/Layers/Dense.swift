/// A fully connected layer, `activation(x · kernel + bias)`, like `keras.layers.Dense`.
///
/// Shapes: `x: [..., features]` → `[..., units]`; the product acts on the last axis
/// (a rank-3 `[batch, time, features]` input is transformed at every step).
/// Weights: `kernel [features, units]` (glorot-uniform), `bias [units]` (zeros),
/// created on first call unless `inputSize` is given. A mask in the context passes
/// through unchanged, as in Keras.
///
/// ```swift
/// let head = Dense(units: 1, activation: .sigmoid)
/// let p = head(Tensor(randomNormal: [8, 64], seed: 1))    // [8, 1]
/// ```
public final class Dense: Layer, LazilyBuilt {
  /// The size of the output's last axis.
  public let units: Int
  /// Applied after the affine map (``Activation/linear`` for none).
  public let activation: Activation
  /// Whether a bias is added.
  public let useBias: Bool
  let kernelInitializer: Initializer
  let biasInitializer: Initializer
  var generator: RandomGenerator

  /// `[features, units]`; `nil` until the layer knows its input size.
  public private(set) var kernel: Parameter?
  /// `[units]`; `nil` until built or when `useBias` is false.
  public private(set) var bias: Parameter?

  /// A dense layer.
  ///
  /// - Parameters:
  ///   - units: output size.
  ///   - activation: Keras's name for it; `.linear` by default.
  ///   - useBias: add a bias.
  ///   - kernelInitializer: `.glorotUniform` by default.
  ///   - biasInitializer: `.zeros` by default.
  ///   - inputSize: build the weights now for this many input features.
  ///   - seed: seeds initialisation; `nil` draws from ``setRandomSeed(_:)``'s stream.
  ///
  /// ```swift
  /// let dense = Dense(units: 10, activation: .softmax, inputSize: 64, seed: 3)
  /// ```
  public init(
    units: Int, activation: Activation = .linear, useBias: Bool = true,
    kernelInitializer: Initializer = .glorotUniform, biasInitializer: Initializer = .zeros,
    inputSize: Int? = nil, seed: UInt64? = nil
  ) {
    precondition(units > 0, "Dense: units must be positive, got \(units)")
    self.units = units
    self.activation = activation
    self.useBias = useBias
    self.kernelInitializer = kernelInitializer
    self.biasInitializer = biasInitializer
    generator = layerGenerator(seed: seed)
    if let inputSize { build(inputSize: inputSize) }
  }

  /// The input feature count the weights were built for, once known.
  public var inputSize: Int? { kernel?.value.shape[0] }

  func build(inputSize: Int) {
    guard needsWeights(for: inputSize, what: "input features") else { return }
    kernel = addWeight("kernel", shape: [inputSize, units], initializer: kernelInitializer)
    if useBias { bias = addWeight("bias", shape: [units], initializer: biasInitializer) }
  }


  /// `activation(x · kernel + bias)` over the last axis; leaves `context.mask` as it is.
  ///
  /// - Parameters:
  ///   - input: `[..., features]`, rank ≥ 2.
  ///   - context: passed through.
  /// - Returns: `[..., units]`.
  public func forward(_ input: Tensor, context: inout LayerContext) -> Tensor {
    precondition(input.rank >= 2, "Dense: input must be [..., features] with rank ≥ 2, got \(input.shape)")
    build(inputSize: input.shape[input.rank - 1])
    let features = input.shape[input.rank - 1]
    let outShape = Array(input.shape.dropLast()) + [units]
    let z = matmul(input.reshaped(to: [-1, features]), kernel!.forForward)
    return biasThenActivation(z, bias: bias?.forForward, activation: activation).reshaped(to: outShape)
  }
}
