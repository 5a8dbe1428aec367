/// An activation function, by its Keras name: element-wise, except ``softmax``, which
/// normalises over the last axis.
///
/// ```swift
/// let dense = Dense(units: 32, activation: .relu)
/// let y = Activation.sigmoid(x)
/// let p = Activation.softmax(logits)      // [batch, classes], rows sum to 1
/// ```
public enum Activation: String, Sendable, CaseIterable {
  /// The identity, Keras's `linear` (or `None`).
  case linear
  /// max(x, 0).
  case relu
  /// 1 / (1 + e^-x).
  case sigmoid
  /// The hyperbolic tangent.
  case tanh
  /// exp(x) / Σ exp(x) over the last axis (numerically stable); see ``softmax(_:)``.
  case softmax

  /// The activation applied to `x`.
  public func callAsFunction(_ x: Tensor) -> Tensor {
    switch self {
    case .linear: return x
    case .relu: return RNNKit.relu(x)
    case .sigmoid: return RNNKit.sigmoid(x)
    case .tanh: return RNNKit.tanh(x)
    case .softmax: return RNNKit.softmax(x)
    }
  }
}
