// LSTM kernels (lstm.c) against the Double reference in Support/RNNTestSupport.swift.
import CKernels
import Testing

/// One LSTM problem: random weights, inputs, initial state and loss weights
/// P (B,T,H), Q (B,H), R (B,H) for L = Σ P ⊙ y + Σ Q ⊙ hT + Σ R ⊙ cT.
struct LSTMCase: RecurrentKernelCase {
  let B: Int, T: Int, D: Int, H: Int
  var x: [Float], W: [Float], U: [Float], b: [Float], h0: [Float], c0: [Float]
  var mask: [Float]?
  var rdmask: [Float]?
  let P: [Float], Q: [Float], R: [Float]

  static let stateNames = ["h", "c"]
  static var sizeFunctions: RecurrentSizeFunctions {
    (ck_lstm_cache_size, ck_lstm_workspace_size)
  }

  init(B: Int = 3, T: Int = 5, D: Int = 4, H: Int = 3, seed: UInt64 = 1,
       masked: Bool = false, recurrentDropout: Bool = false) {
    self.B = B; self.T = T; self.D = D; self.H = H
    x = randomFloats(B * T * D, seed: seed)
    W = randomFloats(D * 4 * H, seed: seed + 1, lo: -0.8, hi: 0.8)
    U = randomFloats(H * 4 * H, seed: seed + 2, lo: -0.8, hi: 0.8)
    b = randomFloats(4 * H, seed: seed + 3, lo: -0.5, hi: 0.5)
    h0 = randomFloats(B * H, seed: seed + 4, lo: -0.5, hi: 0.5)
    c0 = randomFloats(B * H, seed: seed + 5, lo: -0.5, hi: 0.5)
    mask = masked ? paddingMask(B: B, T: T) : nil
    rdmask = recurrentDropout ? dropoutMask(4 * B * H, seed: seed + 6) : nil
    P = randomFloats(B * T * H, seed: seed + 7)
    Q = randomFloats(B * H, seed: seed + 8)
    R = randomFloats(B * H, seed: seed + 9)
  }

  var initialStates: [[Float]] { [h0, c0] }
  var finalStateWeights: [[Float]] { [Q, R] }

  func reference(_ p: [[Double]]) -> RefResult {
    referenceLSTM(x: p[0], h0: p[4], c0: p[5], W: p[1], U: p[2], b: p[3],
                  mask: mask.map(doubles), rdmask: rdmask.map(doubles),
                  B: B, T: T, D: D, H: H)
  }

  func callForward(_ io: SequenceForwardBuffers) -> Int32 {
    ck_lstm_forward(
      io.y.p, io.finalStates[0].p, io.finalStates[1].p, io.x.cp, io.initialStates[0].cp,
      io.initialStates[1].cp, io.mask.cp, io.rdmask.cp, io.W.cp, io.U.cp, io.b.cp,
      io.cache.p, io.workspace.p, Int32(B), Int32(T), Int32(D), Int32(H))
  }

  func callBackward(_ io: SequenceBackwardBuffers) -> Int32 {
    ck_lstm_backward(
      io.dx.p, io.dInitialStates[0].p, io.dInitialStates[1].p, io.dW.p, io.dU.p, io.db.p,
      io.dy.cp, io.dFinalStates[0].cp, io.dFinalStates[1].cp, io.x.cp, io.mask.cp,
      io.rdmask.cp, io.W.cp, io.U.cp, io.cache.cp, io.workspace.p,
      Int32(B), Int32(T), Int32(D), Int32(H))
  }

  func callCellForward(_ io: CellForwardBuffers) -> Int32 {
    ck_lstm_cell_forward(
      io.nextStates[0].p, io.nextStates[1].p, io.x.cp, io.states[0].cp, io.states[1].cp,
      io.rdmask.cp, io.W.cp, io.U.cp, io.b.cp, io.cache.p, io.workspace.p,
      Int32(B), Int32(D), Int32(H))
  }

  func callCellBackward(_ io: CellBackwardBuffers) -> Int32 {
    ck_lstm_cell_backward(
      io.dx.p, io.dStates[0].p, io.dStates[1].p, io.dW.p, io.dU.p, io.db.p,
      io.dNextStates[0].cp, io.dNextStates[1].cp, io.x.cp, io.rdmask.cp, io.W.cp, io.U.cp,
      io.cache.cp, io.workspace.p, Int32(B), Int32(D), Int32(H))
  }
}

@Suite("LSTM kernels")
struct LSTMKernelTests {
  // The checks against the reference run on every path (RecurrentPath).

  @Test("forward matches the Double reference, nonzero initial state",
        arguments: RecurrentPath.allCases)
  func forwardMatchesReference(path: RecurrentPath) {
    withRecurrentPath(path) {
      LSTMCase().checkForward()
      LSTMCase(B: 1, T: 4, D: 2, H: 5, seed: 11).checkForward()
    }
  }

  @Test("inference (NULL cache) gives the training forward's outputs",
        arguments: RecurrentPath.allCases)
  func inferenceMatchesTraining(path: RecurrentPath) {
    withRecurrentPath(path) { LSTMCase(seed: 3, masked: true).checkInferenceMatchesTraining() }
  }

  @Test("gradients of x, W, U, b, h0, c0 match finite differences",
        arguments: RecurrentPath.allCases)
  func gradientsMatchFiniteDifferences(path: RecurrentPath) {
    withRecurrentPath(path) {
      LSTMCase().checkGradients()
      LSTMCase(B: 1, T: 3, D: 2, H: 2, seed: 21).checkGradients()
    }
  }

  @Test("masked steps carry h and c over; forward and gradients stay exact",
        arguments: RecurrentPath.allCases)
  func masking(path: RecurrentPath) {
    withRecurrentPath(path) {
      let c = LSTMCase(seed: 5, masked: true)
      c.checkForward()
      c.checkGradients()
      c.checkMaskedStepsCarryState()
    }
  }

  @Test("per-gate recurrent dropout masks, with and without padding",
        arguments: RecurrentPath.allCases)
  func recurrentDropout(path: RecurrentPath) {
    withRecurrentPath(path) {
      LSTMCase(seed: 7, recurrentDropout: true)
        .checkRecurrentDropout(padded: LSTMCase(seed: 8, masked: true, recurrentDropout: true))
    }
  }

  @Test("backward accumulates: calling it twice doubles every gradient",
        arguments: RecurrentPath.allCases)
  func backwardAccumulates(path: RecurrentPath) {
    withRecurrentPath(path) { LSTMCase(seed: 9, masked: true).checkBackwardAccumulates() }
  }

  @Test("the cell kernel is the sequence kernel at T = 1, and a loop of cells is the sequence",
        arguments: RecurrentPath.allCases)
  func cellMatchesSequence(path: RecurrentPath) {
    withRecurrentPath(path) {
      LSTMCase(B: 2, T: 4, D: 3, H: 3, seed: 13, recurrentDropout: true)
        .checkCellLoopMatchesSequence()
    }
  }

  @Test("a single cell step matches the reference at T = 1", arguments: RecurrentPath.allCases)
  func cellStepMatchesReference(path: RecurrentPath) {
    withRecurrentPath(path) {
      LSTMCase(B: 3, T: 1, D: 4, H: 3, seed: 15).checkCellStepMatchesReference()
    }
  }

  @Test("the batch split across threads: exact, and right against the reference")
  func threadedTimeLoop() {
    // B = 7 splits into uneven slices; 4H = 28 columns end in a part vector. T = 12
    // leaves room for the slices' weight accumulators (the step-by-step weight
    // gradients); `wide` below, with recurrent dropout, takes the whole-sequence
    // product.
    let c = LSTMCase(B: 7, T: 12, D: 5, H: 7, seed: 31, masked: true)
    c.checkThreadSplitIsExact()
    withRecurrentPath(.microkernel, threads: 3) {
      c.checkForward()
      c.checkGradients()
      c.checkInferenceMatchesTraining()
    }
    // 4H = 80 columns: a second strip; recurrent dropout's per-gate products.
    let wide = LSTMCase(B: 7, T: 3, D: 3, H: 20, seed: 32, recurrentDropout: true)
    wide.checkThreadSplitIsExact()
    withRecurrentPath(.microkernel, threads: 3) { wide.checkForward() }
    wide.checkPathsAgree()
  }

  @Test("the column split across threads: exact, and right against the reference")
  func columnSplitTimeLoop() {
    // 4H = 280 columns: five panels, the last a part one; D = 70 and H = 70: two
    // panels each of Wᵀ and Uᵀ in backward. B = 7 rows split unevenly for the passes.
    // The gradients' case: 4H = 68, two panels, a team of 2.
    LSTMCase(B: 7, T: 3, D: 70, H: 70, seed: 33, masked: true)
      .checkColumnSplit(gradients: LSTMCase(B: 4, T: 3, D: 5, H: 17, seed: 34))
  }

  @Test("invalid arguments return minus their position")
  func invalidArguments() {
    let c = LSTMCase(B: 1, T: 2, D: 2, H: 2)
    let x = Buf(c.x), W = Buf(c.W), U = Buf(c.U)
    let cache = Buf(zeros: c.cacheSize), ws = Buf(zeros: c.workspaceSize)
    let out = Buf(zeros: 64)
    #expect(ck_lstm_forward(out.p, nil, nil, nil, nil, nil, nil, nil, W.cp, U.cp, nil,
                            cache.p, ws.p, 1, 2, 2, 2) == -4)
    #expect(ck_lstm_forward(out.p, nil, nil, x.cp, nil, nil, nil, nil, nil, U.cp, nil,
                            cache.p, ws.p, 1, 2, 2, 2) == -9)
    #expect(ck_lstm_forward(out.p, nil, nil, x.cp, nil, nil, nil, nil, W.cp, nil, nil,
                            cache.p, ws.p, 1, 2, 2, 2) == -10)
    #expect(ck_lstm_forward(out.p, nil, nil, x.cp, nil, nil, nil, nil, W.cp, U.cp, nil,
                            cache.p, nil, 1, 2, 2, 2) == -13)
    #expect(ck_lstm_forward(out.p, nil, nil, x.cp, nil, nil, nil, nil, W.cp, U.cp, nil,
                            cache.p, ws.p, 0, 2, 2, 2) == -14)
    #expect(ck_lstm_forward(out.p, nil, nil, x.cp, nil, nil, nil, nil, W.cp, U.cp, nil,
                            cache.p, ws.p, 1, -1, 2, 2) == -15)
    #expect(ck_lstm_forward(out.p, nil, nil, x.cp, nil, nil, nil, nil, W.cp, U.cp, nil,
                            cache.p, ws.p, 1, 2, 0, 2) == -16)
    #expect(ck_lstm_forward(out.p, nil, nil, x.cp, nil, nil, nil, nil, W.cp, U.cp, nil,
                            cache.p, ws.p, 1, 2, 2, 0) == -17)
    #expect(ck_lstm_backward(nil, nil, nil, nil, nil, nil, nil, nil, nil, x.cp, nil, nil,
                             W.cp, U.cp, nil, ws.p, 1, 2, 2, 2) == -15)
    #expect(ck_lstm_backward(nil, nil, nil, nil, nil, nil, nil, nil, nil, x.cp, nil, nil,
                             W.cp, U.cp, cache.cp, ws.p, 1, 2, 2, -3) == -20)
    #expect(ck_lstm_cell_forward(nil, out.p, x.cp, nil, nil, nil, W.cp, U.cp, nil,
                                 cache.p, ws.p, 1, 2, 2) == -1)
    #expect(ck_lstm_cell_backward(nil, nil, nil, nil, nil, nil, nil, nil, x.cp, nil, W.cp,
                                  U.cp, nil, ws.p, 1, 2, 2) == -13)
    // A valid call with every optional pointer NULL succeeds and writes nothing.
    #expect(ck_lstm_forward(nil, nil, nil, x.cp, nil, nil, nil, nil, W.cp, U.cp, nil,
                            nil, ws.p, 1, 2, 2, 2) == 0)
    #expect(out.array.allSatisfy { $0 == 0 })
  }
}
