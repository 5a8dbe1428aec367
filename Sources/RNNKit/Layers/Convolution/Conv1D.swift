/// A 1-D convolution over time, `activation(conv(x, kernel) + bias)`, like
/// `keras.layers.Conv1D` (channels last).
///
/// Shapes: `x: [batch, steps, channels]` → `[batch, outSteps, filters]`, where
/// `outSteps = (steps − kernelSize) / strides + 1` with ``Padding/valid`` and
/// `ceil(steps / strides)` with ``Padding/same``.
/// Weights: `kernel [kernelSize, channels, filters]` (Keras's layout, glorot-uniform),
/// `bias [filters]` (zeros), created on first call unless `inputSize` is given.
///
/// Output step `m`, filter `f` is `Σ_k Σ_c x[m·strides − pad + k, c] · kernel[k, c, f] + bias[f]`
/// (a cross-correlation, as in every framework). The layer runs as im2col and one
/// matrix product over the whole batch. Like Keras's Conv1D it does not support masks:
/// padded steps are convolved like any other, and `context.mask` becomes `nil`.
///
/// ```swift
/// let conv = Conv1D(filters: 128, kernelSize: 5, activation: .relu)
/// let y = conv(Tensor(randomNormal: [2, 100, 16], seed: 1))   // [2, 96, 128]
/// ```
public final class Conv1D: Layer, LazilyBuilt {
  /// The number of output channels.
  public let filters: Int
  /// The window length in steps.
  public let kernelSize: Int
  /// The step between windows.
  public let strides: Int
  /// How the ends are padded.
  public let padding: Padding
  /// Applied after the bias.
  public let activation: Activation
  /// Whether a bias is added.
  public let useBias: Bool
  let kernelInitializer: Initializer
  let biasInitializer: Initializer
  var generator: RandomGenerator

  /// `[kernelSize, channels, filters]`; `nil` until the layer knows its input channels.
  public private(set) var kernel: Parameter?
  /// `[filters]`; `nil` until built or when `useBias` is false.
  public private(set) var bias: Parameter?

  /// A 1-D convolution layer.
  ///
  /// - Parameters:
  ///   - filters: output channels.
  ///   - kernelSize: window length in steps.
  ///   - strides: step between windows.
  ///   - padding: `.valid` (default) or `.same`.
  ///   - activation: `.linear` by default.
  ///   - useBias: add a bias.
  ///   - kernelInitializer: `.glorotUniform` by default (fans `kernelSize·channels`,
  ///     `kernelSize·filters`, as Keras).
  ///   - biasInitializer: `.zeros` by default.
  ///   - inputSize: build the weights now for this many input channels.
  ///   - seed: seeds initialisation; `nil` draws from ``setRandomSeed(_:)``'s stream.
  ///
  /// ```swift
  /// let conv = Conv1D(filters: 64, kernelSize: 3, strides: 2, padding: .same, activation: .relu, inputSize: 100, seed: 1)
  /// ```
  public init(
    filters: Int, kernelSize: Int, strides: Int = 1, padding: Padding = .valid, activation: Activation = .linear,
    useBias: Bool = true, kernelInitializer: Initializer = .glorotUniform, biasInitializer: Initializer = .zeros,
    inputSize: Int? = nil, seed: UInt64? = nil
  ) {
    precondition(filters > 0, "Conv1D: filters must be positive, got \(filters)")
    precondition(kernelSize > 0, "Conv1D: kernelSize must be positive, got \(kernelSize)")
    precondition(strides > 0, "Conv1D: strides must be positive, got \(strides)")
    self.filters = filters
    self.kernelSize = kernelSize
    self.strides = strides
    self.padding = padding
    self.activation = activation
    self.useBias = useBias
    self.kernelInitializer = kernelInitializer
    self.biasInitializer = biasInitializer
    generator = layerGenerator(seed: seed)
    if let inputSize { build(inputSize: inputSize) }
  }

  /// The input channel count the weights were built for, once known.
  public var inputSize: Int? { kernel?.value.shape[1] }

  func build(inputSize: Int) {
    guard needsWeights(for: inputSize, what: "input channels") else { return }
    kernel = addWeight("kernel", shape: [kernelSize, inputSize, filters], initializer: kernelInitializer)
    if useBias { bias = addWeight("bias", shape: [filters], initializer: biasInitializer) }
  }


  /// The convolution of `input`; sets `context.mask` to `nil` (Keras's Conv1D drops masks).
  ///
  /// - Parameters:
  ///   - input: `[batch, steps, channels]`; with `.valid`, at least `kernelSize` steps.
  ///   - context: its mask is dropped.
  /// - Returns: `[batch, outSteps, filters]`.
  ///
  /// ```swift
  /// var context = LayerContext()
  /// let y = Conv1D(filters: 4, kernelSize: 3).forward(Tensor(zeros: [1, 10, 2]), context: &context)  // [1, 8, 4]
  /// ```
  public func forward(_ input: Tensor, context: inout LayerContext) -> Tensor {
    precondition(input.rank == 3, "Conv1D: input must be [batch, steps, channels], got \(input.shape)")
    build(inputSize: input.shape[2])
    let window = padding.window(layer: "Conv1D", shape: input.shape, size: kernelSize, stride: strides)
    context.mask = nil
    let z = conv1d(input, kernel: kernel!.forForward, window: window)
    let outShape = [window.batch, window.outputLength, filters]
    return biasThenActivation(z, bias: bias?.forForward, activation: activation).reshaped(to: outShape)
  }
}

/// The convolution `z [B·M, F] = im2col(x) · w` as one op on the tape, for `x`
/// `[B, L, C]` and `w` `[K, C, F]` with `window`'s geometry; Conv1D adds its bias and
/// activation after it.
func conv1d(_ input: Tensor, kernel w: Tensor, window: TemporalWindow) -> Tensor {
  let (xValue, wValue) = (input.detached, w.detached)
  let (wantInput, wantKernel) = (input.isTracked, w.isTracked)
  return .recorded(Kernels.conv1dForward(xValue, kernel: wValue, window: window), inputs: [input, w]) { g in
    let (dx, dw) = Kernels.conv1dBackward(
      dz: g, x: xValue, kernel: wValue, window: window, wantInput: wantInput, wantKernel: wantKernel)
    return [dx, dw]
  }
}
