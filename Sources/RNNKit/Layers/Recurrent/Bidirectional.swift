/// How ``Bidirectional`` combines its forward and backward outputs.
public enum MergeMode: String, Sendable, CaseIterable {
  /// Forward then backward along the last axis (`[…, 2·units]`), Keras's default.
  case concat
  /// The element-wise sum.
  case sum
  /// The element-wise product.
  case mul
  /// The element-wise mean.
  case ave
}

/// Runs a recurrent layer over the sequence in both directions and merges the outputs,
/// like `keras.layers.Bidirectional`.
///
/// The layer expression is evaluated twice, once per direction, so each direction has its
/// own weights; `getWeights()` lists the forward layer's then the backward layer's, as in
/// Keras. As in Keras, masked steps output zeros when `returnSequences` is on.
///
/// Shapes: input `[batch, time, features]`; output `[batch, time, 2·units]` (concat with
/// `returnSequences`), `[batch, 2·units]` without, or `units` wide for the other modes.
///
/// ```swift
/// let bi = Bidirectional(LSTM(units: 32, returnSequences: true), mergeMode: .concat)
/// let y = bi(x)                                        // [batch, time, 64]
/// ```
public final class Bidirectional<Cell: RecurrentCell>: SequenceLayer {
  /// The layer reading the sequence in its given order.
  public let forwardLayer: RNN<Cell>
  /// The layer reading it in reverse; its outputs are re-reversed before merging.
  public let backwardLayer: RNN<Cell>
  /// How the two outputs are combined.
  public let mergeMode: MergeMode

  /// Wraps a recurrent layer.
  ///
  /// - Parameters:
  ///   - layer: an expression creating the recurrent layer; evaluated once per direction.
  ///   - mergeMode: how to combine the two directions.
  public init(_ layer: @autoclosure () -> RNN<Cell>, mergeMode: MergeMode = .concat) {
    forwardLayer = layer()
    backwardLayer = layer()
    precondition(forwardLayer !== backwardLayer, "Bidirectional: the layer expression must create a new layer each time")
    backwardLayer.goBackwards.toggle()
    for l in [forwardLayer, backwardLayer] { l.zeroOutputForMask = l.returnSequences }
    self.mergeMode = mergeMode
  }

  /// Whether the merged output is a sequence.
  public var returnSequences: Bool { forwardLayer.returnSequences }

  /// The merged output and the final states: forward states, then backward states.
  ///
  /// ```swift
  /// let (y, states) = Bidirectional(GRU(units: 8)).callReturningState(x)   // states: [hForward, hBackward]
  /// ```
  public func callReturningState(
    _ x: Tensor, initialState: [Tensor]? = nil, mask: Tensor? = nil, training: Bool = false
  ) -> (output: Tensor, states: [Tensor]) {
    let half = forwardLayer.cell.stateCount
    if let initialState {
      precondition(
        initialState.count == 2 * half,
        "Bidirectional: initialState needs \(2 * half) tensors (forward then backward), got \(initialState.count)")
    }
    let forward = forwardLayer.callReturningState(
      x, initialState: initialState.map { Array($0.prefix(half)) }, mask: mask, training: training)
    let backward = backwardLayer.callReturningState(
      x, initialState: initialState.map { Array($0.suffix(half)) }, mask: mask, training: training)
    let backwardOutput = returnSequences ? backward.output.reversed(alongAxis: 1) : backward.output
    return (merge(forward.output, backwardOutput), forward.states + backward.states)
  }

  private func merge(_ a: Tensor, _ b: Tensor) -> Tensor {
    switch mergeMode {
    case .concat: return Tensor(concatenating: [a, b], alongAxis: -1)
    case .sum: return a + b
    case .mul: return a * b
    case .ave: return (a + b) * 0.5
    }
  }
}
