/// Adam, like `keras.optimizers.Adam` (Keras 3's form of the update).
///
/// For update number `t = iterations + 1` and each parameter `w` with gradient `g`
/// (after clipping, if configured):
/// ```
/// alpha = lr·sqrt(1 - beta2^t) / (1 - beta1^t)
/// m = m + (g - m)·(1 - beta1)
/// v = v + (g² - v)·(1 - beta2)
/// w = w - m·alpha / (sqrt(v) + epsilon)        (amsgrad: v̂ = max(v̂, v) replaces v)
/// ```
/// The bias correction is folded into `alpha`, and `epsilon` is added to `sqrt(v)`, not to
/// `sqrt(v̂)` of the paper, so `epsilon` weighs a little differently than in Algorithm 1.
/// The moments are flat buffers per parameter (state entries `"m/<index>"`, `"v/<index>"`,
/// and `"v_hat/<index>"` with amsgrad), created as zeros on the parameter's first update.
///
/// Pass only trainable parameters (``Parameter/isTrainable``), in a stable order: state
/// entries are named by the index into that list.
///
/// ```swift
/// let adam = Adam(learningRate: 1e-3, globalClipnorm: 5)
/// adam.apply(gradients: grads, to: model.trainableParameters)
/// ```
public final class Adam: OptimizerBase, Optimizer {
  /// The decay of the first moment.
  public let beta1: Float
  /// The decay of the second moment.
  public let beta2: Float
  /// Added to `sqrt(v)` in the denominator.
  public let epsilon: Float
  /// Whether the AMSGrad variant (running maximum of `v`) is used.
  public let amsgrad: Bool
  private let oneMinusBeta1: Float
  private let oneMinusBeta2: Float

  /// Adam with a constant learning rate (Keras's defaults).
  ///
  /// - Parameters:
  ///   - learningRate: 0.001 by default.
  ///   - beta1: 0.9 by default.
  ///   - beta2: 0.999 by default.
  ///   - epsilon: 1e-7 by default (Keras's, not the paper's 1e-8).
  ///   - amsgrad: use AMSGrad.
  ///   - clipnorm: clip each gradient to this L2 norm (0 or `nil`: off).
  ///   - clipvalue: clip each gradient element to `[-clipvalue, clipvalue]`.
  ///   - globalClipnorm: clip all gradients together to this global norm.
  ///   At most one of the three clipping options may be given.
  public convenience init(
    learningRate: Float = 0.001, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-7,
    amsgrad: Bool = false, clipnorm: Float? = nil, clipvalue: Float? = nil, globalClipnorm: Float? = nil
  ) {
    self.init(
      rate: .constant(learningRate), beta1: beta1, beta2: beta2, epsilon: epsilon, amsgrad: amsgrad,
      clipnorm: clipnorm, clipvalue: clipvalue, globalClipnorm: globalClipnorm)
  }

  /// Adam whose learning rate follows `learningRate(step: iterations)`.
  ///
  /// ```swift
  /// let adam = Adam(learningRate: ClosureSchedule { $0 < 100 ? 1e-4 : 1e-3 })
  /// ```
  public convenience init(
    learningRate: any LearningRateSchedule, beta1: Float = 0.9, beta2: Float = 0.999,
    epsilon: Float = 1e-7, amsgrad: Bool = false,
    clipnorm: Float? = nil, clipvalue: Float? = nil, globalClipnorm: Float? = nil
  ) {
    self.init(
      rate: .schedule(learningRate), beta1: beta1, beta2: beta2, epsilon: epsilon, amsgrad: amsgrad,
      clipnorm: clipnorm, clipvalue: clipvalue, globalClipnorm: globalClipnorm)
  }

  init(
    rate: LearningRate, beta1: Float, beta2: Float, epsilon: Float, amsgrad: Bool,
    clipnorm: Float?, clipvalue: Float?, globalClipnorm: Float?
  ) {
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon
    self.amsgrad = amsgrad
    oneMinusBeta1 = kerasOneMinus(beta1)
    oneMinusBeta2 = kerasOneMinus(beta2)
    super.init(core: OptimizerCore(
      name: "Adam", slotNames: amsgrad ? ["m", "v", "v_hat"] : ["m", "v"], learningRate: rate,
      clipnorm: clipnorm, clipvalue: clipvalue, globalClipnorm: globalClipnorm))
  }

  public func apply(gradients: [Tensor], to parameters: [Parameter]) {
    core.update(gradients: gradients, parameters: parameters) { p, slots, g, lr, t in
      // The same lr and t for every parameter, so the same alpha.
      let alpha = Kernels.adamAlpha(lr: lr, beta1: beta1, beta2: beta2, t: t)
      Kernels.adamUpdate(
        p, slots: slots, gradient: g, alpha: alpha,
        oneMinusBeta1: oneMinusBeta1, oneMinusBeta2: oneMinusBeta2, epsilon: epsilon)
    }
  }
}
