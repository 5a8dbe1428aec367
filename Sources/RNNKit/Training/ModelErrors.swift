// The errors shared by layers and training: weights that do not fit a layer, data that
// cannot be used, and a training run that cannot go on.

/// A weight list that does not fit a layer, from ``Layer/setWeights(_:)``.
public enum WeightsError: Error, CustomStringConvertible, Equatable {
  /// The number of weights differs from the layer's.
  case countMismatch(layer: String, expected: Int, actual: Int)
  /// One weight's shape differs from the layer's.
  case shapeMismatch(layer: String, weight: String, expected: [Int], actual: [Int])
  /// The layer has not created its weights yet (it learns its input size on first use).
  case notBuilt(layer: String)

  public var description: String {
    switch self {
    case .countMismatch(let layer, let expected, let actual):
      return "\(layer).setWeights: expected \(expected) weights, got \(actual)"
    case .shapeMismatch(let layer, let weight, let expected, let actual):
      return "\(layer).setWeights: weight '\(weight)' has shape \(expected), got \(actual)"
    case .notBuilt(let layer):
      return "\(layer).setWeights: the layer has no weights yet; create it with inputSize: or call it once first"
    }
  }
}

/// Data handed to training or evaluation that cannot be used.
public enum TrainingDataError: Error, CustomStringConvertible, Equatable {
  /// Targets whose shape does not fit the predictions.
  case targetShape(loss: String, expected: String, actual: [Int])
  /// A target value outside the allowed range (class index, 0/1 label).
  case targetValue(loss: String, expected: String, actual: Float, index: Int)
  /// Inputs and targets with different sample counts.
  case sampleCountMismatch(inputs: Int, targets: Int)
  /// No samples at all.
  case empty(String)
  /// A batch size, epoch count or split that cannot be used.
  case invalidArgument(name: String, expected: String, actual: String)
  /// A token id outside an embedding's vocabulary.
  case tokenOutOfRange(layer: String, token: Int, inputDim: Int)

  public var description: String {
    switch self {
    case .targetShape(let loss, let expected, let actual):
      return "\(loss): targets must have shape \(expected), got \(actual)"
    case .targetValue(let loss, let expected, let actual, let index):
      return "\(loss): target \(index) is \(actual), expected \(expected)"
    case .sampleCountMismatch(let inputs, let targets):
      return "inputs have \(inputs) samples but targets have \(targets)"
    case .empty(let what):
      return "\(what) is empty"
    case .invalidArgument(let name, let expected, let actual):
      return "\(name) must be \(expected), got \(actual)"
    case .tokenOutOfRange(let layer, let token, let inputDim):
      return "\(layer): token id \(token) is outside the vocabulary 0..<\(inputDim)"
    }
  }
}

/// Why training stopped with an error.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
  /// The loss became NaN or infinite (epoch and step are 1-based, as the progress bar shows).
  case nonFiniteLoss(epoch: Int, step: Int, value: Float)
  /// `fit` or `evaluate` before `compile`.
  case notCompiled
  /// A callback watches a log key that training does not produce.
  case missingLog(callback: String, key: String, available: [String])

  public var description: String {
    switch self {
    case .nonFiniteLoss(let epoch, let step, let value):
      return "training stopped: the loss is \(value) at epoch \(epoch), step \(step)"
    case .notCompiled:
      return "the model is not compiled: call compile(optimizer:loss:metrics:) first"
    case .missingLog(let callback, let key, let available):
      return "\(callback): no '\(key)' in the logs (available: \(available.joined(separator: ", ")))"
    }
  }
}
