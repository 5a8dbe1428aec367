// The checks the SimpleRNN, LSTM and GRU kernel tests share, written once over
// `RecurrentKernelCase`: a cell type's case supplies its data, its Double reference
// and thin wrappers around its four kernels (sequence and cell, forward and backward);
// the buffer setup, the comparisons and the finite-difference checks live here.
//
// States are listed h first, then c for LSTM: initial states (B,H) each, final states
// (B,H) each. The loss is L = Σ P ⊙ y + Σ_k weight_k ⊙ finalState_k.
import CKernels
import Testing

// MARK: - Kernel call buffers

/// The buffers of one sequence-kernel forward call.
struct SequenceForwardBuffers {
  let y: Buf
  let finalStates: [Buf]
  let x: Buf
  let initialStates: [Buf]
  let mask: Buf?
  let rdmask: Buf?
  let W: Buf, U: Buf, b: Buf
  let cache: Buf?
  let workspace: Buf
}

/// The buffers of one sequence-kernel backward call; the gradients accumulate.
struct SequenceBackwardBuffers {
  let dx: Buf, dW: Buf, dU: Buf, db: Buf
  let dInitialStates: [Buf]
  let dy: Buf
  let dFinalStates: [Buf]
  let x: Buf
  let mask: Buf?
  let rdmask: Buf?
  let W: Buf, U: Buf
  let cache: Buf
  let workspace: Buf
}

/// The buffers of one cell-kernel step forward: x is (B,D), states and next states (B,H).
struct CellForwardBuffers {
  let nextStates: [Buf]
  let x: Buf
  let states: [Buf]
  let rdmask: Buf?
  let W: Buf, U: Buf, b: Buf
  let cache: Buf
  let workspace: Buf
}

/// The buffers of one cell-kernel step backward; dW, dU, db accumulate.
struct CellBackwardBuffers {
  let dx: Buf
  let dStates: [Buf]
  let dW: Buf, dU: Buf, db: Buf
  let dNextStates: [Buf]
  let x: Buf
  let rdmask: Buf?
  let W: Buf, U: Buf
  let cache: Buf
  let workspace: Buf
}

/// What the sequence forward wrote.
struct RecurrentForward {
  var y: [Float]
  /// [hT], or [hT, cT] for LSTM.
  var finalStates: [[Float]]
  /// `nil` for an inference call.
  var cache: Buf?

  var hT: [Float] { finalStates[0] }
  /// LSTM only.
  var cT: [Float] { finalStates[1] }
}

// MARK: - One cell type's test case

/// A family's size functions, each of (B, T, D, H); T = 1 gives the cell kernel's.
typealias RecurrentSizeFunctions = (
  cache: (Int32, Int32, Int32, Int32) -> Int, workspace: (Int32, Int32, Int32, Int32) -> Int
)

/// One recurrent problem: random weights, inputs, initial states and loss weights, with
/// its reference and its kernels.
protocol RecurrentKernelCase {
  var B: Int { get }
  var T: Int { get }
  var D: Int { get }
  var H: Int { get }
  var x: [Float] { get }
  var W: [Float] { get }
  var U: [Float] { get }
  var b: [Float] { get }
  var mask: [Float]? { get }
  var rdmask: [Float]? { get set }
  /// [h0], or [h0, c0] for LSTM.
  var initialStates: [[Float]] { get }
  /// The loss weights of y (B,T,H).
  var P: [Float] { get }
  /// The loss weights of the final states: [Q], or [Q, R] for LSTM.
  var finalStateWeights: [[Float]] { get }
  /// `["h"]`, or `["h", "c"]` for LSTM: the states' names in messages.
  static var stateNames: [String] { get }

  /// The kernels' cache and workspace sizes, e.g. `(ck_gru_cache_size, ck_gru_workspace_size)`.
  static var sizeFunctions: RecurrentSizeFunctions { get }

  /// The Double reference at parameters `p` (in `params` order).
  func reference(_ p: [[Double]]) -> RefResult
  func callForward(_ io: SequenceForwardBuffers) -> Int32
  func callBackward(_ io: SequenceBackwardBuffers) -> Int32
  func callCellForward(_ io: CellForwardBuffers) -> Int32
  func callCellBackward(_ io: CellBackwardBuffers) -> Int32
}

extension RecurrentKernelCase {
  /// x, W, U, b, then the initial states: the order of gradients everywhere.
  var params: [[Float]] { [x, W, U, b] + initialStates }
  /// `params`' names: "x", "W", "U", "b", "h0" (and "c0").
  static var names: [String] { ["x", "W", "U", "b"] + stateNames.map { "\($0)0" } }

  var cacheSize: Int { Self.sizeFunctions.cache(Int32(B), Int32(T), Int32(D), Int32(H)) }
  var workspaceSize: Int {
    Self.sizeFunctions.workspace(Int32(B), Int32(T), Int32(D), Int32(H))
  }
  /// The sizes for one cell step.
  var cellCacheSize: Int { Self.sizeFunctions.cache(Int32(B), 1, Int32(D), Int32(H)) }
  var cellWorkspaceSize: Int { Self.sizeFunctions.workspace(Int32(B), 1, Int32(D), Int32(H)) }

  func loss(_ p: [[Double]]) -> Double {
    let r = reference(p)
    var sum = dot(r.y, P)
    for (state, weights) in zip(r.finalStates, finalStateWeights) { sum += dot(state, weights) }
    return sum
  }

  /// The sequence forward; `training: false` passes a NULL cache.
  func forward(training: Bool = true) -> RecurrentForward {
    let io = SequenceForwardBuffers(
      y: Buf(garbage: B * T * H), finalStates: initialStates.map { _ in Buf(garbage: B * H) },
      x: Buf(x), initialStates: initialStates.map(Buf.init),
      mask: mask.map(Buf.init), rdmask: rdmask.map(Buf.init), W: Buf(W), U: Buf(U), b: Buf(b),
      cache: training ? Buf(garbage: cacheSize) : nil, workspace: Buf(garbage: workspaceSize))
    let status = callForward(io)
    #expect(status == 0)
    return RecurrentForward(y: io.y.array, finalStates: io.finalStates.map(\.array),
                            cache: io.cache)
  }

  /// The sequence backward of L, accumulated into `grads` (in `params` order).
  @discardableResult
  func backward(cache: Buf, into grads: [Buf]) -> Int32 {
    callBackward(SequenceBackwardBuffers(
      dx: grads[0], dW: grads[1], dU: grads[2], db: grads[3],
      dInitialStates: Array(grads[4...]), dy: Buf(P),
      dFinalStates: finalStateWeights.map(Buf.init), x: Buf(x),
      mask: mask.map(Buf.init), rdmask: rdmask.map(Buf.init), W: Buf(W), U: Buf(U),
      cache: cache, workspace: Buf(garbage: workspaceSize)))
  }

  func zeroGradients() -> [Buf] { params.map { Buf(zeros: $0.count) } }

  /// Forward + backward from zeroed gradients.
  func kernelGradients() -> [[Float]] {
    let fwd = forward()
    let grads = zeroGradients()
    #expect(backward(cache: fwd.cache!, into: grads) == 0)
    return grads.map(\.array)
  }

  // MARK: Checks

  /// The sequence forward's y and final states against the reference.
  func checkForward(sourceLocation: SourceLocation = #_sourceLocation) {
    let ref = reference(params.map(doubles))
    let fwd = forward()
    expectClose(fwd.y, ref.y, "y", sourceLocation: sourceLocation)
    for (k, name) in Self.stateNames.enumerated() {
      expectClose(fwd.finalStates[k], ref.finalStates[k], "\(name)T",
                  sourceLocation: sourceLocation)
    }
  }

  /// The sequence backward against finite differences of the reference's loss.
  func checkGradients(sourceLocation: SourceLocation = #_sourceLocation) {
    let numeric = numericGradients(params) { loss($0) }
    expectGradients(kernelGradients(), numeric, names: Self.names,
                    sourceLocation: sourceLocation)
  }

  /// Inference (NULL cache) writes exactly what the training forward writes.
  func checkInferenceMatchesTraining(sourceLocation: SourceLocation = #_sourceLocation) {
    let train = forward(training: true), infer = forward(training: false)
    #expect(train.y == infer.y, sourceLocation: sourceLocation)
    for k in train.finalStates.indices {
      #expect(train.finalStates[k] == infer.finalStates[k], sourceLocation: sourceLocation)
    }
  }

  /// Keras semantics under `paddingMask`, stated directly: the pre-padded row 1 outputs
  /// its initial state over the padding, the post-padded row 0 repeats its last real
  /// output (and ends with it).
  func checkMaskedStepsCarryState(sourceLocation: SourceLocation = #_sourceLocation) {
    let fwd = forward()
    let h0 = initialStates[0]
    for k in 0..<H {
      #expect(fwd.y[(1 * T + 0) * H + k] == h0[1 * H + k], sourceLocation: sourceLocation)
      #expect(fwd.y[(1 * T + 1) * H + k] == h0[1 * H + k], sourceLocation: sourceLocation)
      #expect(fwd.y[(0 * T + T - 1) * H + k] == fwd.y[(0 * T + T - 3) * H + k],
              sourceLocation: sourceLocation)
      #expect(fwd.hT[0 * H + k] == fwd.y[(0 * T + T - 3) * H + k],
              sourceLocation: sourceLocation)
    }
  }

  /// A case with recurrent dropout, and `padded`, the same with a padding mask: both
  /// match the reference's forward and finite differences, and the dropout mask really
  /// changes the result.
  func checkRecurrentDropout(padded: Self, sourceLocation: SourceLocation = #_sourceLocation) {
    precondition(rdmask != nil && padded.rdmask != nil && padded.mask != nil)
    for c in [self, padded] {
      c.checkForward(sourceLocation: sourceLocation)
      c.checkGradients(sourceLocation: sourceLocation)
    }
    var plain = self
    plain.rdmask = nil
    #expect(plain.forward().hT != forward().hT, sourceLocation: sourceLocation)
  }

  /// Calling the backward twice doubles every gradient.
  func checkBackwardAccumulates(sourceLocation: SourceLocation = #_sourceLocation) {
    let fwd = forward()
    let grads = zeroGradients()
    #expect(backward(cache: fwd.cache!, into: grads) == 0, sourceLocation: sourceLocation)
    let once = grads.map(\.array)
    #expect(backward(cache: fwd.cache!, into: grads) == 0, sourceLocation: sourceLocation)
    for (k, g) in grads.enumerated() {
      expectClose(g.array, once[k].map { 2 * $0 }, rtol: 1e-6, atol: 1e-7,
                  "twice d\(Self.names[k])", sourceLocation: sourceLocation)
    }
  }

  /// Steps the cell kernel through time, keeping each step's cache, then walks the cells
  /// back down with the carried state gradients: both directions must give the sequence
  /// kernel's results.
  func checkCellLoopMatchesSequence(sourceLocation: SourceLocation = #_sourceLocation) {
    let Wb = Buf(W), Ub = Buf(U), bb = Buf(b), rb = rdmask.map(Buf.init)

    var states = initialStates
    var steps: [CellForwardBuffers] = [], ys: [[Float]] = []
    for t in 0..<T {
      var xt: [Float] = []
      for r in 0..<B { xt += x[(r * T + t) * D ..< (r * T + t + 1) * D] }
      let step = CellForwardBuffers(
        nextStates: states.map { _ in Buf(garbage: B * H) }, x: Buf(xt),
        states: states.map(Buf.init), rdmask: rb, W: Wb, U: Ub, b: bb,
        cache: Buf(garbage: cellCacheSize), workspace: Buf(garbage: cellWorkspaceSize))
      #expect(callCellForward(step) == 0, sourceLocation: sourceLocation)
      states = step.nextStates.map(\.array)
      steps.append(step); ys.append(states[0])
    }
    let seq = forward()
    for (k, name) in Self.stateNames.enumerated() {
      expectClose(states[k], seq.finalStates[k], rtol: 1e-6, atol: 1e-7,
                  "cell loop \(name)T", sourceLocation: sourceLocation)
    }
    for t in 0..<T {
      for r in 0..<B {
        expectClose(Array(ys[t][r * H ..< (r + 1) * H]),
                    Array(seq.y[(r * T + t) * H ..< (r * T + t + 1) * H]),
                    rtol: 1e-6, atol: 1e-7, "cell loop y[\(r), \(t)]",
                    sourceLocation: sourceLocation)
      }
    }

    let dW = Buf(zeros: W.count), dU = Buf(zeros: U.count), db = Buf(zeros: b.count)
    var dStates = finalStateWeights
    var dx = [Float](repeating: 0, count: B * T * D)
    for t in stride(from: T - 1, through: 0, by: -1) {
      for r in 0..<B { for k in 0..<H { dStates[0][r * H + k] += P[(r * T + t) * H + k] } }
      let step = CellBackwardBuffers(
        dx: Buf(zeros: B * D), dStates: dStates.map { _ in Buf(zeros: B * H) },
        dW: dW, dU: dU, db: db, dNextStates: dStates.map(Buf.init), x: steps[t].x,
        rdmask: rb, W: Wb, U: Ub, cache: steps[t].cache,
        workspace: Buf(garbage: cellWorkspaceSize))
      #expect(callCellBackward(step) == 0, sourceLocation: sourceLocation)
      dStates = step.dStates.map(\.array)
      let dxa = step.dx.array
      for r in 0..<B { for d in 0..<D { dx[(r * T + t) * D + d] = dxa[r * D + d] } }
    }
    let g = kernelGradients()
    let loop = [dx, dW.array, dU.array, db.array] + dStates
    for (k, name) in Self.names.enumerated() {
      expectClose(loop[k], g[k], rtol: 1e-5, atol: 1e-6, "cell loop d\(name)",
                  sourceLocation: sourceLocation)
    }
  }

  /// A case with T = 1: one cell step (no masks) matches the reference, and its backward
  /// (dh = P + Q, the output and state gradients summed) gives the finite-difference
  /// gradients.
  func checkCellStepMatchesReference(sourceLocation: SourceLocation = #_sourceLocation) {
    precondition(T == 1, "a single cell step is the sequence only at T = 1")
    let io = CellForwardBuffers(
      nextStates: initialStates.map { _ in Buf(garbage: B * H) }, x: Buf(x),
      states: initialStates.map(Buf.init), rdmask: nil, W: Buf(W), U: Buf(U), b: Buf(b),
      cache: Buf(garbage: cacheSize), workspace: Buf(garbage: workspaceSize))
    #expect(callCellForward(io) == 0, sourceLocation: sourceLocation)
    let ref = reference(params.map(doubles))
    for (k, name) in Self.stateNames.enumerated() {
      expectClose(io.nextStates[k].array, ref.finalStates[k], "cell \(name)",
                  sourceLocation: sourceLocation)
    }
    let grads = zeroGradients()
    var dNextStates = finalStateWeights
    dNextStates[0] = zip(P, dNextStates[0]).map(+)
    #expect(callCellBackward(CellBackwardBuffers(
      dx: grads[0], dStates: Array(grads[4...]), dW: grads[1], dU: grads[2], db: grads[3],
      dNextStates: dNextStates.map(Buf.init), x: io.x, rdmask: nil, W: io.W, U: io.U,
      cache: io.cache, workspace: io.workspace)) == 0, sourceLocation: sourceLocation)
    let numeric = numericGradients(params) { loss($0) }
    expectGradients(grads.map(\.array), numeric, names: Self.names,
                    sourceLocation: sourceLocation)
  }
}

// MARK: - Kernel paths

/// The ways the recurrent kernels can run their time loops (ckernels.h,
/// rnn_parallel.c): portable, the micro-kernel's batch slices (the LSTM test sizes
/// are small enough), and its column split forced. The micro-kernel falls back to
/// portable on CPUs without AVX-512.
enum RecurrentPath: CaseIterable, Sendable, CustomStringConvertible {
  case portable, microkernel, columns

  var c: ck_rnn_path {
    switch self {
    case .portable: return CK_RNN_PATH_PORTABLE
    case .microkernel: return CK_RNN_PATH_MICROKERNEL
    case .columns: return CK_RNN_PATH_MICROKERNEL_COLUMNS
    }
  }

  var description: String {
    switch self {
    case .portable: return "portable"
    case .microkernel: return "micro-kernel"
    case .columns: return "column split"
    }
  }
}

/// Runs `body` with the calling thread's recurrent kernels pinned to `path` and to
/// `threads` threads per time loop (0: automatic), then restores the automatic choice.
/// The settings are per thread, so tests running beside this one are not affected.
func withRecurrentPath<R>(_ path: RecurrentPath, threads: Int = 0,
                          _ body: () throws -> R) rethrows -> R {
  ck_rnn_set_path(path.c)
  ck_rnn_set_threads(Int32(threads))
  defer {
    ck_rnn_set_path(CK_RNN_PATH_AUTO)
    ck_rnn_set_threads(0)
  }
  return try body()
}

extension RecurrentKernelCase {
  /// On a micro-kernel path, 1, 2 and 3 threads give bit-identical outputs, final
  /// states and input and state gradients. The column split gives bit-identical
  /// weight gradients too. In the batch slices the weight gradients are each slice's
  /// sum over its rows, added in slice order, so a split changes only their rounding:
  /// they agree to 1e-6.
  func checkThreadSplitIsExact(_ path: RecurrentPath = .microkernel,
                               sourceLocation: SourceLocation = #_sourceLocation) {
    func run(_ threads: Int) -> (RecurrentForward, [[Float]], [Float]) {
      withRecurrentPath(path, threads: threads) {
        (forward(), kernelGradients(), forward(training: false).y)
      }
    }
    let weightNames: Set<String> = path == .columns ? [] : ["W", "U", "b"]
    let (one, oneGrads, oneInference) = run(1)
    for threads in [2, 3] {
      let (split, splitGrads, splitInference) = run(threads)
      #expect(split.y == one.y, "y, \(threads) threads", sourceLocation: sourceLocation)
      #expect(splitInference == oneInference, "inference y, \(threads) threads",
              sourceLocation: sourceLocation)
      #expect(split.finalStates == one.finalStates, "final states, \(threads) threads",
              sourceLocation: sourceLocation)
      for (k, name) in Self.names.enumerated() {
        if weightNames.contains(name) {
          expectClose(splitGrads[k], oneGrads[k], rtol: 1e-6, atol: 1e-6,
                      "d\(name), \(threads) threads", sourceLocation: sourceLocation)
        } else {
          #expect(splitGrads[k] == oneGrads[k], "d\(name), \(threads) threads",
                  sourceLocation: sourceLocation)
        }
      }
    }
  }

  /// The column path forced: 1, 2 and 3 threads agree bit for bit, and under 3 threads
  /// this (masked) case matches the reference, inference equals training and masked
  /// steps carry the state; `small`, a size finite differences are quick for, checks
  /// the gradients through the cache the path writes.
  func checkColumnSplit(gradients small: Self,
                        sourceLocation: SourceLocation = #_sourceLocation) {
    checkThreadSplitIsExact(.columns, sourceLocation: sourceLocation)
    withRecurrentPath(.columns, threads: 3) {
      checkForward(sourceLocation: sourceLocation)
      checkInferenceMatchesTraining(sourceLocation: sourceLocation)
      checkMaskedStepsCarryState(sourceLocation: sourceLocation)
      small.checkGradients(sourceLocation: sourceLocation)
    }
  }

  /// The micro-kernel path (split across 3 threads) and the portable path agree on
  /// outputs and gradients: for cases too large for finite differences to be quick.
  func checkPathsAgree(sourceLocation: SourceLocation = #_sourceLocation) {
    let (fast, fastGrads) = withRecurrentPath(.microkernel, threads: 3) {
      (forward(), kernelGradients())
    }
    let (portable, portableGrads) = withRecurrentPath(.portable) {
      (forward(), kernelGradients())
    }
    expectClose(fast.y, portable.y, "y", sourceLocation: sourceLocation)
    for (k, name) in Self.names.enumerated() {
      expectClose(fastGrads[k], portableGrads[k], rtol: 1e-5, atol: 1e-5, "d\(name)",
                  sourceLocation: sourceLocation)
    }
  }
}
