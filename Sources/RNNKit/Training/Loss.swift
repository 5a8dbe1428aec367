/// A training objective: a differentiable scalar from predictions and targets, reduced
/// like Keras's default (`sum_over_batch_size`: the mean over samples).
///
/// ```swift
/// let loss: any Loss = BinaryCrossentropy()
/// let value = loss(model(x), y)            // scalar tensor
/// ```
public protocol Loss: Sendable {
  /// The Keras name, used in progress bars and History (`"loss"` is the key there).
  var name: String { get }
  /// The mean loss over the batch, a scalar tensor, differentiable with respect to the predictions.
  func callAsFunction(_ predictions: Tensor, _ targets: Tensor) -> Tensor
  /// Checks targets that come from outside (labels of the wrong shape or range) before
  /// any kernel sees them.
  ///
  /// - Throws: ``TrainingDataError`` naming the problem, the expected and the actual value.
  func validate(predictionShape: [Int], targets: Tensor) throws
}

