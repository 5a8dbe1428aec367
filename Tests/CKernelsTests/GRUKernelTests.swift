// GRU kernels (gru.c), reset_after true and false, against the Double reference in
// Support/RNNTestSupport.swift.
import CKernels
import Testing

/// One GRU problem: random weights, inputs, initial state and loss weights
/// P (B,T,H), Q (B,H) for L = Σ P ⊙ y + Σ Q ⊙ hT.
struct GRUCase: RecurrentKernelCase {
  let B: Int, T: Int, D: Int, H: Int
  let resetAfter: Bool
  var x: [Float], W: [Float], U: [Float], b: [Float], h0: [Float]
  var mask: [Float]?
  var rdmask: [Float]?
  let P: [Float], Q: [Float]

  static let stateNames = ["h"]
  static var sizeFunctions: RecurrentSizeFunctions {
    (ck_gru_cache_size, ck_gru_workspace_size)
  }

  init(B: Int = 3, T: Int = 5, D: Int = 4, H: Int = 3, resetAfter: Bool, seed: UInt64 = 1,
       masked: Bool = false, recurrentDropout: Bool = false) {
    self.B = B; self.T = T; self.D = D; self.H = H
    self.resetAfter = resetAfter
    x = randomFloats(B * T * D, seed: seed)
    W = randomFloats(D * 3 * H, seed: seed + 1, lo: -0.8, hi: 0.8)
    U = randomFloats(H * 3 * H, seed: seed + 2, lo: -0.8, hi: 0.8)
    b = randomFloats((resetAfter ? 6 : 3) * H, seed: seed + 3, lo: -0.5, hi: 0.5)
    h0 = randomFloats(B * H, seed: seed + 4, lo: -0.5, hi: 0.5)
    mask = masked ? paddingMask(B: B, T: T) : nil
    rdmask = recurrentDropout ? dropoutMask(3 * B * H, seed: seed + 6) : nil
    P = randomFloats(B * T * H, seed: seed + 7)
    Q = randomFloats(B * H, seed: seed + 8)
  }

  var initialStates: [[Float]] { [h0] }
  var finalStateWeights: [[Float]] { [Q] }
  var flag: Int32 { resetAfter ? 1 : 0 }

  func reference(_ p: [[Double]]) -> RefResult {
    referenceGRU(x: p[0], h0: p[4], W: p[1], U: p[2], b: p[3], resetAfter: resetAfter,
                 mask: mask.map(doubles), rdmask: rdmask.map(doubles),
                 B: B, T: T, D: D, H: H)
  }

  func callForward(_ io: SequenceForwardBuffers) -> Int32 {
    ck_gru_forward(
      io.y.p, io.finalStates[0].p, io.x.cp, io.initialStates[0].cp, io.mask.cp, io.rdmask.cp,
      io.W.cp, io.U.cp, io.b.cp, flag, io.cache.p, io.workspace.p,
      Int32(B), Int32(T), Int32(D), Int32(H))
  }

  func callBackward(_ io: SequenceBackwardBuffers) -> Int32 {
    ck_gru_backward(
      io.dx.p, io.dInitialStates[0].p, io.dW.p, io.dU.p, io.db.p, io.dy.cp,
      io.dFinalStates[0].cp, io.x.cp, io.mask.cp, io.rdmask.cp, io.W.cp, io.U.cp, flag,
      io.cache.cp, io.workspace.p, Int32(B), Int32(T), Int32(D), Int32(H))
  }

  func callCellForward(_ io: CellForwardBuffers) -> Int32 {
    ck_gru_cell_forward(
      io.nextStates[0].p, io.x.cp, io.states[0].cp, io.rdmask.cp, io.W.cp, io.U.cp, io.b.cp,
      flag, io.cache.p, io.workspace.p, Int32(B), Int32(D), Int32(H))
  }

  func callCellBackward(_ io: CellBackwardBuffers) -> Int32 {
    ck_gru_cell_backward(
      io.dx.p, io.dStates[0].p, io.dW.p, io.dU.p, io.db.p, io.dNextStates[0].cp, io.x.cp,
      io.rdmask.cp, io.W.cp, io.U.cp, flag, io.cache.cp, io.workspace.p,
      Int32(B), Int32(D), Int32(H))
  }
}

@Suite("GRU kernels")
struct GRUKernelTests {
  @Test("forward matches the Double reference", arguments: [true, false])
  func forwardMatchesReference(resetAfter: Bool) {
    GRUCase(resetAfter: resetAfter).checkForward()
    GRUCase(B: 1, T: 4, D: 2, H: 5, resetAfter: resetAfter, seed: 11).checkForward()
  }

  @Test("reset_after true and false really differ")
  func variantsDiffer() {
    var a = GRUCase(resetAfter: true)
    let b = GRUCase(resetAfter: false)
    a.b = b.b + [Float](repeating: 0, count: 3 * a.H)  // same input bias, no recurrent one
    // With a zero recurrent bias the two differ only in where r is applied.
    #expect(a.forward().hT != b.forward().hT)
  }

  @Test("inference (NULL cache) gives the training forward's outputs",
        arguments: [true, false])
  func inferenceMatchesTraining(resetAfter: Bool) {
    GRUCase(resetAfter: resetAfter, seed: 3, masked: true, recurrentDropout: true)
      .checkInferenceMatchesTraining()
  }

  @Test("gradients of x, W, U, b, h0 match finite differences", arguments: [true, false])
  func gradientsMatchFiniteDifferences(resetAfter: Bool) {
    GRUCase(resetAfter: resetAfter).checkGradients()
    GRUCase(B: 1, T: 3, D: 2, H: 2, resetAfter: resetAfter, seed: 21).checkGradients()
  }

  @Test("masked steps carry h over; forward and gradients stay exact",
        arguments: [true, false])
  func masking(resetAfter: Bool) {
    let c = GRUCase(resetAfter: resetAfter, seed: 5, masked: true)
    c.checkForward()
    c.checkGradients()
    c.checkMaskedStepsCarryState()
  }

  @Test("the reset_after forward's column split across threads: exact, and right against the reference")
  func columnSplit() {
    // 3H = 120 columns: two panels, the second a part one; B = 7 rows split unevenly
    // for the passes. The gradients' case: 3H = 66, two panels.
    GRUCase(B: 7, T: 3, D: 5, H: 40, resetAfter: true, seed: 51, masked: true)
      .checkColumnSplit(gradients: GRUCase(B: 2, T: 2, D: 3, H: 22, resetAfter: true,
                                           seed: 52))
  }

  @Test("per-gate recurrent dropout masks, with and without padding",
        arguments: [true, false])
  func recurrentDropout(resetAfter: Bool) {
    GRUCase(resetAfter: resetAfter, seed: 7, recurrentDropout: true)
      .checkRecurrentDropout(padded: GRUCase(resetAfter: resetAfter, seed: 8, masked: true,
                                             recurrentDropout: true))
  }

  @Test("backward accumulates: calling it twice doubles every gradient",
        arguments: [true, false])
  func backwardAccumulates(resetAfter: Bool) {
    GRUCase(resetAfter: resetAfter, seed: 9, masked: true).checkBackwardAccumulates()
  }

  @Test("a loop of cell kernels is the sequence kernel, forward and backward",
        arguments: [true, false])
  func cellMatchesSequence(resetAfter: Bool) {
    GRUCase(B: 2, T: 4, D: 3, H: 3, resetAfter: resetAfter, seed: 13, recurrentDropout: true)
      .checkCellLoopMatchesSequence()
  }

  @Test("a single cell step matches the reference at T = 1", arguments: [true, false])
  func cellStepMatchesReference(resetAfter: Bool) {
    GRUCase(B: 3, T: 1, D: 4, H: 3, resetAfter: resetAfter, seed: 15)
      .checkCellStepMatchesReference()
  }

  @Test("invalid arguments return minus their position")
  func invalidArguments() {
    let c = GRUCase(B: 1, T: 2, D: 2, H: 2, resetAfter: true)
    let x = Buf(c.x), W = Buf(c.W), U = Buf(c.U)
    let cache = Buf(zeros: c.cacheSize), ws = Buf(zeros: c.workspaceSize)
    #expect(ck_gru_forward(nil, nil, nil, nil, nil, nil, W.cp, U.cp, nil, 1, cache.p, ws.p,
                           1, 2, 2, 2) == -3)
    #expect(ck_gru_forward(nil, nil, x.cp, nil, nil, nil, nil, U.cp, nil, 1, cache.p, ws.p,
                           1, 2, 2, 2) == -7)
    #expect(ck_gru_forward(nil, nil, x.cp, nil, nil, nil, W.cp, nil, nil, 1, cache.p, ws.p,
                           1, 2, 2, 2) == -8)
    #expect(ck_gru_forward(nil, nil, x.cp, nil, nil, nil, W.cp, U.cp, nil, 2, cache.p, ws.p,
                           1, 2, 2, 2) == -10)
    #expect(ck_gru_forward(nil, nil, x.cp, nil, nil, nil, W.cp, U.cp, nil, 1, cache.p, nil,
                           1, 2, 2, 2) == -12)
    #expect(ck_gru_forward(nil, nil, x.cp, nil, nil, nil, W.cp, U.cp, nil, 1, cache.p, ws.p,
                           -1, 2, 2, 2) == -13)
    #expect(ck_gru_forward(nil, nil, x.cp, nil, nil, nil, W.cp, U.cp, nil, 1, cache.p, ws.p,
                           1, 2, 2, 0) == -16)
    #expect(ck_gru_backward(nil, nil, nil, nil, nil, nil, nil, x.cp, nil, nil, W.cp, U.cp,
                            -1, cache.cp, ws.p, 1, 2, 2, 2) == -13)
    #expect(ck_gru_backward(nil, nil, nil, nil, nil, nil, nil, x.cp, nil, nil, W.cp, U.cp,
                            1, nil, ws.p, 1, 2, 2, 2) == -14)
    #expect(ck_gru_backward(nil, nil, nil, nil, nil, nil, nil, x.cp, nil, nil, W.cp, U.cp,
                            1, cache.cp, ws.p, 1, 0, 2, 2) == -17)
    #expect(ck_gru_cell_forward(nil, x.cp, nil, nil, W.cp, U.cp, nil, 1, cache.p, ws.p, 1,
                                2, 2) == -1)
    #expect(ck_gru_cell_backward(nil, nil, nil, nil, nil, nil, x.cp, nil, W.cp, U.cp, 1,
                                 cache.cp, ws.p, 1, 2, 0) == -16)
  }
}
