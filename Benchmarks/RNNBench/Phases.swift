import CKernels
import RNNKit

// Where the time goes (--phases): the fused kernels called directly through the public C
// header with bench-owned buffers (so the difference to the layer's time is the Swift
// layer and tape around them), and the unfused reference split into GEMM, activation
// and elementwise time.

/// Bench-owned buffers for calling one fused sequence kernel directly.
private final class RawKernelCall {
  let w: Workload
  let B: Int32, T: Int32, D: Int32, H: Int32
  var x: [Float], W: [Float], U: [Float], b: [Float], dy: [Float]
  var y: [Float], hT: [Float], cT: [Float]
  var cache: [Float], workspace: [Float]
  var dx: [Float], dW: [Float], dU: [Float], db: [Float]

  init(_ w: Workload) {
    self.w = w
    let s = w.size
    (B, T, D, H) = (Int32(s.B), Int32(s.T), Int32(s.D), Int32(s.H))
    x = w.x.scalars
    W = w.kernel
    U = w.recurrentKernel
    b = w.bias
    dy = w.lossWeights.scalars
    y = [Float](repeating: 0, count: s.B * s.T * s.H)
    hT = [Float](repeating: 0, count: s.B * s.H)
    cT = hT
    let cacheCount: Int, workCount: Int
    switch w.cell {
    case .simple:
      (cacheCount, workCount) = (ck_simple_rnn_cache_size(B, T, D, H), ck_simple_rnn_workspace_size(B, T, D, H))
    case .lstm: (cacheCount, workCount) = (ck_lstm_cache_size(B, T, D, H), ck_lstm_workspace_size(B, T, D, H))
    case .gru: (cacheCount, workCount) = (ck_gru_cache_size(B, T, D, H), ck_gru_workspace_size(B, T, D, H))
    }
    cache = [Float](repeating: 0, count: cacheCount)
    workspace = [Float](repeating: 0, count: workCount)
    dx = [Float](repeating: 0, count: x.count)
    dW = [Float](repeating: 0, count: W.count)
    dU = [Float](repeating: 0, count: U.count)
    db = [Float](repeating: 0, count: b.count)
  }

  /// The forward kernel; with `keep` it fills the cache for backward.
  func forward(keep: Bool) {
    let (B, T, D, H) = (self.B, self.T, self.D, self.H)
    let status: Int32 = cache.withUnsafeMutableBufferPointer { cache in
      let c = keep ? cache.baseAddress : nil
      switch w.cell {
      case .simple:
        return ck_simple_rnn_forward(&y, &hT, x, nil, nil, nil, W, U, b, CK_RNN_TANH, c, &workspace, B, T, D, H)
      case .lstm:
        return ck_lstm_forward(&y, &hT, &cT, x, nil, nil, nil, nil, W, U, b, c, &workspace, B, T, D, H)
      case .gru:
        return ck_gru_forward(&y, &hT, x, nil, nil, nil, W, U, b, 1, c, &workspace, B, T, D, H)
      }
    }
    precondition(status == 0, "raw \(w.cell) forward returned \(status)")
  }

  /// The backward kernel from the cache, after zeroing the gradients (as the layer does).
  func backward() {
    let (B, T, D, H) = (self.B, self.T, self.D, self.H)
    for i in dx.indices { dx[i] = 0 }
    for i in dW.indices { dW[i] = 0 }
    for i in dU.indices { dU[i] = 0 }
    for i in db.indices { db[i] = 0 }
    let status: Int32
    switch w.cell {
    case .simple:
      status = ck_simple_rnn_backward(&dx, nil, &dW, &dU, &db, dy, nil, x, nil, nil, W, U, CK_RNN_TANH, cache, &workspace, B, T, D, H)
    case .lstm:
      status = ck_lstm_backward(&dx, nil, nil, &dW, &dU, &db, dy, nil, nil, x, nil, nil, W, U, cache, &workspace, B, T, D, H)
    case .gru:
      status = ck_gru_backward(&dx, nil, &dW, &dU, &db, dy, nil, x, nil, nil, W, U, 1, cache, &workspace, B, T, D, H)
    }
    precondition(status == 0, "raw \(w.cell) backward returned \(status)")
  }
}

/// The GEMMs of the portable algorithm (RNNKit.docc, "How the kernels run") with
/// OpenBLAS, the same shapes and strides, timed alone: forward = one input GEMM
/// (B·T,D)·(D,G·H) plus T recurrent (B,H)·(H,G·H); backward = T of (B,G·H)·(G·H,H) plus dW,
/// dx, dU over all B·T rows. The kernel's time minus this floor is what its passes and its
/// own products cost beyond OpenBLAS's (the LSTM's micro-kernel paths run other products,
/// so theirs can be negative).
private func gemmFloor(_ w: Workload, runs: Int) -> (forward: Double, backward: Double) {
  let (B, T, D, H, G) = (w.size.B, w.size.T, w.size.D, w.size.H, w.cell.gateCount)
  let N = G * H
  let x = w.x.scalars, W = w.kernel, U = w.recurrentKernel
  var P = [Float](repeating: 0, count: B * T * N), hs = [Float](repeating: 0.01, count: B * H)
  var dx = [Float](repeating: 0, count: B * T * D), dW = [Float](repeating: 0, count: D * N)
  var dU = [Float](repeating: 0, count: H * N), hprev = [Float](repeating: 0.01, count: B * T * H)
  let (b, t, d, h, n) = (Int32(B), Int32(T), Int32(D), Int32(H), Int32(N))
  let forward = median(measure(runs: runs, warmup: 1) {
    ck_sgemm(0, 0, b * t, n, d, 1, x, d, W, n, 0, &P, n)
    P.withUnsafeMutableBufferPointer { p in
      for s in 0..<T { ck_sgemm(0, 0, b, n, h, 1, hs, h, U, n, 1, p.baseAddress! + s * N, t * n) }
    }
  })
  let backward = median(measure(runs: runs, warmup: 1) {
    P.withUnsafeBufferPointer { dZ in
      for s in 0..<T { ck_sgemm(0, 1, b, h, n, 1, dZ.baseAddress! + s * N, t * n, U, n, 1, &hs, h) }
    }
    ck_sgemm(1, 0, d, n, b * t, 1, x, d, P, n, 1, &dW, n)
    ck_sgemm(0, 1, b * t, d, n, 1, P, n, W, n, 1, &dx, d)
    ck_sgemm(1, 0, h, n, b * t, 1, hprev, h, P, n, 1, &dU, n)
  })
  return (forward, backward)
}

func printPhases(fused: FusedPath, reference: UnfusedReference, runs: Int) {
  let raw = RawKernelCall(fused.workload)
  let inference = median(measure(runs: runs, warmup: 1) { raw.forward(keep: false) })
  let forwardCached = median(measure(runs: runs, warmup: 1) { raw.forward(keep: true) })
  let backward = median(measure(runs: runs, warmup: 1) { raw.backward() })
  let floor = gemmFloor(fused.workload, runs: runs)
  let layerTrainForward = median(measure(runs: runs, warmup: 1) {
    let tape = GradientTape()
    _ = tape.record { (fused.workload.layer(tape.watching(fused.workload.x)) * fused.workload.lossWeights).sum() }
  })
  let P = fused.workload.lossWeights, yValue = fused.forward()
  let lossAlone = median(measure(runs: runs, warmup: 1) {
    let tape = GradientTape()
    let y = tape.watching(yValue)
    let loss = tape.record { (y * P).sum() }
    _ = tape.gradient(of: loss, wrt: y)
  })
  print("  phases, the loss sum(y ⊙ P) alone on the tape, forward + backward: \(format(lossAlone, 2)) ms")
  print("  phases, fused kernels called directly: inference \(format(inference, 2)) ms; "
        + "training forward \(format(forwardCached, 2)) ms + backward \(format(backward, 2)) ms "
        + "= \(format(forwardCached + backward, 2)) ms (layer: recorded forward + loss \(format(layerTrainForward, 2)) ms)")
  print("  phases, the portable algorithm's GEMMs alone (OpenBLAS): forward \(format(floor.forward, 2)) ms, backward \(format(floor.backward, 2)) ms "
        + "→ the kernels beyond them ≈ inference \(format(inference - floor.forward, 2)) ms, "
        + "training \(format(forwardCached + backward - floor.forward - floor.backward, 2)) ms")

  reference.phases = PhaseTimes()
  for _ in 0..<runs { reference.forward() }
  let f = reference.phases!
  reference.phases = PhaseTimes()
  for _ in 0..<runs { reference.trainStep() }
  let t = reference.phases!
  reference.phases = nil
  func split(_ p: PhaseTimes) -> String {
    let n = Double(runs)
    return "GEMM \(format(p.gemm.milliseconds / n, 2)) ms, activations \(format(p.activation.milliseconds / n, 2)) ms, "
      + "elementwise \(format(p.elementwise.milliseconds / n, 2)) ms"
  }
  print("  phases, unfused reference (mean per call): forward: \(split(f)); train: \(split(t))")
}
