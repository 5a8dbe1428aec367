internal import CKernels

// The bridge between `Tensor` and the C kernels: the only place in the Tensor core that
// touches raw pointers. Everything above this file works with `Tensor` values.

extension Tensor {
  /// The element at flat (row-major) index `i`, read without copying the storage.
  func scalar(atFlatIndex i: Int) -> Float {
    precondition(i >= 0 && i < scalarCount, "flat index \(i) is outside 0..<\(scalarCount)")
    return storage.pointer[i]
  }

  /// A new tensor of `shape` whose elements `fill` writes (it receives the buffer and count).
  init(unsafeUninitializedShape shape: [Int], fill: (UnsafeMutablePointer<Float>, Int) -> Void) {
    let count = shape.reduce(1, *)
    let storage = TensorStorage(uninitializedCount: count)
    fill(storage.pointer, count)
    self.init(shape: shape, storage: storage)
  }

  /// Reads the elements through a pointer valid only inside `body`.
  func withUnsafePointer<R>(_ body: (UnsafePointer<Float>) throws -> R) rethrows -> R {
    try body(storage.pointer)
  }

  /// Writes the elements through a pointer valid only inside `body` (copy-on-write first).
  mutating func withUnsafeMutablePointer<R>(_ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
    makeUnique()
    return try body(storage.pointer)
  }
}

/// Row-major strides of a contiguous tensor of `shape`.
func contiguousStrides(_ shape: [Int]) -> [Int] {
  var strides = [Int](repeating: 1, count: shape.count)
  var running = 1
  for d in stride(from: shape.count - 1, through: 0, by: -1) {
    strides[d] = running
    running *= shape[d]
  }
  return strides
}

enum Kernels {
  // MARK: - Element-wise

  static func unary(_ op: UnaryOperation, _ x: Tensor) -> Tensor {
    Tensor(unsafeUninitializedShape: x.shape) { y, n in
      x.withUnsafePointer { ck_unary(op.kernel, y, $0, n) }
    }
  }

  /// dx = dy * op'(x), given y = op(x).
  static func unaryBackward(_ op: UnaryOperation, dy: Tensor, x: Tensor, y: Tensor) -> Tensor {
    var dx = Tensor(zeros: x.shape)
    dx.withUnsafeMutablePointer { dxp in
      dy.withUnsafePointer { dyp in
        x.withUnsafePointer { xp in
          y.withUnsafePointer { yp in ck_unary_backward(op.kernel, dxp, dyp, xp, yp, x.scalarCount) }
        }
      }
    }
    return dx
  }

  /// a op b with NumPy broadcasting; `shape` is the broadcast shape of the two.
  static func binary(_ op: BinaryOperation, _ a: Tensor, _ b: Tensor, shape: [Int]) -> Tensor {
    let aStrides = broadcastStrides(from: a.shape, to: shape)
    let bStrides = broadcastStrides(from: b.shape, to: shape)
    return Tensor(unsafeUninitializedShape: shape) { out, _ in
      a.withUnsafePointer { ap in
        b.withUnsafePointer { bp in
          let status = ck_binary(op.kernel, out, shape, Int32(shape.count), ap, aStrides, bp, bStrides)
          precondition(status == 0, "ck_binary: rank \(shape.count) is above the kernels' limit of 16")
        }
      }
    }
  }

  static func clamp(_ x: Tensor, lower: Float, upper: Float) -> Tensor {
    Tensor(unsafeUninitializedShape: x.shape) { y, n in
      x.withUnsafePointer { ck_clamp(y, $0, n, lower, upper) }
    }
  }

  // MARK: - Reductions

  /// Reduces axis `axis` of `x`, giving `x.shape` without that axis.
  static func reduce(_ op: ReduceOperation, _ x: Tensor, axis: Int) -> Tensor {
    let (outer, n, inner) = splitAround(x.shape, axis: axis)
    var outShape = x.shape
    outShape.remove(at: axis)
    return Tensor(unsafeUninitializedShape: outShape) { out, _ in
      x.withUnsafePointer { ck_reduce(op.kernel, out, $0, outer, n, inner) }
    }
  }

  static func argmax(_ x: Tensor, axis: Int) -> [Int] {
    let (outer, n, inner) = splitAround(x.shape, axis: axis)
    var result = [Int64](repeating: 0, count: outer * inner)
    x.withUnsafePointer { ck_argmax(&result, $0, outer, n, inner) }
    return result.map { Int($0) }
  }

  private static func splitAround(_ shape: [Int], axis: Int) -> (Int, Int, Int) {
    (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
  }

  // MARK: - Strided copies

  /// out[i…] = x[offset + Σ i_d · strides[d]] for out of `shape`.
  static func gather(_ x: Tensor, offset: Int, shape: [Int], strides: [Int]) -> Tensor {
    Tensor(unsafeUninitializedShape: shape) { out, _ in
      x.withUnsafePointer { xp in
        let status = ck_gather_strided(out, xp, offset, shape, Int32(shape.count), strides)
        precondition(status == 0, "ck_gather_strided: rank \(shape.count) is above the kernels' limit of 16")
      }
    }
  }

  /// target[offset + Σ i_d · strides[d]] += g[i…], the adjoint of ``gather``.
  static func scatterAdd(into target: inout Tensor, _ g: Tensor, offset: Int, strides: [Int]) {
    target.withUnsafeMutablePointer { tp in
      g.withUnsafePointer { gp in
        let status = ck_scatter_add_strided(tp, gp, offset, g.shape, Int32(g.rank), strides)
        precondition(status == 0, "ck_scatter_add_strided: rank \(g.rank) is above the kernels' limit of 16")
      }
    }
  }

  // MARK: - Matrix products

  /// C (batch, M, N) = op(A) · op(B); a batch stride of 0 reuses one matrix.
  static func batchedMatmul(
    _ a: Tensor, transposeA: Bool, strideA: Int, _ b: Tensor, transposeB: Bool, strideB: Int,
    batch: Int, m: Int, n: Int, k: Int, outShape: [Int]
  ) -> Tensor {
    Tensor(unsafeUninitializedShape: outShape) { c, count in
      if k == 0 {
        c.initialize(repeating: 0, count: count)
        return
      }
      a.withUnsafePointer { ap in
        b.withUnsafePointer { bp in
          ck_sgemm_batched(
            transposeA ? 1 : 0, transposeB ? 1 : 0, Int32(batch), Int32(m), Int32(n), Int32(k),
            1, ap, strideA, bp, strideB, 0, c, m * n)
        }
      }
    }
  }
}

/// Element strides that read a tensor of `shape` as if it had the broadcast shape `target`.
func broadcastStrides(from shape: [Int], to target: [Int]) -> [Int] {
  let own = contiguousStrides(shape)
  let offset = target.count - shape.count
  return (0..<target.count).map { d in
    let s = d - offset
    return s < 0 || shape[s] == 1 ? 0 : own[s]
  }
}

/// The tensors one kernel call reads or writes, kept alive until the call returns: each
/// `pointer(_:)` hands out a buffer and holds its owner, so no pointer the bridge passes to
/// C can outlive its tensor. The bridge's one idiom for calls with many operands.
///
/// ```swift
/// let o = KernelOperands()
/// let (xp, wp) = (o.pointer(x), o.pointer(w))
/// let status = o.call { ck_something(xp, wp) }
/// ```
final class KernelOperands {
  private var owners: [TensorStorage] = []

  /// `tensor`'s buffer, valid until ``call(_:)`` returns.
  func pointer(_ tensor: Tensor) -> UnsafeMutablePointer<Float> { pointer(tensor.storage) }

  /// `tensor`'s buffer, or nil (a kernel's NULL: not given or not wanted).
  func pointer(_ tensor: Tensor?) -> UnsafeMutablePointer<Float>? { tensor.map { pointer($0.storage) } }

  /// `storage`'s buffer, valid until ``call(_:)`` returns.
  func pointer(_ storage: TensorStorage) -> UnsafeMutablePointer<Float> {
    owners.append(storage)
    return storage.pointer
  }

  /// `storage`'s buffer, or nil.
  func pointer(_ storage: TensorStorage?) -> UnsafeMutablePointer<Float>? { storage.map { pointer($0) } }

  /// Runs the kernel call while every operand handed out is alive.
  func call<R>(_ body: () -> R) -> R { withExtendedLifetime(owners) { body() } }
}
