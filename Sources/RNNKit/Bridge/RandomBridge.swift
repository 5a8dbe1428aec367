internal import CKernels

/// A seeded random-number generator (xoshiro256**): the same seed gives the same
/// numbers on every run and every machine.
///
/// Pass one generator through a sequence of calls to draw different, repeatable
/// values; or pass a `seed:` to a creation function for a one-off draw.
///
/// ```swift
/// var rng = RandomGenerator(seed: 42)
/// let w = Tensor(randomNormal: [3, 3], using: &rng)
/// let b = Tensor(randomUniform: [3], lower: -1, upper: 1, using: &rng)
/// ```
public struct RandomGenerator: RandomNumberGenerator, Sendable {
  private var state = ck_rng()

  /// A generator whose stream is fixed by `seed`.
  public init(seed: UInt64) {
    ck_rng_seed(&state, seed)
  }

  /// The next 64 random bits.
  public mutating func next() -> UInt64 {
    ck_rng_next(&state)
  }

  mutating func fillUniform(_ p: UnsafeMutablePointer<Float>, _ n: Int, _ lower: Float, _ upper: Float) {
    ck_rng_uniform(&state, p, n, lower, upper)
  }

  mutating func fillNormal(_ p: UnsafeMutablePointer<Float>, _ n: Int, _ mean: Float, _ stddev: Float) {
    ck_rng_normal(&state, p, n, mean, stddev)
  }

  mutating func fillTruncatedNormal(_ p: UnsafeMutablePointer<Float>, _ n: Int, _ mean: Float, _ stddev: Float) {
    ck_rng_truncated_normal(&state, p, n, mean, stddev)
  }

  /// A uniformly random permutation of `0..<count`.
  public mutating func permutation(_ count: Int) -> [Int] {
    var out = [Int64](repeating: 0, count: count)
    ck_rng_permutation(&state, &out, count)
    return out.map { Int($0) }
  }
}
