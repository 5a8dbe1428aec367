/// Which norm ``norm(_:_:)`` computes.
public enum NormKind: Sendable, Equatable, CaseIterable {
  /// √(Σ x²) over every element: the Frobenius norm of a matrix, the L2 norm of a vector
  /// (`tf.norm`'s default, `'euclidean'`).
  case euclidean
  /// Σ |x| over every element.
  case l1
  /// max |x| over every element.
  case infinity
  /// The largest singular value of a matrix (`ord=2` on a matrix).
  case spectral
}

/// A norm of `t`; Frobenius / L2 by default, like `tf.norm`.
///
/// - Parameters:
///   - t: any shape for the element-wise norms; a matrix `[m, n]` for `.spectral`.
///   - kind: which norm.
/// - Throws: ``LinearAlgebraError`` only for `.spectral` (not a matrix, NaN, no convergence).
///
/// ```swift
/// try norm(Tensor([3, 4]))                  // 5
/// try norm(Tensor(ones: [2, 2]))            // 2 (Frobenius)
/// try norm(w, .spectral)                    // largest singular value
/// ```
public func norm(_ t: Tensor, _ kind: NormKind = .euclidean) throws -> Float {
  switch kind {
  case .euclidean, .l1, .infinity: return Kernels.vectorNorm(t, kind)
  case .spectral: return try spectralNorm(t)
  }
}

/// The singular values of a matrix, descending (LAPACK `sgesdd`).
///
/// Shapes: `a [m, n]` → `[min(m, n)]`.
///
/// ```swift
/// let s = try singularValues(Tensor([[3, 0], [0, 4]]))   // [4, 3]
/// ```
public func singularValues(_ a: Tensor) throws -> Tensor {
  try requireMatrix(a, square: false, operation: "singularValues")
  return try Kernels.singularValues(a)
}

/// The spectral norm ‖a‖₂: the largest singular value.
///
/// ```swift
/// try spectralNorm(Tensor(ones: [2, 2]))    // 2
/// ```
public func spectralNorm(_ a: Tensor) throws -> Float {
  let s = try singularValues(a)
  return s.scalarCount == 0 ? 0 : s[0].scalar
}

/// `a` multiplied by itself `power` times (the identity for 0), by repeated squaring.
///
/// - Throws: ``LinearAlgebraError`` for a non-square matrix or a negative power.
///
/// ```swift
/// let w = Tensor(ones: [2, 2])
/// try matrixPower(w, 3)      // [[4, 4], [4, 4]]
/// ```
public func matrixPower(_ a: Tensor, _ power: Int) throws -> Tensor {
  try requireMatrix(a, square: true, operation: "matrixPower")
  guard power >= 0 else { throw LinearAlgebraError.negativePower(power) }
  return Kernels.matrixPower(a, power)
}
