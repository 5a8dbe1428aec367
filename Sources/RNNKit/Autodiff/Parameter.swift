/// A trainable weight of a layer: a named tensor that optimizers update in place.
///
/// Layers keep their weights as `Parameter`s; models find them automatically
/// (``Layer/parameters``), and a ``GradientTape`` watches every trainable one that a
/// layer reads while recording.
///
/// ```swift
/// let w = Parameter(Tensor(zeros: [3, 2]), name: "kernel")
/// w.value = w.value - 0.1 * gradient
/// ```
public final class Parameter: @unchecked Sendable {
  /// The weight's name inside its layer, as Keras names it (`kernel`, `recurrent_kernel`, `bias`).
  public let name: String
  /// The current value.
  public var value: Tensor
  /// Whether optimizers update this weight and tapes track it.
  public var isTrainable: Bool

  /// A parameter holding `value`.
  public init(_ value: Tensor, name: String, isTrainable: Bool = true) {
    self.value = value.detached
    self.name = name
    self.isTrainable = isTrainable
  }

  /// The value as a layer's forward pass should use it: tracked by the recording tape
  /// when there is one and the parameter is trainable.
  var forForward: Tensor {
    guard isTrainable, let tape = GradientTape.current else { return value }
    return tape.leaf(for: self)
  }
}
