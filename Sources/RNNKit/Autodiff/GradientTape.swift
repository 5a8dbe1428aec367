/// Records operations on tracked tensors so that gradients can be computed afterwards,
/// in the spirit of TensorFlow's `tf.GradientTape`.
///
/// Watch the tensors you want gradients for, run the computation inside ``record(_:)``,
/// then ask for ``gradient(of:wrt:)->Tensor``. Layers' parameters are watched for you.
///
/// ```swift
/// let tape = GradientTape()
/// var w = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])
/// tape.watch(&w)
/// let loss = tape.record { (w * w).sum() }
/// let dw = tape.gradient(of: loss, wrt: w)     // 2·w
/// ```
///
/// Outside `record`, operations record nothing and cost nothing extra. Gradients can be
/// asked for several times (the tape is persistent in TensorFlow's sense).
public final class GradientTape: @unchecked Sendable {
  /// The tape recording on this task or thread, if any.
  @TaskLocal static var current: GradientTape?

  /// The tracked value of each parameter read while recording, one leaf per parameter.
  private var parameterLeaves: [ObjectIdentifier: Tensor] = [:]

  /// A new, empty tape.
  public init() {}

  /// The tracked value of `parameter` on this tape (the same leaf every time it is read).
  func leaf(for parameter: Parameter) -> Tensor {
    let key = ObjectIdentifier(parameter)
    if let existing = parameterLeaves[key], existing.storage === parameter.value.storage {
      return existing
    }
    let tracked = watching(parameter.value)
    parameterLeaves[key] = tracked
    return tracked
  }

  /// Marks `x` as a source: operations on it inside ``record(_:)`` are recorded.
  ///
  /// - Parameter x: the tensor to track; it stays the same value, now tracked.
  public func watch(_ x: inout Tensor) {
    x.node = .leaf(shape: x.shape)
  }

  /// Returns `x` tracked as a source, for use in expressions: `let w = tape.watching(w0)`.
  public func watching(_ x: Tensor) -> Tensor {
    var tracked = x
    watch(&tracked)
    return tracked
  }

  /// Runs `body` with this tape recording, and returns what it returns.
  ///
  /// ```swift
  /// let y = tape.record { tanh(matmul(x, w)) }
  /// ```
  public func record<R>(_ body: () throws -> R) rethrows -> R {
    try GradientTape.$current.withValue(self) { try body() }
  }

  /// The gradients of `target` with respect to each of `sources`.
  ///
  /// A non-scalar `target` is treated as its sum, like TensorFlow. A source that
  /// `target` does not depend on gets zeros of its shape.
  ///
  /// - Parameters:
  ///   - target: a value computed inside ``record(_:)`` from watched tensors.
  ///   - sources: watched tensors (or any tracked intermediate values).
  ///   - outputGradient: the seed, of `target`'s shape; ones when omitted.
  /// - Returns: one gradient per source, each of that source's shape.
  public func gradient(of target: Tensor, wrt sources: [Tensor], outputGradient: Tensor? = nil) -> [Tensor] {
    let seed = outputGradient ?? Tensor(ones: target.shape)
    precondition(
      seed.shape == target.shape,
      "GradientTape.gradient: outputGradient has shape \(seed.shape), target has shape \(target.shape)")
    guard let root = target.node else {
      return sources.map { Tensor(zeros: $0.shape) }
    }
    let gradients = backpropagate(from: root, seed: seed.detached)
    return sources.map { source in
      guard let node = source.node, let g = gradients[ObjectIdentifier(node)] else {
        return Tensor(zeros: source.shape)
      }
      return g
    }
  }

  /// The gradients of `target` with respect to parameters read while recording, such as
  /// a model's ``Layer/trainableParameters``.
  ///
  /// A parameter that was not read, or is not trainable, gets zeros of its shape.
  ///
  /// ```swift
  /// let tape = GradientTape()
  /// let loss = tape.record { meanSquaredError(model(x), y) }
  /// let grads = tape.gradient(of: loss, wrt: model.trainableParameters)
  /// ```
  public func gradient(of target: Tensor, wrt parameters: [Parameter]) -> [Tensor] {
    gradient(of: target, wrt: parameters.map(trackedValue))
  }

  /// The gradients with respect to watched tensors and parameters together, from one
  /// backward pass (asking twice would run it twice).
  ///
  /// ```swift
  /// let (dx, dWeights) = tape.gradient(of: loss, wrt: [x], parameters: lstm.trainableParameters)
  /// ```
  public func gradient(of target: Tensor, wrt sources: [Tensor], parameters: [Parameter]) -> (sources: [Tensor], parameters: [Tensor]) {
    let all = gradient(of: target, wrt: sources + parameters.map(trackedValue))
    return (Array(all.prefix(sources.count)), Array(all.dropFirst(sources.count)))
  }

  /// The value a parameter had on this tape: its leaf when it was read while recording.
  private func trackedValue(_ parameter: Parameter) -> Tensor {
    parameterLeaves[ObjectIdentifier(parameter)] ?? parameter.value.detached
  }

  /// The gradient of `target` with respect to one source.
  ///
  /// ```swift
  /// let dx = tape.gradient(of: loss, wrt: x)
  /// ```
  public func gradient(of target: Tensor, wrt source: Tensor) -> Tensor {
    gradient(of: target, wrt: [source])[0]
  }
}

/// The value of `f` at `x` and its gradient, like Swift for TensorFlow's function of the same name.
///
/// - Parameters:
///   - x: the point, any shape.
///   - f: a function of `x`; a non-scalar result is treated as its sum.
///
/// ```swift
/// let (y, dy) = valueWithGradient(at: Tensor([1, 2, 3])) { ($0 * $0).sum() }
/// // y = 14, dy = [2, 4, 6]
/// ```
public func valueWithGradient(at x: Tensor, in f: (Tensor) -> Tensor) -> (value: Tensor, gradient: Tensor) {
  let (value, gradients) = valueWithGradient(at: [x]) { f($0[0]) }
  return (value, gradients[0])
}

/// The value of `f` at several points and its gradient with respect to each.
///
/// ```swift
/// let (loss, g) = valueWithGradient(at: [w, b]) { p in (matmul(x, p[0]) + p[1]).squared().mean() }
/// ```
public func valueWithGradient(at xs: [Tensor], in f: ([Tensor]) -> Tensor) -> (value: Tensor, gradients: [Tensor]) {
  let tape = GradientTape()
  let sources = xs.map { tape.watching($0) }
  let value = tape.record { f(sources) }
  return (value.detached, tape.gradient(of: value, wrt: sources))
}

/// The gradient of `f` at `x`.
///
/// ```swift
/// let g = gradient(at: Tensor([1, 2])) { $0.squared().sum() }   // [2, 4]
/// ```
public func gradient(at x: Tensor, in f: (Tensor) -> Tensor) -> Tensor {
  valueWithGradient(at: x, in: f).gradient
}
