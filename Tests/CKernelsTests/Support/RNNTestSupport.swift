// Shared helpers for the recurrent kernel tests: seeded data, C-owned buffers, plain
// Double reference implementations of SimpleRNN, LSTM and GRU written from Keras's
// formulas (no BLAS, one loop per sum), and a central finite-difference checker.
//
// Layouts are the kernels' (see ckernels.h): x (B,T,D), y (B,T,H), states (B,H),
// mask (B,T), recurrent dropout masks (G,B,H), weights in Keras's packing.
import CKernels
import Foundation
import Testing

// MARK: - Data

/// `n` floats uniform in [lo, hi), the same for the same seed.
func randomFloats(_ n: Int, seed: UInt64, lo: Float = -1, hi: Float = 1) -> [Float] {
  var rng = ck_rng()
  ck_rng_seed(&rng, seed)
  var out = [Float](repeating: 0, count: n)
  ck_rng_uniform(&rng, &out, n, lo, hi)
  return out
}

/// A recurrent-dropout style mask: 0 or 1/(1-rate) per entry, seeded.
func dropoutMask(_ n: Int, seed: UInt64, rate: Float = 0.3) -> [Float] {
  randomFloats(n, seed: seed, lo: 0, hi: 1).map { $0 < rate ? 0 : 1 / (1 - rate) }
}

/// A float buffer the C kernels read and write; exact size, so AddressSanitizer
/// catches any access outside it.
final class Buf {
  let count: Int
  let p: UnsafeMutablePointer<Float>

  init(_ values: [Float]) {
    count = values.count
    p = .allocate(capacity: max(count, 1))
    p.initialize(from: values, count: count)
  }

  convenience init(zeros n: Int) { self.init([Float](repeating: 0, count: n)) }

  /// A buffer of `n` floats filled with NaN: whatever the kernel does not write stays
  /// visibly wrong.
  convenience init(garbage n: Int) { self.init([Float](repeating: .nan, count: n)) }

  var array: [Float] { Array(UnsafeBufferPointer(start: p, count: count)) }
  var cp: UnsafePointer<Float> { UnsafePointer(p) }

  deinit { p.deallocate() }
}

extension Optional where Wrapped == Buf {
  var cp: UnsafePointer<Float>? { self.map { UnsafePointer($0.p) } }
  var p: UnsafeMutablePointer<Float>? { self.map { $0.p } }
}

func doubles(_ a: [Float]) -> [Double] { a.map(Double.init) }

// MARK: - Comparisons

/// Largest |a − b| / (atol + rtol·|b|); ≤ 1 means every entry is within tolerance.
func worstRatio(_ a: [Float], _ b: [Double], rtol: Double, atol: Double) -> Double {
  precondition(a.count == b.count, "size mismatch \(a.count) vs \(b.count)")
  var worst = 0.0
  for i in a.indices {
    let err = abs(Double(a[i]) - b[i])
    let r = err / (atol + rtol * abs(b[i]))
    if !(r <= worst) { worst = r }  // NaN makes the ratio NaN: reported as failure
  }
  return worst
}

/// Expects `a` to match `b` elementwise within atol + rtol·|b|.
func expectClose(
  _ a: [Float], _ b: [Double], rtol: Double = 1e-5, atol: Double = 1e-5,
  _ label: String, sourceLocation: SourceLocation = #_sourceLocation
) {
  #expect(a.count == b.count, "\(label): size", sourceLocation: sourceLocation)
  guard a.count == b.count else { return }
  let r = worstRatio(a, b, rtol: rtol, atol: atol)
  #expect(r <= 1, "\(label): worst error is \(r)× the tolerance",
          sourceLocation: sourceLocation)
}

func expectClose(
  _ a: [Float], _ b: [Float], rtol: Double = 1e-5, atol: Double = 1e-5,
  _ label: String, sourceLocation: SourceLocation = #_sourceLocation
) {
  expectClose(a, doubles(b), rtol: rtol, atol: atol, label, sourceLocation: sourceLocation)
}

// MARK: - Finite differences

/// Central differences of `loss` with respect to every entry of every parameter
/// array, in Double, around the float values `params`.
func numericGradients(
  _ params: [[Float]], eps: Double = 1e-6, loss: ([[Double]]) -> Double
) -> [[Double]] {
  var p = params.map(doubles)
  var grads: [[Double]] = []
  for k in p.indices {
    var g = [Double](repeating: 0, count: p[k].count)
    for i in p[k].indices {
      let v = p[k][i]
      p[k][i] = v + eps
      let up = loss(p)
      p[k][i] = v - eps
      let down = loss(p)
      p[k][i] = v
      g[i] = (up - down) / (2 * eps)
    }
    grads.append(g)
  }
  return grads
}

/// Kernel gradients (float) against finite differences of the Double reference:
/// 1e-4 absolute + 1e-4 relative, a margin of ~100× over float rounding through a
/// handful of steps and ~1e4× over the central difference's O(eps²) error.
func expectGradients(
  _ analytic: [[Float]], _ numeric: [[Double]], names: [String],
  sourceLocation: SourceLocation = #_sourceLocation
) {
  #expect(analytic.count == numeric.count, sourceLocation: sourceLocation)
  for k in 0..<min(analytic.count, numeric.count) {
    expectClose(analytic[k], numeric[k], rtol: 1e-4, atol: 1e-4, "d\(names[k])",
                sourceLocation: sourceLocation)
    // The check must not pass vacuously.
    #expect(numeric[k].contains { abs($0) > 1e-3 },
            "d\(names[k]) is all ~0", sourceLocation: sourceLocation)
  }
}

/// Σ a ⊙ b.
func dot(_ a: [Double], _ b: [Float]) -> Double {
  precondition(a.count == b.count)
  var s = 0.0
  for i in a.indices { s += a[i] * Double(b[i]) }
  return s
}

// MARK: - Reference math

func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }

/// Σ_d v[d] · M[d, col] for a row-major M with `cols` columns.
func rowTimesColumn(_ v: [Double], _ m: [Double], col: Int, cols: Int) -> Double {
  var s = 0.0
  for d in v.indices { s += v[d] * m[d * cols + col] }
  return s
}

/// The reference's outputs: y (B,T,H) and the final states (B,H) each.
struct RefResult {
  var y: [Double]
  /// [hT], or [hT, cT] for LSTM.
  var finalStates: [[Double]]

  var hT: [Double] { finalStates[0] }
  /// LSTM only.
  var cT: [Double] { finalStates[1] }
}

/// Row b, step t of x (B,T,D).
func stepInput(_ x: [Double], b: Int, t: Int, T: Int, D: Int) -> [Double] {
  Array(x[(b * T + t) * D ..< (b * T + t + 1) * D])
}

/// h ⊙ m_g for row b, gate g of a (G,B,H) mask (or h itself without a mask).
func maskedState(_ h: [Double], _ rdmask: [Double]?, gate g: Int, b: Int, B: Int, H: Int)
  -> [Double]
{
  guard let m = rdmask else { return h }
  return (0..<H).map { h[$0] * m[(g * B + b) * H + $0] }
}

func isKept(_ mask: [Double]?, b: Int, t: Int, T: Int) -> Bool {
  mask.map { $0[b * T + t] != 0 } ?? true
}

/// Runs `step` over every row b and step t of x (B,T,D), from the initial states
/// (h0, then c0 for LSTM; (B,H) each): a masked-off step carries the states over, and
/// y at each step is the first state, h.
///
/// - Parameter step: the next states of row b from its input x_t (D) and its states (H each).
func unrollReference(
  x: [Double], initialStates: [[Double]], mask: [Double]?, B: Int, T: Int, D: Int, H: Int,
  step: (_ xt: [Double], _ states: [[Double]], _ b: Int) -> [[Double]]
) -> RefResult {
  var y = [Double](repeating: 0, count: B * T * H)
  var finalStates = initialStates.map { _ in [Double](repeating: 0, count: B * H) }
  for bi in 0..<B {
    var states = initialStates.map { Array($0[bi * H ..< (bi + 1) * H]) }
    for t in 0..<T {
      let next = step(stepInput(x, b: bi, t: t, T: T, D: D), states, bi)
      if isKept(mask, b: bi, t: t, T: T) { states = next }
      for j in 0..<H { y[(bi * T + t) * H + j] = states[0][j] }
    }
    for k in states.indices {
      for j in 0..<H { finalStates[k][bi * H + j] = states[k][j] }
    }
  }
  return RefResult(y: y, finalStates: finalStates)
}

/// SimpleRNN: h_t = act(x_t·W + (h_{t-1} ⊙ m)·U + b), masked steps carry h over.
func referenceSimpleRNN(
  x: [Double], h0: [Double], W: [Double], U: [Double], b: [Double],
  mask: [Double]?, rdmask: [Double]?, relu: Bool, B: Int, T: Int, D: Int, H: Int
) -> RefResult {
  unrollReference(x: x, initialStates: [h0], mask: mask, B: B, T: T, D: D, H: H) {
    xt, states, bi in
    let hm = maskedState(states[0], rdmask, gate: 0, b: bi, B: B, H: H)
    var hn = [Double](repeating: 0, count: H)
    for j in 0..<H {
      let pre = rowTimesColumn(xt, W, col: j, cols: H)
        + rowTimesColumn(hm, U, col: j, cols: H) + b[j]
      hn[j] = relu ? max(pre, 0) : tanh(pre)
    }
    return [hn]
  }
}

/// LSTM, Keras gate order i, f, c, o:
/// i = σ(x·Wi + (h ⊙ m_i)·Ui + bi), f, o likewise, g = tanh(x·Wc + (h ⊙ m_c)·Uc + bc),
/// c = f·c_prev + i·g, h = o·tanh(c); masked steps carry h and c over.
func referenceLSTM(
  x: [Double], h0: [Double], c0: [Double], W: [Double], U: [Double], b: [Double],
  mask: [Double]?, rdmask: [Double]?, B: Int, T: Int, D: Int, H: Int
) -> RefResult {
  let G = 4 * H
  return unrollReference(x: x, initialStates: [h0, c0], mask: mask, B: B, T: T, D: D, H: H) {
    xt, states, bi in
    let h = states[0], c = states[1]
    func pre(_ gate: Int, _ j: Int) -> Double {
      let hm = maskedState(h, rdmask, gate: gate, b: bi, B: B, H: H)
      let col = gate * H + j
      return rowTimesColumn(xt, W, col: col, cols: G)
        + rowTimesColumn(hm, U, col: col, cols: G) + b[col]
    }
    var hn = [Double](repeating: 0, count: H)
    var cn = [Double](repeating: 0, count: H)
    for j in 0..<H {
      let i = sigmoid(pre(0, j))
      let f = sigmoid(pre(1, j))
      let g = tanh(pre(2, j))
      let o = sigmoid(pre(3, j))
      cn[j] = f * c[j] + i * g
      hn[j] = o * tanh(cn[j])
    }
    return [hn, cn]
  }
}

/// GRU, Keras gate order z, r, h (keras/src/layers/rnn/gru.py, implementation 1):
/// reset_after: z = σ(x·Wz + bi_z + (h ⊙ m_z)·Uz + br_z), r likewise,
///   hh = tanh(x·Wh + bi_h + r ⊙ ((h ⊙ m_h)·Uh + br_h)), bias (2,3H);
/// reset_before: z = σ(x·Wz + (h ⊙ m_z)·Uz + b_z), r likewise,
///   hh = tanh(x·Wh + (r ⊙ (h ⊙ m_h))·Uh + b_h), bias (3H);
/// h = z ⊙ h_prev + (1 − z) ⊙ hh; masked steps carry h over.
func referenceGRU(
  x: [Double], h0: [Double], W: [Double], U: [Double], b: [Double], resetAfter: Bool,
  mask: [Double]?, rdmask: [Double]?, B: Int, T: Int, D: Int, H: Int
) -> RefResult {
  let G = 3 * H
  return unrollReference(x: x, initialStates: [h0], mask: mask, B: B, T: T, D: D, H: H) {
    xt, states, bi in
    let h = states[0]
    let hz = maskedState(h, rdmask, gate: 0, b: bi, B: B, H: H)
    let hr = maskedState(h, rdmask, gate: 1, b: bi, B: B, H: H)
    let hh_ = maskedState(h, rdmask, gate: 2, b: bi, B: B, H: H)
    func xw(_ col: Int) -> Double { rowTimesColumn(xt, W, col: col, cols: G) }
    var z = [Double](repeating: 0, count: H)
    var r = [Double](repeating: 0, count: H)
    for j in 0..<H {
      if resetAfter {
        z[j] = sigmoid(xw(j) + b[j] + rowTimesColumn(hz, U, col: j, cols: G) + b[G + j])
        r[j] = sigmoid(xw(H + j) + b[H + j]
          + rowTimesColumn(hr, U, col: H + j, cols: G) + b[G + H + j])
      } else {
        z[j] = sigmoid(xw(j) + rowTimesColumn(hz, U, col: j, cols: G) + b[j])
        r[j] = sigmoid(xw(H + j) + rowTimesColumn(hr, U, col: H + j, cols: G) + b[H + j])
      }
    }
    var hn = [Double](repeating: 0, count: H)
    let rh = (0..<H).map { r[$0] * hh_[$0] }
    for j in 0..<H {
      let cand: Double
      if resetAfter {
        let q = rowTimesColumn(hh_, U, col: 2 * H + j, cols: G) + b[G + 2 * H + j]
        cand = tanh(xw(2 * H + j) + b[2 * H + j] + r[j] * q)
      } else {
        cand = tanh(xw(2 * H + j) + rowTimesColumn(rh, U, col: 2 * H + j, cols: G)
          + b[2 * H + j])
      }
      hn[j] = z[j] * h[j] + (1 - z[j]) * cand
    }
    return [hn]
  }
}

// MARK: - Masks used by several tests

/// (B,T) masks: row 0 post-padded (last two steps off), row 1 pre-padded (first two
/// off, as pad_sequences' default), row 2 with a hole; further rows all on.
func paddingMask(B: Int, T: Int) -> [Float] {
  var m = [Float](repeating: 1, count: B * T)
  for t in 0..<T {
    if B > 0 && t >= T - 2 { m[0 * T + t] = 0 }
    if B > 1 && t < 2 { m[1 * T + t] = 0 }
    if B > 2 && t == T / 2 { m[2 * T + t] = 0 }
  }
  return m
}
