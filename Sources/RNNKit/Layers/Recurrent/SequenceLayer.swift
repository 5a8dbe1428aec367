/// A layer that runs over the steps of a sequence `[batch, time, features]`, returning the
/// last step's output (or every step's, with ``returnSequences``) and its final states:
/// ``RNN`` (``SimpleRNN``, ``LSTM``, ``GRU``) and ``Bidirectional``. Calling one, and
/// running it in a stack, come from here.
///
/// ```swift
/// let layers: [any SequenceLayer] = [LSTM(units: 8), Bidirectional(GRU(units: 4))]
/// for layer in layers { print(layer.callReturningState(x, initialState: nil, mask: nil, training: false).states.count) }
/// ```
public protocol SequenceLayer: Layer {
  /// Whether the output is every step's (`[batch, time, units]`) or the last (`[batch, units]`).
  var returnSequences: Bool { get }

  /// The output for `x` and the final states (Keras's `return_state=True`).
  ///
  /// - Parameters:
  ///   - x: `[batch, time, features]`.
  ///   - initialState: the states to start from, each `[batch, units]`; zeros when `nil`.
  ///   - mask: `[batch, time]` of 0/1 (1 = a real step); all steps when `nil`.
  ///   - training: whether dropout is active.
  func callReturningState(
    _ x: Tensor, initialState: [Tensor]?, mask: Tensor?, training: Bool
  ) -> (output: Tensor, states: [Tensor])
}

extension SequenceLayer {
  /// The layer applied to `x`; the output only.
  ///
  /// - Parameters:
  ///   - x: `[batch, time, features]`.
  ///   - initialState: the state to start from (`[h]`, or `[h, c]` for LSTM, each
  ///     `[batch, units]`; forward then backward states for a Bidirectional); zeros when `nil`.
  ///   - mask: `[batch, time]` of 0/1 (1 = a real step); all steps when `nil`.
  ///   - training: whether dropout is active.
  ///
  /// ```swift
  /// let y = lstm(x, initialState: [h0, c0], mask: mask)
  /// ```
  public func callAsFunction(
    _ x: Tensor, initialState: [Tensor]? = nil, mask: Tensor? = nil, training: Bool = false
  ) -> Tensor {
    callReturningState(x, initialState: initialState, mask: mask, training: training).output
  }

  /// Runs the layer in a stack: it consumes `context.mask`, and clears it unless it
  /// returns sequences.
  public func forward(_ input: Tensor, context: inout LayerContext) -> Tensor {
    let output = callAsFunction(input, mask: context.mask, training: context.training)
    if !returnSequences { context.mask = nil }
    return output
  }
}
