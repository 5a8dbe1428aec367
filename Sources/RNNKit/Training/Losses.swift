// Keras's losses with the formulas of Keras 3 on the TensorFlow backend
// (keras/src/losses/losses.py, keras/src/backend/tensorflow/nn.py); the arithmetic is
// in the fused kernels of CKernels/losses.c.

/// How a loss's targets must line up with its predictions.
enum TargetLayout {
  /// One target per prediction: `targets.shape == predictions.shape`, or with a
  /// trailing axis of 1 added or dropped (Keras's squeeze_or_expand_to_same_rank).
  case elementwise(allowTrailingOne: Bool)
  /// One class index per row: `predictions.shape` without its last axis, optionally
  /// with a trailing 1.
  case sparse

  /// Targets reshaped to the layout the kernels read, or `nil` when they do not fit.
  func resolve(predictionShape p: [Int], targetShape t: [Int]) -> [Int]? {
    switch self {
    case .elementwise(let allowTrailingOne):
      if t == p { return p }
      if allowTrailingOne && (t + [1] == p || t == p + [1]) { return p }
      return nil
    case .sparse:
      let rows = Array(p.dropLast())
      return t == rows || t == rows + [1] ? rows : nil
    }
  }

  func describe(predictionShape p: [Int]) -> String {
    switch self {
    case .elementwise(let allowTrailingOne):
      guard allowTrailingOne else { return "\(p)" }
      return p.last == 1 ? "\(p) or \(Array(p.dropLast()))" : "\(p) or \(p + [1])"
    case .sparse:
      let rows = Array(p.dropLast())
      return "\(rows) or \(rows + [1]) (class indices)"
    }
  }
}

/// The shared machinery of the losses: shape and range checks, the kernel call, the
/// mean over rows.
protocol KernelLoss: Loss {
  var operation: LossOperation { get }
  var layout: TargetLayout { get }
  /// The allowed range of each target, described, and the test; `nil` accepts any finite value.
  func targetRange(classes: Int) -> (description: String, contains: (Float) -> Bool)
}

extension KernelLoss {
  func kernelValidate(predictionShape: [Int], targets: Tensor) throws {
    guard !predictionShape.isEmpty, predictionShape.last! > 0,
      layout.resolve(predictionShape: predictionShape, targetShape: targets.shape) != nil
    else {
      throw TrainingDataError.targetShape(
        loss: name, expected: layout.describe(predictionShape: predictionShape), actual: targets.shape)
    }
    let range = targetRange(classes: predictionShape.last!)
    if let index = targets.scalars.firstIndex(where: { !range.contains($0) }) {
      throw TrainingDataError.targetValue(
        loss: name, expected: range.description, actual: targets.scalars[index], index: index)
    }
  }

  func kernelLoss(_ predictions: Tensor, _ targets: Tensor) -> Tensor {
    precondition(
      predictions.rank >= 1 && predictions.shape.last! > 0,
      "\(name): predictions need a non-empty last axis, got shape \(predictions.shape)")
    guard let targetShape = layout.resolve(predictionShape: predictions.shape, targetShape: targets.shape) else {
      preconditionFailure(
        "\(name): targets of shape \(targets.shape) do not fit predictions of shape \(predictions.shape); expected \(layout.describe(predictionShape: predictions.shape))")
    }
    let kind = operation
    let p = predictions.detached
    let t = targets.detached.reshaped(to: targetShape)
    let rows = Tensor.recorded(Kernels.lossForward(kind, pred: p, target: t), inputs: [predictions]) { g in
      [Kernels.lossBackward(kind, dloss: g, pred: p, target: t)]
    }
    // Keras's sum_over_batch_size: the mean over every per-sample value.
    return rows.rank == 0 ? rows : rows.mean()
  }
}

private func finiteTargets(classes: Int) -> (description: String, contains: (Float) -> Bool) {
  ("a finite number", { $0.isFinite })
}

private func unitIntervalTargets(classes: Int) -> (description: String, contains: (Float) -> Bool) {
  ("a value in [0, 1]", { $0 >= 0 && $0 <= 1 })
}

// MARK: - Binary crossentropy

/// Keras's `BinaryCrossentropy`: for 0/1 (or soft) labels and one probability or logit
/// per output.
///
/// From probabilities `p` (clipped to `[1e-7, 1 − 1e-7]`): `−(y·log p + (1−y)·log(1−p))`;
/// from logits `x`: `max(x, 0) − x·y + log(1 + exp(−|x|))`. Averaged over the last
/// axis, then over the samples.
///
/// Shapes: predictions `[batch, k]` (or any `[..., k]`); targets of the same shape, or
/// `[batch]` for `[batch, 1]` predictions. Targets must lie in `[0, 1]`.
///
/// - Note: Keras silently switches to the logits formula when the predictions come
///   straight from a Keras `sigmoid` activation (it keeps the logits on the tensor);
///   RNNKit computes exactly what it is asked. Use `fromLogits: true` on a linear
///   output for the same numerics.
///
/// ```swift
/// let loss = BinaryCrossentropy()
/// let value = loss(Tensor([[0.9], [0.2]]), Tensor([1, 0]))   // ≈ 0.164
/// ```
public struct BinaryCrossentropy: Loss, KernelLoss {
  /// The mean loss over the batch, a scalar, differentiable with respect to `predictions`.
  ///
  /// - Parameters:
  ///   - predictions: the model's output (shapes above).
  ///   - targets: the labels; shapes that do not fit are a precondition failure
  ///     (check data from outside with ``validate(predictionShape:targets:)``).
  public func callAsFunction(_ predictions: Tensor, _ targets: Tensor) -> Tensor {
    kernelLoss(predictions, targets)
  }

  /// Checks targets from outside before any kernel sees them.
  ///
  /// - Throws: ``TrainingDataError/targetShape(loss:expected:actual:)`` or
  ///   ``TrainingDataError/targetValue(loss:expected:actual:index:)``.
  public func validate(predictionShape: [Int], targets: Tensor) throws {
    try kernelValidate(predictionShape: predictionShape, targets: targets)
  }

  /// Whether predictions are logits (no sigmoid applied) rather than probabilities.
  public let fromLogits: Bool
  /// `"binary_crossentropy"`.
  public var name: String { "binary_crossentropy" }
  var operation: LossOperation { .binaryCrossentropy(fromLogits: fromLogits) }
  var layout: TargetLayout { .elementwise(allowTrailingOne: true) }
  func targetRange(classes: Int) -> (description: String, contains: (Float) -> Bool) {
    unitIntervalTargets(classes: classes)
  }

  /// A binary crossentropy.
  ///
  /// - Parameter fromLogits: `true` when the model outputs logits.
  ///
  /// ```swift
  /// let loss = BinaryCrossentropy(fromLogits: true)
  /// ```
  public init(fromLogits: Bool = false) { self.fromLogits = fromLogits }
}

// MARK: - Categorical crossentropy

/// Keras's `CategoricalCrossentropy`: one-hot (or soft) targets over classes.
///
/// From probabilities: each row is first divided by its sum, clipped to
/// `[1e-7, 1 − 1e-7]`, then `−Σ y·log p`; from logits: `Σ y·(logsumexp(x) − x)`.
/// Summed over the class axis, averaged over the samples.
///
/// Shapes: predictions and targets `[batch, classes]` (or `[..., classes]`), the same
/// shape. Targets must lie in `[0, 1]`.
///
/// ```swift
/// let loss = CategoricalCrossentropy()
/// let value = loss(Tensor([[0.7, 0.2, 0.1]]), Tensor([[1, 0, 0]]))   // −log 0.7 ≈ 0.357
/// ```
public struct CategoricalCrossentropy: Loss, KernelLoss {
  /// The mean loss over the batch, a scalar, differentiable with respect to `predictions`.
  ///
  /// - Parameters:
  ///   - predictions: the model's output (shapes above).
  ///   - targets: the labels; shapes that do not fit are a precondition failure
  ///     (check data from outside with ``validate(predictionShape:targets:)``).
  public func callAsFunction(_ predictions: Tensor, _ targets: Tensor) -> Tensor {
    kernelLoss(predictions, targets)
  }

  /// Checks targets from outside before any kernel sees them.
  ///
  /// - Throws: ``TrainingDataError/targetShape(loss:expected:actual:)`` or
  ///   ``TrainingDataError/targetValue(loss:expected:actual:index:)``.
  public func validate(predictionShape: [Int], targets: Tensor) throws {
    try kernelValidate(predictionShape: predictionShape, targets: targets)
  }

  /// Whether predictions are logits (no softmax applied) rather than probabilities.
  public let fromLogits: Bool
  /// `"categorical_crossentropy"`.
  public var name: String { "categorical_crossentropy" }
  var operation: LossOperation { .categoricalCrossentropy(fromLogits: fromLogits) }
  var layout: TargetLayout { .elementwise(allowTrailingOne: false) }
  func targetRange(classes: Int) -> (description: String, contains: (Float) -> Bool) {
    unitIntervalTargets(classes: classes)
  }

  /// A categorical crossentropy.
  ///
  /// - Parameter fromLogits: `true` when the model outputs logits.
  ///
  /// ```swift
  /// let loss = CategoricalCrossentropy(fromLogits: true)
  /// ```
  public init(fromLogits: Bool = false) { self.fromLogits = fromLogits }
}

// MARK: - Sparse categorical crossentropy

/// Keras's `SparseCategoricalCrossentropy`: integer class targets (held as floats).
///
/// From logits: `logsumexp(x) − x_t`. From probabilities Keras takes
/// `z = log(clip(p, 1e-7, 1 − 1e-7))` as logits, i.e. `−log clip(p_t) + log Σ clip(p)`
/// (rows that do not sum to 1 are renormalised). Averaged over the samples.
///
/// Shapes: predictions `[batch, classes]` (or `[..., classes]`); targets `[batch]`
/// (or `[batch, 1]`), each an integer in `0..<classes`.
///
/// ```swift
/// let loss = SparseCategoricalCrossentropy(fromLogits: true)
/// let value = loss(Tensor([[2, 0, -1]]), Tensor([0]))   // ≈ 0.170
/// ```
public struct SparseCategoricalCrossentropy: Loss, KernelLoss {
  /// The mean loss over the batch, a scalar, differentiable with respect to `predictions`.
  ///
  /// - Parameters:
  ///   - predictions: the model's output (shapes above).
  ///   - targets: the labels; shapes that do not fit are a precondition failure
  ///     (check data from outside with ``validate(predictionShape:targets:)``).
  public func callAsFunction(_ predictions: Tensor, _ targets: Tensor) -> Tensor {
    kernelLoss(predictions, targets)
  }

  /// Checks targets from outside before any kernel sees them.
  ///
  /// - Throws: ``TrainingDataError/targetShape(loss:expected:actual:)`` or
  ///   ``TrainingDataError/targetValue(loss:expected:actual:index:)``.
  public func validate(predictionShape: [Int], targets: Tensor) throws {
    try kernelValidate(predictionShape: predictionShape, targets: targets)
  }

  /// Whether predictions are logits (no softmax applied) rather than probabilities.
  public let fromLogits: Bool
  /// `"sparse_categorical_crossentropy"`.
  public var name: String { "sparse_categorical_crossentropy" }
  var operation: LossOperation { .sparseCategoricalCrossentropy(fromLogits: fromLogits) }
  var layout: TargetLayout { .sparse }
  func targetRange(classes: Int) -> (description: String, contains: (Float) -> Bool) {
    ("an integer class index in 0..<\(classes)", { $0 >= 0 && $0 < Float(classes) && $0 == $0.rounded() })
  }

  /// A sparse categorical crossentropy.
  ///
  /// - Parameter fromLogits: `true` when the model outputs logits.
  ///
  /// ```swift
  /// let loss = SparseCategoricalCrossentropy()
  /// ```
  public init(fromLogits: Bool = false) { self.fromLogits = fromLogits }
}

// MARK: - Mean squared error

/// Keras's `MeanSquaredError`: `mean((y − p)²)` over the last axis, then over samples.
///
/// Shapes: predictions `[batch, k]` (or any `[..., k]`); targets of the same shape, or
/// `[batch]` for `[batch, 1]` predictions. Targets must be finite.
///
/// ```swift
/// let loss = MeanSquaredError()
/// let value = loss(Tensor([[1, 2]]), Tensor([[0, 0]]))   // 2.5
/// ```
public struct MeanSquaredError: Loss, KernelLoss {
  /// The mean loss over the batch, a scalar, differentiable with respect to `predictions`.
  ///
  /// - Parameters:
  ///   - predictions: the model's output (shapes above).
  ///   - targets: the labels; shapes that do not fit are a precondition failure
  ///     (check data from outside with ``validate(predictionShape:targets:)``).
  public func callAsFunction(_ predictions: Tensor, _ targets: Tensor) -> Tensor {
    kernelLoss(predictions, targets)
  }

  /// Checks targets from outside before any kernel sees them.
  ///
  /// - Throws: ``TrainingDataError/targetShape(loss:expected:actual:)`` or
  ///   ``TrainingDataError/targetValue(loss:expected:actual:index:)``.
  public func validate(predictionShape: [Int], targets: Tensor) throws {
    try kernelValidate(predictionShape: predictionShape, targets: targets)
  }

  /// `"mean_squared_error"`.
  public var name: String { "mean_squared_error" }
  var operation: LossOperation { .meanSquaredError }
  var layout: TargetLayout { .elementwise(allowTrailingOne: true) }
  func targetRange(classes: Int) -> (description: String, contains: (Float) -> Bool) {
    finiteTargets(classes: classes)
  }

  /// A mean squared error.
  ///
  /// ```swift
  /// let loss = MeanSquaredError()
  /// ```
  public init() {}
}

// MARK: - Keras-style names

extension Loss where Self == BinaryCrossentropy {
  /// `BinaryCrossentropy()`, as Keras's `loss="binary_crossentropy"`.
  ///
  /// ```swift
  /// func use<L: Loss>(_ loss: L) {}
  /// use(.binaryCrossentropy)
  /// ```
  public static var binaryCrossentropy: BinaryCrossentropy { BinaryCrossentropy() }
  /// `BinaryCrossentropy(fromLogits:)`.
  ///
  /// ```swift
  /// use(.binaryCrossentropy(fromLogits: true))
  /// ```
  public static func binaryCrossentropy(fromLogits: Bool) -> BinaryCrossentropy {
    BinaryCrossentropy(fromLogits: fromLogits)
  }
}

extension Loss where Self == CategoricalCrossentropy {
  /// `CategoricalCrossentropy()`, as Keras's `loss="categorical_crossentropy"`.
  ///
  /// ```swift
  /// use(.categoricalCrossentropy)
  /// ```
  public static var categoricalCrossentropy: CategoricalCrossentropy { CategoricalCrossentropy() }
  /// `CategoricalCrossentropy(fromLogits:)`.
  ///
  /// ```swift
  /// use(.categoricalCrossentropy(fromLogits: true))
  /// ```
  public static func categoricalCrossentropy(fromLogits: Bool) -> CategoricalCrossentropy {
    CategoricalCrossentropy(fromLogits: fromLogits)
  }
}

extension Loss where Self == SparseCategoricalCrossentropy {
  /// `SparseCategoricalCrossentropy()`, as Keras's `loss="sparse_categorical_crossentropy"`.
  ///
  /// ```swift
  /// use(.sparseCategoricalCrossentropy)
  /// ```
  public static var sparseCategoricalCrossentropy: SparseCategoricalCrossentropy {
    SparseCategoricalCrossentropy()
  }
  /// `SparseCategoricalCrossentropy(fromLogits:)`.
  ///
  /// ```swift
  /// use(.sparseCategoricalCrossentropy(fromLogits: true))
  /// ```
  public static func sparseCategoricalCrossentropy(fromLogits: Bool) -> SparseCategoricalCrossentropy {
    SparseCategoricalCrossentropy(fromLogits: fromLogits)
  }
}

extension Loss where Self == MeanSquaredError {
  /// `MeanSquaredError()`, as Keras's `loss="mse"` / `"mean_squared_error"`.
  ///
  /// ```swift
  /// use(.meanSquaredError)
  /// ```
  public static var meanSquaredError: MeanSquaredError { MeanSquaredError() }
}
