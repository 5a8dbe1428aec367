import Foundation

/// What `fit` returns: each logged quantity per epoch, like Keras's `History.history`.
///
/// ```swift
/// let history = try model.fit(x, y, epochs: 10, validationSplit: 0.2)
/// print(history.history["val_loss"]!)
/// try history.plot(to: URL(fileURLWithPath: "curves.svg"))
/// ```
public struct History: Sendable {
  /// Per key (`loss`, `accuracy`, `val_loss`, …), one value per completed epoch.
  public internal(set) var history: [String: [Float]] = [:]
  /// The epochs completed (0-based), in order.
  public internal(set) var epochs: [Int] = []

  mutating func record(epoch: Int, logs: [String: Float]) {
    epochs.append(epoch)
    for (key, value) in logs { history[key, default: []].append(value) }
  }
}
