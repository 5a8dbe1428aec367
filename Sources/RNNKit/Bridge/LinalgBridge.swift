internal import CKernels

extension Kernels {
  /// Q of the QR decomposition of `a` ([m, n], m ≥ n), columns signed by diag(R).
  static func orthonormalColumns(_ a: Tensor) -> Tensor {
    let (m, n) = (a.shape[0], a.shape[1])
    var work = [Float](repeating: 0, count: 2 * n)
    return Tensor(unsafeUninitializedShape: [m, n]) { q, _ in
      let status = a.withUnsafePointer { ck_orthonormal_columns(q, $0, &work, Int32(m), Int32(n)) }
      precondition(status == 0, "ck_orthonormal_columns failed with status \(status) for a \(a.shape) matrix")
    }
  }
}

extension Kernels {
  /// Runs a LAPACK-backed kernel and turns its status into a ``LinearAlgebraError``.
  static func checkLinalg(_ status: Int32, operation: String) throws {
    switch status {
    case 0: return
    case CK_ERR_NONFINITE: throw LinearAlgebraError.nonFinite(operation: operation)
    case -1011, -1010: throw LinearAlgebraError.outOfMemory(operation: operation)
    case let info where info > 0: throw LinearAlgebraError.didNotConverge(operation: operation, info: Int(info))
    default: preconditionFailure("\(operation): kernel rejected argument \(-status)")
    }
  }

  /// Ascending eigenvalues [n] and eigenvectors as columns [n, n] of a symmetric matrix.
  static func eigh(_ a: Tensor) throws -> (Tensor, Tensor) {
    let n = a.shape[0]
    var w = Tensor(zeros: [n]), v = Tensor(zeros: [n, n])
    let status = w.withUnsafeMutablePointer { wp in
      v.withUnsafeMutablePointer { vp in a.withUnsafePointer { ck_eigh(wp, vp, $0, Int32(n)) } }
    }
    try checkLinalg(status, operation: "eigh")
    return (w, v)
  }

  /// Real and imaginary parts [n] of the eigenvalues of a general square matrix.
  static func eig(_ a: Tensor) throws -> (Tensor, Tensor) {
    let n = a.shape[0]
    var wr = Tensor(zeros: [n]), wi = Tensor(zeros: [n]), scratch = Tensor(zeros: [n, n])
    let status = wr.withUnsafeMutablePointer { wrp in
      wi.withUnsafeMutablePointer { wip in
        scratch.withUnsafeMutablePointer { sp in a.withUnsafePointer { ck_eig(wrp, wip, nil, $0, sp, Int32(n)) } }
      }
    }
    try checkLinalg(status, operation: "eigenvalues")
    return (wr, wi)
  }

  /// Singular values, descending, of an [m, n] matrix.
  static func singularValues(_ a: Tensor) throws -> Tensor {
    let (m, n) = (a.shape[0], a.shape[1])
    var s = Tensor(zeros: [Swift.min(m, n)]), scratch = Tensor(zeros: [m, n])
    let status = s.withUnsafeMutablePointer { sp in
      scratch.withUnsafeMutablePointer { cp in a.withUnsafePointer { ck_singular_values(sp, $0, cp, Int32(m), Int32(n)) } }
    }
    try checkLinalg(status, operation: "singularValues")
    return s
  }

  /// aᵖ for a square matrix and p ≥ 0, by repeated squaring.
  static func matrixPower(_ a: Tensor, _ p: Int) -> Tensor {
    let n = a.shape[0]
    var work = [Float](repeating: 0, count: 2 * n * n)
    return Tensor(unsafeUninitializedShape: [n, n]) { out, _ in
      let status = a.withUnsafePointer { ck_matrix_power(out, $0, &work, Int32(p), Int32(n)) }
      precondition(status == 0, "ck_matrix_power rejected argument \(-status)")
    }
  }

  static func vectorNorm(_ x: Tensor, _ kind: NormKind) -> Float {
    let order: ck_norm_ord = kind == .l1 ? CK_NORM_L1 : kind == .infinity ? CK_NORM_INF : CK_NORM_L2
    return x.withUnsafePointer { ck_vector_norm(order, $0, x.scalarCount) }
  }

  // MARK: - Clipping

  static func clipByNorm(_ x: Tensor, clipNorm: Float) -> Tensor {
    Tensor(unsafeUninitializedShape: x.shape) { y, n in
      _ = x.withUnsafePointer { ck_clip_by_norm(y, $0, n, clipNorm) }
    }
  }

  static func globalNorm(_ tensors: [Tensor]) -> Float {
    let sums = tensors.map { t in t.withUnsafePointer { ck_sum_squares($0, t.scalarCount) } }
    return ck_global_norm(sums, Int32(sums.count))
  }

  static func globalNormScale(clipNorm: Float, globalNorm: Float) -> Float {
    ck_global_norm_scale(clipNorm, globalNorm)
  }

  static func scaled(_ x: Tensor, by scale: Float) -> Tensor {
    Tensor(unsafeUninitializedShape: x.shape) { y, n in
      x.withUnsafePointer { ck_clip_by_global_norm(y, $0, n, scale) }
    }
  }
}
