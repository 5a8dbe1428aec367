import CKernels
#if canImport(Glibc)
import Glibc
#endif

// Timing and statistics: wall-clock medians with ContinuousClock, and the machine's
// sgemm ceiling measured in the same run.

extension Duration {
  var milliseconds: Double {
    let (s, atto) = components
    return Double(s) * 1e3 + Double(atto) * 1e-15
  }
}

/// Runs `body` `warmup` times untimed, then `runs` times timed; returns each run in ms.
func measure(runs: Int, warmup: Int, _ body: () -> Void) -> [Double] {
  for _ in 0..<warmup { body() }
  let clock = ContinuousClock()
  return (0..<runs).map { _ in clock.measure(body).milliseconds }
}

/// How long a timed run of `measureAlternating` waits before it starts. After a call,
/// OpenBLAS's worker threads spin (sched_yield) for 2^28 cycles, about 0.13 s here,
/// before they sleep; a run starting sooner shares the cores with them. The unfused
/// reference calls OpenBLAS at every step while the fused LSTM runs threads of its
/// own, so without the pause each fused run would pay for the reference run before it.
let settleMicroseconds: UInt32 = 200_000

/// Times `a` and `b` alternately (a, b, a, b, ...) after `warmup` untimed rounds, so that
/// load from other processes on a shared machine falls on both about equally. Each timed
/// run starts after the same pause (`settleMicroseconds`).
func measureAlternating(runs: Int, warmup: Int, _ a: () -> Void, _ b: () -> Void) -> (a: [Double], b: [Double]) {
  for _ in 0..<warmup { a(); b() }
  let clock = ContinuousClock()
  var ta: [Double] = [], tb: [Double] = []
  for _ in 0..<runs {
    usleep(settleMicroseconds)
    ta.append(clock.measure(a).milliseconds)
    usleep(settleMicroseconds)
    tb.append(clock.measure(b).milliseconds)
  }
  return (ta, tb)
}

func median(_ values: [Double]) -> Double {
  precondition(!values.isEmpty, "median of no values")
  let s = values.sorted()
  let m = s.count / 2
  return s.count % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2
}

/// The sgemm ceiling: C (n,n) = A (n,n)·B (n,n) through ck_sgemm, 2n³ FLOPs per call.
struct SgemmCeiling {
  let n: Int
  let milliseconds: Double
  var gflops: Double { 2 * pow3(Double(n)) / (milliseconds * 1e6) }

  /// Times n×n×n at the threads OpenBLAS is set to, stepping down from 2048 while one
  /// call takes longer than `budgetMilliseconds` (so a slow machine still finishes).
  static func measure(runs: Int, startingAt start: Int = 2048, budgetMilliseconds: Double = 2000) -> SgemmCeiling {
    var n = start
    while true {
      let a = UnsafeMutablePointer<Float>.allocate(capacity: n * n)
      let b = UnsafeMutablePointer<Float>.allocate(capacity: n * n)
      let c = UnsafeMutablePointer<Float>.allocate(capacity: n * n)
      defer { a.deallocate(); b.deallocate(); c.deallocate() }
      var rng = ck_rng()
      ck_rng_seed(&rng, 7)
      ck_rng_uniform(&rng, a, n * n, -1, 1)
      ck_rng_uniform(&rng, b, n * n, -1, 1)
      c.initialize(repeating: 0, count: n * n)
      let call = {
        ck_sgemm(0, 0, Int32(n), Int32(n), Int32(n), 1, a, Int32(n), b, Int32(n), 0, c, Int32(n))
      }
      let first = ContinuousClock().measure(call).milliseconds  // also the warm-up
      if first > budgetMilliseconds && n > 256 {
        n /= 2
        continue
      }
      let times = RNNBench.measure(runs: max(runs, 3), warmup: 0, call)
      return SgemmCeiling(n: n, milliseconds: median(times))
    }
  }
}

private func pow3(_ x: Double) -> Double { x * x * x }
