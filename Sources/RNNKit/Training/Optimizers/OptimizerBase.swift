/// What every RNNKit optimizer shares, after MLX Swift's `OptimizerBase`: the iteration
/// count, the learning rate or its schedule, gradient clipping, and the per-parameter slots
/// with their checkpoint state. A subclass says only how one parameter is updated.
///
/// ```swift
/// let adam = Adam(learningRate: 1e-3, clipnorm: 1)
/// adam.learningRate = .constant(1e-4)      // between updates
/// print(adam.iterations, adam.currentLearningRate)
/// ```
public class OptimizerBase {
  var core: OptimizerCore

  init(core: OptimizerCore) { self.core = core }

  /// The gradient clipping applied before each update, if any.
  public var clipping: GradientClipping? { core.clipping }

  /// Updates applied so far (Keras's `optimizer.iterations`).
  public var iterations: Int { core.iterations }

  /// The learning rate, constant or scheduled; may be replaced between updates.
  public var learningRate: LearningRate {
    get { core.learningRate }
    set { core.learningRate = newValue }
  }

  /// The learning rate the next update uses.
  public var currentLearningRate: Float { core.currentLearningRate }

  /// `"iterations"` and each slot of each parameter as `"<slot>/<index>"` (zeros for a
  /// parameter not yet updated), the index into `parameters`: what checkpoints store.
  public func state(for parameters: [Parameter]) -> [String: Tensor] {
    core.state(for: parameters)
  }

  /// Replaces the iteration count and every slot from `state`, after checking them all.
  ///
  /// - Throws: ``OptimizerStateError`` naming each missing, unexpected or mis-shaped entry;
  ///   nothing changes then.
  public func loadState(_ state: [String: Tensor], for parameters: [Parameter]) throws {
    try core.loadState(state, for: parameters)
  }
}
