// The recurrent kernels run their time loops as batch slices side by side when OpenBLAS
// has more than one thread (rnn_threads.c). Every row's arithmetic is the same either
// way, so a sequence computed in slices must equal the same sequence computed in one
// piece, with masks, recurrent dropout, initial states and every gradient.

import CKernels
import Testing

/// Uniform values in [lo, hi) from the kernels' own seeded generator.
private func uniform(_ count: Int, _ lo: Float, _ hi: Float, seed: UInt64) -> [Float] {
  var rng = ck_rng()
  ck_rng_seed(&rng, seed)
  var out = [Float](repeating: 0, count: count)
  ck_rng_uniform(&rng, &out, count, lo, hi)
  return out
}

/// One recurrent cell at B = 48, so two OpenBLAS threads give two slices of 24 rows.
struct SlicedCase {
  enum Cell: CaseIterable { case simple, lstm, gruAfter, gruBefore }

  let cell: Cell
  let B = 48, T = 6, D = 5, H = 7
  var G: Int {
    switch cell {
    case .simple: return 1
    case .lstm: return 4
    case .gruAfter, .gruBefore: return 3
    }
  }
  var states: Int { cell == .lstm ? 2 : 1 }
  var biasCount: Int { cell == .gruAfter ? 2 * G * H : G * H }

  /// Every output of a forward and backward pass, in one list of named buffers.
  func run() -> [(String, [Float])] {
    let (b, t, d, h) = (Int32(B), Int32(T), Int32(D), Int32(H))
    let x = uniform(B * T * D, -1, 1, seed: 1)
    let W = uniform(D * G * H, -0.5, 0.5, seed: 2), U = uniform(H * G * H, -0.5, 0.5, seed: 3)
    let bias = uniform(biasCount, -0.3, 0.3, seed: 4)
    let h0 = uniform(B * H, -1, 1, seed: 5), c0 = uniform(B * H, -1, 1, seed: 6)
    // Post-padding of varying length, some rows fully real.
    let mask = (0..<B * T).map { i -> Float in (i % T) < T - (i / T) % 4 ? 1 : 0 }
    let rdmask = uniform(G * B * H, 0, 1, seed: 7).map { $0 < 0.3 ? Float(0) : Float(1 / 0.7) }
    let dy = uniform(B * T * H, -1, 1, seed: 8), dhT = uniform(B * H, -1, 1, seed: 9)
    let dcT = uniform(B * H, -1, 1, seed: 10)

    let cacheCount: Int, workCount: Int
    switch cell {
    case .simple: (cacheCount, workCount) = (ck_simple_rnn_cache_size(b, t, d, h), ck_simple_rnn_workspace_size(b, t, d, h))
    case .lstm: (cacheCount, workCount) = (ck_lstm_cache_size(b, t, d, h), ck_lstm_workspace_size(b, t, d, h))
    case .gruAfter, .gruBefore: (cacheCount, workCount) = (ck_gru_cache_size(b, t, d, h), ck_gru_workspace_size(b, t, d, h))
    }
    var cache = [Float](repeating: 0, count: cacheCount), work = [Float](repeating: 0, count: workCount)
    var y = [Float](repeating: 0, count: B * T * H), hT = [Float](repeating: 0, count: B * H), cT = hT
    var dx = [Float](repeating: 0, count: B * T * D), dh0 = [Float](repeating: 0, count: B * H), dc0 = dh0
    var dW = [Float](repeating: 0, count: W.count), dU = [Float](repeating: 0, count: U.count)
    var db = [Float](repeating: 0, count: bias.count)
    let resetAfter: Int32 = cell == .gruAfter ? 1 : 0
    let forward: Int32, backward: Int32
    switch cell {
    case .simple:
      forward = ck_simple_rnn_forward(&y, &hT, x, h0, mask, rdmask, W, U, bias, CK_RNN_TANH, &cache, &work, b, t, d, h)
      backward = ck_simple_rnn_backward(&dx, &dh0, &dW, &dU, &db, dy, dhT, x, mask, rdmask, W, U, CK_RNN_TANH, cache, &work, b, t, d, h)
    case .lstm:
      forward = ck_lstm_forward(&y, &hT, &cT, x, h0, c0, mask, rdmask, W, U, bias, &cache, &work, b, t, d, h)
      backward = ck_lstm_backward(&dx, &dh0, &dc0, &dW, &dU, &db, dy, dhT, dcT, x, mask, rdmask, W, U, cache, &work, b, t, d, h)
    case .gruAfter, .gruBefore:
      forward = ck_gru_forward(&y, &hT, x, h0, mask, rdmask, W, U, bias, resetAfter, &cache, &work, b, t, d, h)
      backward = ck_gru_backward(&dx, &dh0, &dW, &dU, &db, dy, dhT, x, mask, rdmask, W, U, resetAfter, cache, &work, b, t, d, h)
    }
    #expect(forward == 0 && backward == 0)
    var named = [("y", y), ("hT", hT), ("dx", dx), ("dh0", dh0), ("dW", dW), ("dU", dU), ("db", db)]
    if states == 2 { named += [("cT", cT), ("dc0", dc0)] }
    return named
  }
}

/// Runs `body` with OpenBLAS (and so the kernels' slicing) at `threads` threads.
private func withThreads<R>(_ threads: Int32, _ body: () -> R) -> R {
  let saved = ck_get_num_threads()
  ck_set_num_threads(threads)
  defer { ck_set_num_threads(saved) }
  return body()
}

// Serialized: the tests change OpenBLAS's process-wide thread count.
@Suite(.serialized)
struct BatchSliceTests {
  @Test(arguments: SlicedCase.Cell.allCases)
  func slicedTimeLoopEqualsOnePiece(cell: SlicedCase.Cell) {
    let c = SlicedCase(cell: cell)
    let whole = withThreads(1) { c.run() }
    let sliced = withThreads(2) { c.run() }
    for ((name, a), (_, b)) in zip(whole, sliced) {
      let scale = max(1, a.map(abs).max() ?? 0)
      let worst = zip(a, b).map { abs($0 - $1) }.max() ?? 0
      #expect(worst <= 1e-6 * scale, "\(cell) \(name): sliced differs from one piece by \(worst)")
      #expect(a.contains { $0 != 0 }, "\(cell) \(name) is all zeros: the case does not exercise it")
    }
  }
}
