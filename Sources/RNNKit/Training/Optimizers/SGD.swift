/// Gradient descent, with optional (Nesterov) momentum, like `keras.optimizers.SGD`.
///
/// For each parameter `w` with gradient `g` (after clipping, if configured):
/// ```
/// momentum == 0:  w = w - lr·g
/// otherwise:      m = momentum·m - lr·g
///                 w = w + m                      (nesterov: w = w + momentum·m - lr·g)
/// ```
/// The velocity `m` is one flat buffer per parameter (state entry `"momentum/<index>"`),
/// created as zeros on the parameter's first update; there is none when `momentum == 0`.
///
/// Pass only trainable parameters (``Parameter/isTrainable``), in a stable order: state
/// entries are named by the index into that list.
///
/// ```swift
/// let sgd = SGD(learningRate: 0.1, momentum: 0.9, nesterov: true, clipnorm: 1)
/// sgd.apply(gradients: grads, to: model.trainableParameters)
/// ```
public final class SGD: OptimizerBase, Optimizer {
  /// The momentum coefficient in [0, 1]; 0 is plain gradient descent.
  public let momentum: Float
  /// Whether the update uses Nesterov momentum.
  public let nesterov: Bool

  /// SGD with a constant learning rate (Keras's defaults).
  ///
  /// - Parameters:
  ///   - learningRate: the step size, 0.01 by default.
  ///   - momentum: in [0, 1] (precondition), 0 by default.
  ///   - nesterov: Nesterov momentum.
  ///   - clipnorm: clip each gradient to this L2 norm (0 or `nil`: off).
  ///   - clipvalue: clip each gradient element to `[-clipvalue, clipvalue]`.
  ///   - globalClipnorm: clip all gradients together to this global norm.
  ///   At most one of the three clipping options may be given.
  public convenience init(
    learningRate: Float = 0.01, momentum: Float = 0, nesterov: Bool = false,
    clipnorm: Float? = nil, clipvalue: Float? = nil, globalClipnorm: Float? = nil
  ) {
    self.init(
      rate: .constant(learningRate), momentum: momentum, nesterov: nesterov,
      clipnorm: clipnorm, clipvalue: clipvalue, globalClipnorm: globalClipnorm)
  }

  /// SGD whose learning rate follows `learningRate(step: iterations)`.
  ///
  /// ```swift
  /// let sgd = SGD(learningRate: ExponentialDecay(initialLearningRate: 0.1, decaySteps: 100, decayRate: 0.9))
  /// ```
  public convenience init(
    learningRate: any LearningRateSchedule, momentum: Float = 0, nesterov: Bool = false,
    clipnorm: Float? = nil, clipvalue: Float? = nil, globalClipnorm: Float? = nil
  ) {
    self.init(
      rate: .schedule(learningRate), momentum: momentum, nesterov: nesterov,
      clipnorm: clipnorm, clipvalue: clipvalue, globalClipnorm: globalClipnorm)
  }

  init(
    rate: LearningRate, momentum: Float, nesterov: Bool,
    clipnorm: Float?, clipvalue: Float?, globalClipnorm: Float?
  ) {
    precondition(momentum >= 0 && momentum <= 1, "SGD: momentum must be in [0, 1], got \(momentum)")
    self.momentum = momentum
    self.nesterov = nesterov
    super.init(core: OptimizerCore(
      name: "SGD", slotNames: momentum != 0 ? ["momentum"] : [], learningRate: rate,
      clipnorm: clipnorm, clipvalue: clipvalue, globalClipnorm: globalClipnorm))
  }

  public func apply(gradients: [Tensor], to parameters: [Parameter]) {
    core.update(gradients: gradients, parameters: parameters) { p, slots, g, lr, _ in
      Kernels.sgdUpdate(p, slots: slots, gradient: g, lr: lr, momentum: momentum, nesterov: nesterov)
    }
  }
}
