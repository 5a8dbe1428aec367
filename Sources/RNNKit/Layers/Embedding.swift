/// Turns token ids into dense vectors by looking up rows of a trainable matrix, like
/// `keras.layers.Embedding`.
///
/// Shapes: `ids: [batch, time]` (float32 holding integer ids in `0..<inputDim`) →
/// `[batch, time, outputDim]`; the weight `embeddings` is `[inputDim, outputDim]`.
/// Any input rank works: `[…]` → `[…, outputDim]`.
///
/// With `maskZero: true`, id 0 is padding: the layer sets `context.mask` to
/// `ids != 0` (1/0 floats of the ids' shape), which recurrent layers after it use to
/// skip padded steps. The vocabulary then still includes 0, so `inputDim` is the
/// largest id + 1, as in Keras.
///
/// Ids are data: check ids from outside with ``validate(_:)`` (the training loop
/// does); calling the layer with an id that is not an integer in `0..<inputDim` is a
/// precondition failure that names the id.
///
/// ```swift
/// let embedding = Embedding(inputDim: 10_000, outputDim: 64, maskZero: true)
/// let x = Tensor([[5, 17, 0, 0], [3, 4, 9, 1]])   // [2, 4], 0 = padding
/// let v = embedding(x)                              // [2, 4, 64]
/// ```
public final class Embedding: Layer {
  /// The vocabulary size: ids run over `0..<inputDim`.
  public let inputDim: Int
  /// The size of each vector.
  public let outputDim: Int
  /// Whether id 0 is padding that sets a mask for the layers after this one.
  public let maskZero: Bool
  /// The embedding matrix, `[inputDim, outputDim]` (Keras's `embeddings`).
  public let embeddings: Parameter

  /// An embedding with freshly drawn vectors.
  ///
  /// - Parameters:
  ///   - inputDim: vocabulary size (largest id + 1).
  ///   - outputDim: vector size.
  ///   - maskZero: treat id 0 as padding and set `context.mask`.
  ///   - embeddingsInitializer: Keras's default `RandomUniform(-0.05, 0.05)`.
  ///   - trainable: `false` freezes the vectors.
  ///   - seed: seeds the initializer; `nil` draws from ``setRandomSeed(_:)``'s stream.
  ///
  /// ```swift
  /// let embedding = Embedding(inputDim: 20_000, outputDim: 128, maskZero: true, seed: 7)
  /// ```
  public init(
    inputDim: Int, outputDim: Int, maskZero: Bool = false,
    embeddingsInitializer: Initializer = .randomUniform(lower: -0.05, upper: 0.05),
    trainable: Bool = true, seed: UInt64? = nil
  ) {
    precondition(inputDim > 0, "Embedding: inputDim must be positive, got \(inputDim)")
    precondition(outputDim > 0, "Embedding: outputDim must be positive, got \(outputDim)")
    self.inputDim = inputDim
    self.outputDim = outputDim
    self.maskZero = maskZero
    var generator = layerGenerator(seed: seed)
    embeddings = Parameter(
      embeddingsInitializer.tensor(shape: [inputDim, outputDim], using: &generator),
      name: "embeddings", isTrainable: trainable)
  }

  /// An embedding starting from given vectors, e.g. pretrained GloVe.
  ///
  /// - Parameters:
  ///   - inputDim: vocabulary size (largest id + 1).
  ///   - outputDim: vector size.
  ///   - maskZero: treat id 0 as padding and set `context.mask`.
  ///   - weights: the matrix `[inputDim, outputDim]`; row `i` is the vector of id `i`.
  ///   - trainable: `false` keeps the vectors fixed (the usual choice for GloVe).
  /// - Throws: ``WeightsError/shapeMismatch(layer:weight:expected:actual:)`` when
  ///   `weights` is not `[inputDim, outputDim]`.
  ///
  /// ```swift
  /// let glove = try Embedding(inputDim: 10_000, outputDim: 100, weights: matrix, trainable: false)
  /// ```
  public init(
    inputDim: Int, outputDim: Int, maskZero: Bool = false, weights: Tensor, trainable: Bool = true
  ) throws {
    guard weights.shape == [inputDim, outputDim] else {
      throw WeightsError.shapeMismatch(
        layer: "Embedding", weight: "embeddings", expected: [inputDim, outputDim], actual: weights.shape)
    }
    precondition(inputDim > 0 && outputDim > 0, "Embedding: inputDim and outputDim must be positive")
    self.inputDim = inputDim
    self.outputDim = outputDim
    self.maskZero = maskZero
    embeddings = Parameter(weights, name: "embeddings", isTrainable: trainable)
  }

  /// Checks ids from outside before they reach the layer.
  ///
  /// - Parameter ids: token ids of any shape.
  /// - Throws: ``TrainingDataError/tokenOutOfRange(layer:token:inputDim:)`` for an
  ///   integer id below 0 or at least `inputDim`;
  ///   ``TrainingDataError/invalidArgument(name:expected:actual:)`` for an id that is
  ///   not an integer (a fraction, NaN or an infinity), naming its position.
  ///
  /// ```swift
  /// try embedding.validate(xTrain)
  /// ```
  public func validate(_ ids: Tensor) throws {
    guard let i = Kernels.firstInvalidToken(ids, inputDim: inputDim) else { return }
    let id = ids.scalar(atFlatIndex: i)
    if id.isFinite && id == id.rounded() && Swift.abs(id) < 9.0e18 {
      throw TrainingDataError.tokenOutOfRange(layer: "Embedding", token: Int(id), inputDim: inputDim)
    }
    throw TrainingDataError.invalidArgument(
      name: "Embedding token ids", expected: "integers in 0..<\(inputDim)", actual: "\(id) at flat index \(i)")
  }

  /// Looks up each id's vector; with `maskZero`, sets `context.mask` to `ids != 0`.
  ///
  /// - Parameters:
  ///   - input: ids `[batch, time]` (any shape).
  ///   - context: receives the mask.
  /// - Returns: `[batch, time, outputDim]`.
  public func forward(_ input: Tensor, context: inout LayerContext) -> Tensor {
    if let i = Kernels.firstInvalidToken(input, inputDim: inputDim) {
      preconditionFailure(
        "Embedding: token id \(input.scalar(atFlatIndex: i)) at flat index \(i) is not an integer in 0..<\(inputDim) (check data with Embedding.validate)")
    }
    let ids = input.detached
    let table = embeddings.forForward
    let tableShape = table.shape
    let y = Kernels.embeddingForward(ids: ids, table: table)
    if maskZero { context.mask = 1 - (ids .== Tensor(0)) }
    return .recorded(y, inputs: [input, table]) { g in
      [nil, Kernels.embeddingBackward(dy: g, ids: ids, tableShape: tableShape)]
    }
  }
}
