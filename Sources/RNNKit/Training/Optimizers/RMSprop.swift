/// RMSprop, like `keras.optimizers.RMSprop` (Keras 3's form of the update).
///
/// For each parameter `w` with gradient `g` (after clipping, if configured):
/// ```
/// v = rho·v + (1 - rho)·g²
/// centered:  a = rho·a + (1 - rho)·g;  d = v - a² + epsilon      otherwise d = v + epsilon
/// increment = lr·g / sqrt(d)                                      (epsilon inside the sqrt)
/// momentum > 0:  mom = momentum·mom + increment;  w = w - mom     otherwise w = w - increment
/// ```
/// State entries per parameter: `"velocity/<index>"`, with `centered`
/// `"average_gradient/<index>"`, with momentum `"momentum/<index>"`; flat buffers
/// created as zeros on the parameter's first update.
///
/// Pass only trainable parameters (``Parameter/isTrainable``), in a stable order: state
/// entries are named by the index into that list.
///
/// ```swift
/// let rmsprop = RMSprop(learningRate: 1e-3, centered: true, clipvalue: 0.5)
/// rmsprop.apply(gradients: grads, to: model.trainableParameters)
/// ```
public final class RMSprop: OptimizerBase, Optimizer {
  /// The decay of the running averages.
  public let rho: Float
  /// The momentum coefficient; 0 keeps no momentum slot.
  public let momentum: Float
  /// Added to the running average inside the square root.
  public let epsilon: Float
  /// Whether the gradient's running mean is subtracted (variance instead of second moment).
  public let centered: Bool
  private let oneMinusRho: Float
  private let averageIndex: Int?
  private let momentumIndex: Int?

  /// RMSprop with a constant learning rate (Keras's defaults).
  ///
  /// - Parameters:
  ///   - learningRate: 0.001 by default.
  ///   - rho: 0.9 by default.
  ///   - momentum: 0 by default.
  ///   - epsilon: 1e-7 by default.
  ///   - centered: normalise by the estimated variance.
  ///   - clipnorm: clip each gradient to this L2 norm (0 or `nil`: off).
  ///   - clipvalue: clip each gradient element to `[-clipvalue, clipvalue]`.
  ///   - globalClipnorm: clip all gradients together to this global norm.
  ///   At most one of the three clipping options may be given.
  public convenience init(
    learningRate: Float = 0.001, rho: Float = 0.9, momentum: Float = 0, epsilon: Float = 1e-7,
    centered: Bool = false, clipnorm: Float? = nil, clipvalue: Float? = nil, globalClipnorm: Float? = nil
  ) {
    self.init(
      rate: .constant(learningRate), rho: rho, momentum: momentum, epsilon: epsilon, centered: centered,
      clipnorm: clipnorm, clipvalue: clipvalue, globalClipnorm: globalClipnorm)
  }

  /// RMSprop whose learning rate follows `learningRate(step: iterations)`.
  ///
  /// ```swift
  /// let rmsprop = RMSprop(learningRate: ExponentialDecay(initialLearningRate: 1e-3, decaySteps: 1000, decayRate: 0.5))
  /// ```
  public convenience init(
    learningRate: any LearningRateSchedule, rho: Float = 0.9, momentum: Float = 0,
    epsilon: Float = 1e-7, centered: Bool = false,
    clipnorm: Float? = nil, clipvalue: Float? = nil, globalClipnorm: Float? = nil
  ) {
    self.init(
      rate: .schedule(learningRate), rho: rho, momentum: momentum, epsilon: epsilon, centered: centered,
      clipnorm: clipnorm, clipvalue: clipvalue, globalClipnorm: globalClipnorm)
  }

  init(
    rate: LearningRate, rho: Float, momentum: Float, epsilon: Float, centered: Bool,
    clipnorm: Float?, clipvalue: Float?, globalClipnorm: Float?
  ) {
    precondition(momentum >= 0, "RMSprop: momentum must be ≥ 0, got \(momentum)")
    self.rho = rho
    self.momentum = momentum
    self.epsilon = epsilon
    self.centered = centered
    oneMinusRho = kerasOneMinus(rho)
    var slots = ["velocity"]
    averageIndex = centered ? slots.count : nil
    if centered { slots.append("average_gradient") }
    momentumIndex = momentum > 0 ? slots.count : nil
    if momentum > 0 { slots.append("momentum") }
    super.init(core: OptimizerCore(
      name: "RMSprop", slotNames: slots, learningRate: rate,
      clipnorm: clipnorm, clipvalue: clipvalue, globalClipnorm: globalClipnorm))
  }

  public func apply(gradients: [Tensor], to parameters: [Parameter]) {
    core.update(gradients: gradients, parameters: parameters) { p, slots, g, lr, _ in
      Kernels.rmspropUpdate(
        p, slots: slots, averageIndex: averageIndex, momentumIndex: momentumIndex,
        gradient: g, lr: lr, rho: rho, oneMinusRho: oneMinusRho, momentum: momentum, epsilon: epsilon)
    }
  }
}
