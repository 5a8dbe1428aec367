/// Hooks into `fit`, like Keras callbacks. Every method has a default that does nothing.
///
/// ```swift
/// final class PrintEpochs: Callback {
///   func onEpochEnd(_ epoch: Int, logs: [String: Float], model: Model) throws -> TrainingAction {
///     print(epoch, logs["loss"]!)
///     return .continue
///   }
/// }
/// ```
public protocol Callback: AnyObject {
  /// Before the first epoch.
  func onTrainBegin(model: Model) throws
  /// After each training batch, with the running logs of the epoch.
  func onBatchEnd(_ batch: Int, logs: [String: Float], model: Model) throws -> TrainingAction
  /// After each epoch (validation included); `.stop` ends training.
  func onEpochEnd(_ epoch: Int, logs: [String: Float], model: Model) throws -> TrainingAction
  /// After training, however it ended.
  func onTrainEnd(model: Model) throws
}

/// Whether training goes on after a callback.
public enum TrainingAction: Sendable {
  /// Keep training.
  case `continue`
  /// Stop after this batch or epoch.
  case stop
}

extension Callback {
  public func onTrainBegin(model: Model) throws {}
  public func onBatchEnd(_ batch: Int, logs: [String: Float], model: Model) throws -> TrainingAction { .continue }
  public func onEpochEnd(_ epoch: Int, logs: [String: Float], model: Model) throws -> TrainingAction { .continue }
  public func onTrainEnd(model: Model) throws {}
}

/// Stops training when a monitored quantity has stopped improving, like
/// `keras.callbacks.EarlyStopping`.
///
/// ```swift
/// let stop = EarlyStopping(monitor: "val_loss", patience: 2, restoreBestWeights: true)
/// try model.fit(x, y, epochs: 50, validationSplit: 0.2, callbacks: [stop])
/// ```
public final class EarlyStopping: Callback {
  /// The log key watched (`val_loss` by default).
  public let monitor: String
  /// The smallest change that counts as an improvement.
  public let minDelta: Float
  /// Epochs without improvement before stopping.
  public let patience: Int
  /// Whether smaller is better (true for losses; inferred from the name like Keras's `auto`).
  public let lowerIsBetter: Bool
  /// Put back the best epoch's weights when stopping.
  public let restoreBestWeights: Bool
  /// The epoch training stopped at, if it did.
  public private(set) var stoppedEpoch: Int?
  private var best: Float = .nan
  private var wait = 0
  private var bestWeights: [Tensor]?

  /// An early-stopping rule.
  ///
  /// - Parameters:
  ///   - monitor: the log key to watch.
  ///   - minDelta: the smallest change that counts as an improvement.
  ///   - patience: epochs without improvement before stopping.
  ///   - lowerIsBetter: whether a lower value is an improvement; `nil` infers it from the name
  ///     (anything with "acc" is higher-is-better).
  ///   - restoreBestWeights: restore the best epoch's weights when stopping.
  public init(monitor: String = "val_loss", minDelta: Float = 0, patience: Int = 0, lowerIsBetter: Bool? = nil, restoreBestWeights: Bool = false) {
    self.monitor = monitor
    self.minDelta = Swift.abs(minDelta)
    self.patience = patience
    self.lowerIsBetter = lowerIsBetter ?? !monitor.contains("acc")
    self.restoreBestWeights = restoreBestWeights
  }

  public func onTrainBegin(model: Model) throws {
    best = .nan
    wait = 0
    stoppedEpoch = nil
    bestWeights = nil
  }

  public func onEpochEnd(_ epoch: Int, logs: [String: Float], model: Model) throws -> TrainingAction {
    guard let value = logs[monitor] else {
      throw TrainingError.missingLog(callback: "EarlyStopping", key: monitor, available: logs.keys.sorted())
    }
    let improved = best.isNaN || (lowerIsBetter ? value < best - minDelta : value > best + minDelta)
    if improved {
      best = value
      wait = 0
      if restoreBestWeights { bestWeights = model.getWeights() }
      return .continue
    }
    wait += 1
    guard wait > patience else { return .continue }
    stoppedEpoch = epoch
    if let bestWeights { try model.setWeights(bestWeights) }
    return .stop
  }
}

/// Stops training when the loss becomes NaN or infinite, like `keras.callbacks.TerminateOnNaN`
/// (without it, `fit` throws ``TrainingError/nonFiniteLoss(epoch:step:value:)`` instead).
///
/// ```swift
/// try model.fit(x, y, epochs: 5, callbacks: [TerminateOnNaN()])
/// ```
public final class TerminateOnNaN: Callback {
  /// The batch at which training was stopped, if it was.
  public private(set) var stoppedAt: (epoch: Int, batch: Int)?
  private var epoch = 0

  /// A callback that stops on a non-finite loss.
  public init() {}

  public func onEpochEnd(_ epoch: Int, logs: [String: Float], model: Model) throws -> TrainingAction {
    self.epoch = epoch + 1
    return .continue
  }

  public func onBatchEnd(_ batch: Int, logs: [String: Float], model: Model) throws -> TrainingAction {
    guard let loss = logs["loss"], !loss.isFinite else { return .continue }
    stoppedAt = (epoch, batch)
    return .stop
  }
}

