internal import CKernels

// The bridge to conv1d.c and pooling.c: the only place Conv1D and the pooling layers
// touch pointers. Shapes are checked by the layers; a kernel status other than 0 here
// is a bug, so it is a precondition. Tensors are [batch, steps, channels], contiguous.

/// The geometry of one convolution or pooling pass over time.
struct TemporalWindow: Sendable, Equatable {
  /// Batch, input steps, input channels.
  var batch: Int, length: Int, channels: Int
  /// Kernel or pool size, stride, left padding, output steps.
  var size: Int, stride: Int, leftPadding: Int, outputLength: Int
}

extension Kernels {
  // MARK: - Conv1D

  /// z (B·M, F) = im2col(x) · w; w is `[K, C, F]`.
  static func conv1dForward(_ x: Tensor, kernel w: Tensor, window g: TemporalWindow) -> Tensor {
    let F = w.shape[2]
    var cols = scratch(count: g.batch * g.outputLength * g.size * g.channels)
    return Tensor(unsafeUninitializedShape: [g.batch * g.outputLength, F]) { z, _ in
      x.withUnsafePointer { xp in
        w.withUnsafePointer { wp in
          let status = cols.withUnsafeMutableBufferPointer { cp in
            ck_conv1d_forward(
              z, cp.baseAddress, xp, wp, Int32(g.batch), Int32(g.length), Int32(g.channels), Int32(g.size),
              Int32(F), Int32(g.stride), Int32(g.leftPadding), Int32(g.outputLength))
          }
          precondition(status == 0, "ck_conv1d_forward: status \(status)")
        }
      }
    }
  }

  /// (dx `[B, L, C]`, dw `[K, C, F]`) for z = im2col(x) · w; each `nil` when not wanted.
  static func conv1dBackward(
    dz: Tensor, x: Tensor, kernel w: Tensor, window g: TemporalWindow, wantInput: Bool, wantKernel: Bool
  ) -> (Tensor?, Tensor?) {
    let F = w.shape[2]
    var dx: Tensor? = wantInput ? Tensor(zeros: x.shape) : nil
    var dw: Tensor? = wantKernel ? Tensor(zeros: w.shape) : nil
    var cols = scratch(count: g.batch * g.outputLength * g.size * g.channels)
    withOptionalMutablePointer(&dx) { dxp in
      withOptionalMutablePointer(&dw) { dwp in
        dz.withUnsafePointer { gp in
          x.withUnsafePointer { xp in
            w.withUnsafePointer { wp in
              let status = cols.withUnsafeMutableBufferPointer { cp in
                ck_conv1d_backward(
                  dxp, dwp, cp.baseAddress, gp, xp, wp, Int32(g.batch), Int32(g.length), Int32(g.channels),
                  Int32(g.size), Int32(F), Int32(g.stride), Int32(g.leftPadding), Int32(g.outputLength))
              }
              precondition(status == 0, "ck_conv1d_backward: status \(status)")
            }
          }
        }
      }
    }
    return (dx, dw)
  }

  // MARK: - Max pooling

  /// (y `[B, M, C]`, argmax) for max pooling over windows.
  static func maxPool1dForward(_ x: Tensor, window g: TemporalWindow) -> (Tensor, [Int32]) {
    var argmax = [Int32](repeating: 0, count: g.batch * g.outputLength * g.channels)
    let y = Tensor(unsafeUninitializedShape: [g.batch, g.outputLength, g.channels]) { y, _ in
      x.withUnsafePointer { xp in
        let status = argmax.withUnsafeMutableBufferPointer { ap in
          ck_max_pool1d_forward(
            y, ap.baseAddress, xp, Int32(g.batch), Int32(g.length), Int32(g.channels), Int32(g.size),
            Int32(g.stride), Int32(g.leftPadding), Int32(g.outputLength))
        }
        precondition(status == 0, "ck_max_pool1d_forward: status \(status)")
      }
    }
    return (y, argmax)
  }

  /// dx `[B, L, C]`: each window's gradient at its first maximum.
  static func maxPool1dBackward(dy: Tensor, argmax: [Int32], window g: TemporalWindow) -> Tensor {
    var dx = Tensor(zeros: [g.batch, g.length, g.channels])
    dx.withUnsafeMutablePointer { dxp in
      dy.withUnsafePointer { gp in
        let status = argmax.withUnsafeBufferPointer { ap in
          ck_max_pool1d_backward(
            dxp, gp, ap.baseAddress, Int32(g.batch), Int32(g.length), Int32(g.channels), Int32(g.outputLength))
        }
        precondition(status == 0, "ck_max_pool1d_backward: status \(status)")
      }
    }
    return dx
  }

  // MARK: - Global pooling

  /// y `[B, C]` = the maximum over time of x `[B, L, C]`.
  static func globalMaxPool1dForward(_ x: Tensor) -> Tensor {
    let (B, L, C) = (x.shape[0], x.shape[1], x.shape[2])
    return Tensor(unsafeUninitializedShape: [B, C]) { y, _ in
      let status = x.withUnsafePointer { ck_global_max_pool1d_forward(y, $0, Int32(B), Int32(L), Int32(C)) }
      precondition(status == 0, "ck_global_max_pool1d_forward: status \(status)")
    }
  }

  /// dx `[B, L, C]`: the gradient split equally among each sequence's maxima.
  static func globalMaxPool1dBackward(dy: Tensor, x: Tensor, y: Tensor) -> Tensor {
    let (B, L, C) = (x.shape[0], x.shape[1], x.shape[2])
    var dx = Tensor(zeros: x.shape)
    dx.withUnsafeMutablePointer { dxp in
      dy.withUnsafePointer { gp in
        x.withUnsafePointer { xp in
          y.withUnsafePointer { yp in
            let status = ck_global_max_pool1d_backward(dxp, gp, xp, yp, Int32(B), Int32(L), Int32(C))
            precondition(status == 0, "ck_global_max_pool1d_backward: status \(status)")
          }
        }
      }
    }
    return dx
  }

  /// y `[B, C]` = the mean over time (over unmasked steps when `mask` `[B, L]` is given).
  static func globalAveragePool1dForward(_ x: Tensor, mask: Tensor?) -> Tensor {
    let (B, L, C) = (x.shape[0], x.shape[1], x.shape[2])
    return Tensor(unsafeUninitializedShape: [B, C]) { y, _ in
      x.withUnsafePointer { xp in
        let status = withOptionalPointer(mask) { ck_global_avg_pool1d_forward(y, xp, $0, Int32(B), Int32(L), Int32(C)) }
        precondition(status == 0, "ck_global_avg_pool1d_forward: status \(status)")
      }
    }
  }

  /// dx `[B, L, C]` for the (masked) mean over time.
  static func globalAveragePool1dBackward(dy: Tensor, mask: Tensor?, inputShape: [Int]) -> Tensor {
    let (B, L, C) = (inputShape[0], inputShape[1], inputShape[2])
    var dx = Tensor(zeros: inputShape)
    dx.withUnsafeMutablePointer { dxp in
      dy.withUnsafePointer { gp in
        let status = withOptionalPointer(mask) { ck_global_avg_pool1d_backward(dxp, gp, $0, Int32(B), Int32(L), Int32(C)) }
        precondition(status == 0, "ck_global_avg_pool1d_backward: status \(status)")
      }
    }
    return dx
  }
}

/// `body` with the tensor's pointer, or with `nil`.
private func withOptionalPointer<R>(_ t: Tensor?, _ body: (UnsafePointer<Float>?) -> R) -> R {
  guard let t else { return body(nil) }
  return t.withUnsafePointer { body($0) }
}

/// `body` with the tensor's mutable pointer, or with `nil`.
private func withOptionalMutablePointer<R>(_ t: inout Tensor?, _ body: (UnsafeMutablePointer<Float>?) -> R) -> R {
  guard t != nil else { return body(nil) }
  return t!.withUnsafeMutablePointer { body($0) }
}

/// An uninitialised buffer for a kernel to fill (im2col columns).
private func scratch(count: Int) -> [Float] {
  [Float](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
}
