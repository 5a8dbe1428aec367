// SimpleRNN kernels (simple_rnn.c), tanh and relu, against the Double reference in
// Support/RNNTestSupport.swift.
import CKernels
import Testing

/// One SimpleRNN problem: random weights, inputs, initial state and loss weights
/// P (B,T,H), Q (B,H) for L = Σ P ⊙ y + Σ Q ⊙ hT.
struct SimpleRNNCase: RecurrentKernelCase {
  let B: Int, T: Int, D: Int, H: Int
  let relu: Bool
  var x: [Float], W: [Float], U: [Float], b: [Float], h0: [Float]
  var mask: [Float]?
  var rdmask: [Float]?
  let P: [Float], Q: [Float]

  static let stateNames = ["h"]
  static var sizeFunctions: RecurrentSizeFunctions {
    (ck_simple_rnn_cache_size, ck_simple_rnn_workspace_size)
  }

  init(B: Int = 3, T: Int = 5, D: Int = 4, H: Int = 3, relu: Bool, seed: UInt64 = 1,
       masked: Bool = false, recurrentDropout: Bool = false) {
    self.B = B; self.T = T; self.D = D; self.H = H
    self.relu = relu
    x = randomFloats(B * T * D, seed: seed)
    W = randomFloats(D * H, seed: seed + 1, lo: -0.8, hi: 0.8)
    U = randomFloats(H * H, seed: seed + 2, lo: -0.8, hi: 0.8)
    b = randomFloats(H, seed: seed + 3, lo: -0.2, hi: 0.5)
    h0 = randomFloats(B * H, seed: seed + 4, lo: -0.5, hi: 0.5)
    mask = masked ? paddingMask(B: B, T: T) : nil
    rdmask = recurrentDropout ? dropoutMask(B * H, seed: seed + 6) : nil
    P = randomFloats(B * T * H, seed: seed + 7)
    Q = randomFloats(B * H, seed: seed + 8)
  }

  var initialStates: [[Float]] { [h0] }
  var finalStateWeights: [[Float]] { [Q] }
  var activation: ck_rnn_activation { relu ? CK_RNN_RELU : CK_RNN_TANH }

  func reference(_ p: [[Double]]) -> RefResult {
    referenceSimpleRNN(x: p[0], h0: p[4], W: p[1], U: p[2], b: p[3],
                       mask: mask.map(doubles), rdmask: rdmask.map(doubles), relu: relu,
                       B: B, T: T, D: D, H: H)
  }

  func callForward(_ io: SequenceForwardBuffers) -> Int32 {
    ck_simple_rnn_forward(
      io.y.p, io.finalStates[0].p, io.x.cp, io.initialStates[0].cp, io.mask.cp, io.rdmask.cp,
      io.W.cp, io.U.cp, io.b.cp, activation, io.cache.p, io.workspace.p,
      Int32(B), Int32(T), Int32(D), Int32(H))
  }

  func callBackward(_ io: SequenceBackwardBuffers) -> Int32 {
    ck_simple_rnn_backward(
      io.dx.p, io.dInitialStates[0].p, io.dW.p, io.dU.p, io.db.p, io.dy.cp,
      io.dFinalStates[0].cp, io.x.cp, io.mask.cp, io.rdmask.cp, io.W.cp, io.U.cp, activation,
      io.cache.cp, io.workspace.p, Int32(B), Int32(T), Int32(D), Int32(H))
  }

  func callCellForward(_ io: CellForwardBuffers) -> Int32 {
    ck_simple_rnn_cell_forward(
      io.nextStates[0].p, io.x.cp, io.states[0].cp, io.rdmask.cp, io.W.cp, io.U.cp, io.b.cp,
      activation, io.cache.p, io.workspace.p, Int32(B), Int32(D), Int32(H))
  }

  func callCellBackward(_ io: CellBackwardBuffers) -> Int32 {
    ck_simple_rnn_cell_backward(
      io.dx.p, io.dStates[0].p, io.dW.p, io.dU.p, io.db.p, io.dNextStates[0].cp, io.x.cp,
      io.rdmask.cp, io.W.cp, io.U.cp, activation, io.cache.cp, io.workspace.p,
      Int32(B), Int32(D), Int32(H))
  }
}

@Suite("SimpleRNN kernels")
struct SimpleRNNKernelTests {
  @Test("forward matches the Double reference", arguments: [false, true])
  func forwardMatchesReference(relu: Bool) {
    SimpleRNNCase(relu: relu).checkForward()
    SimpleRNNCase(B: 1, T: 4, D: 2, H: 5, relu: relu, seed: 11).checkForward()
  }

  @Test("relu really clips: some pre-activations are negative and give exact zeros")
  func reluClips() {
    let y = SimpleRNNCase(relu: true).forward().y
    #expect(y.contains(0))
    #expect(y.allSatisfy { $0 >= 0 })
  }

  @Test("inference (NULL cache) gives the training forward's outputs",
        arguments: [false, true])
  func inferenceMatchesTraining(relu: Bool) {
    SimpleRNNCase(relu: relu, seed: 3, masked: true, recurrentDropout: true)
      .checkInferenceMatchesTraining()
  }

  @Test("gradients of x, W, U, b, h0 match finite differences", arguments: [false, true])
  func gradientsMatchFiniteDifferences(relu: Bool) {
    // Seeds chosen so no relu pre-activation sits within eps of its kink.
    SimpleRNNCase(relu: relu).checkGradients()
    SimpleRNNCase(B: 1, T: 3, D: 2, H: 2, relu: relu, seed: 21).checkGradients()
  }

  @Test("masked steps carry h over; forward and gradients stay exact",
        arguments: [false, true])
  func masking(relu: Bool) {
    let c = SimpleRNNCase(relu: relu, seed: 5, masked: true)
    c.checkForward()
    c.checkGradients()
    c.checkMaskedStepsCarryState()
  }

  @Test("the forward's column split across threads: exact, and right against the reference",
        arguments: [false, true])
  func columnSplit(relu: Bool) {
    // H = 70: two panels, the second a part one; B = 7 rows split unevenly for the
    // passes. The gradients' case: H = 65, two panels.
    SimpleRNNCase(B: 7, T: 3, D: 5, H: 70, relu: relu, seed: 41, masked: true)
      .checkColumnSplit(gradients: SimpleRNNCase(B: 2, T: 2, D: 3, H: 65, relu: relu,
                                                 seed: 42))
  }

  @Test("recurrent dropout mask, with and without padding")
  func recurrentDropout() {
    SimpleRNNCase(relu: false, seed: 7, recurrentDropout: true)
      .checkRecurrentDropout(padded: SimpleRNNCase(relu: false, seed: 8, masked: true,
                                                   recurrentDropout: true))
  }

  @Test("backward accumulates: calling it twice doubles every gradient")
  func backwardAccumulates() {
    SimpleRNNCase(relu: false, seed: 9, masked: true).checkBackwardAccumulates()
  }

  @Test("a loop of cell kernels is the sequence kernel, forward and backward")
  func cellMatchesSequence() {
    SimpleRNNCase(B: 2, T: 4, D: 3, H: 3, relu: false, seed: 13, recurrentDropout: true)
      .checkCellLoopMatchesSequence()
  }

  @Test("a single cell step matches the reference at T = 1", arguments: [false, true])
  func cellStepMatchesReference(relu: Bool) {
    SimpleRNNCase(B: 3, T: 1, D: 4, H: 3, relu: relu, seed: 15).checkCellStepMatchesReference()
  }

  @Test("invalid arguments return minus their position")
  func invalidArguments() {
    let c = SimpleRNNCase(B: 1, T: 2, D: 2, H: 2, relu: false)
    let x = Buf(c.x), W = Buf(c.W), U = Buf(c.U)
    let cache = Buf(zeros: c.cacheSize), ws = Buf(zeros: c.workspaceSize)
    let bad = ck_rnn_activation(rawValue: 7)
    #expect(ck_simple_rnn_forward(nil, nil, nil, nil, nil, nil, W.cp, U.cp, nil,
                                  CK_RNN_TANH, cache.p, ws.p, 1, 2, 2, 2) == -3)
    #expect(ck_simple_rnn_forward(nil, nil, x.cp, nil, nil, nil, W.cp, U.cp, nil, bad,
                                  cache.p, ws.p, 1, 2, 2, 2) == -10)
    #expect(ck_simple_rnn_forward(nil, nil, x.cp, nil, nil, nil, W.cp, U.cp, nil,
                                  CK_RNN_TANH, cache.p, ws.p, 1, 2, -2, 2) == -15)
    #expect(ck_simple_rnn_backward(nil, nil, nil, nil, nil, nil, nil, x.cp, nil, nil, W.cp,
                                   nil, CK_RNN_TANH, cache.cp, ws.p, 1, 2, 2, 2) == -12)
    #expect(ck_simple_rnn_backward(nil, nil, nil, nil, nil, nil, nil, x.cp, nil, nil, W.cp,
                                   U.cp, CK_RNN_RELU, cache.cp, nil, 1, 2, 2, 2) == -15)
    #expect(ck_simple_rnn_cell_forward(nil, x.cp, nil, nil, W.cp, U.cp, nil, CK_RNN_TANH,
                                       cache.p, ws.p, 1, 2, 2) == -1)
    #expect(ck_simple_rnn_cell_backward(nil, nil, nil, nil, nil, nil, x.cp, nil, W.cp, U.cp,
                                        CK_RNN_TANH, cache.cp, ws.p, 0, 2, 2) == -14)
  }
}
