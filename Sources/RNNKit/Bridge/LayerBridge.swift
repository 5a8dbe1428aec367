internal import CKernels

// The bridge to the layer and training kernels (embedding.c, dense.c, softmax.c,
// losses.c): the only place the Embedding, Dense, softmax, loss and metric code
// touches pointers. Shapes and ids are checked by the callers; a kernel status other
// than 0 here is a bug, so it is a precondition.

/// Which loss kernel pair computes a loss.
enum LossOperation: Sendable {
  case binaryCrossentropy(fromLogits: Bool)
  case categoricalCrossentropy(fromLogits: Bool)
  case sparseCategoricalCrossentropy(fromLogits: Bool)
  case meanSquaredError
}

extension Kernels {
  // MARK: - Embedding

  /// The index of the first id that is not an integer in `0..<inputDim`, or `nil`.
  static func firstInvalidToken(_ ids: Tensor, inputDim: Int) -> Int? {
    let i = ids.withUnsafePointer { ck_embedding_first_invalid($0, ids.scalarCount, Int32(inputDim)) }
    return i < 0 ? nil : i
  }

  /// table[ids]: ids (…) → (…, E).
  static func embeddingForward(ids: Tensor, table: Tensor) -> Tensor {
    let (V, E) = (table.shape[0], table.shape[1])
    return Tensor(unsafeUninitializedShape: ids.shape + [E]) { y, _ in
      ids.withUnsafePointer { ip in
        table.withUnsafePointer { tp in
          let status = ck_embedding_forward(y, ip, tp, ids.scalarCount, Int32(V), Int32(E))
          precondition(status == 0, "ck_embedding_forward: status \(status)")
        }
      }
    }
  }

  /// The gradient of the table: zeros with dy's rows summed into the rows of their ids.
  static func embeddingBackward(dy: Tensor, ids: Tensor, tableShape: [Int]) -> Tensor {
    var dtable = Tensor(zeros: tableShape)
    dtable.withUnsafeMutablePointer { dp in
      dy.withUnsafePointer { gp in
        ids.withUnsafePointer { ip in
          let status = ck_embedding_backward(
            dp, gp, ip, ids.scalarCount, Int32(tableShape[0]), Int32(tableShape[1]))
          precondition(status == 0, "ck_embedding_backward: status \(status)")
        }
      }
    }
    return dtable
  }

  // MARK: - Bias and activation

  /// act(z + b) over rows of the last axis; `b` is `[C]` or `nil`.
  static func biasActivation(_ z: Tensor, bias: Tensor?, activation: Activation) -> Tensor {
    let activation = activation.elementwiseKernel!
    let C = z.shape.last!
    return Tensor(unsafeUninitializedShape: z.shape) { y, n in
      z.withUnsafePointer { zp in
        let status: Int32
        if let bias {
          status = bias.withUnsafePointer { ck_bias_activation_forward(y, zp, $0, activation, n / C, Int32(C)) }
        } else {
          status = ck_bias_activation_forward(y, zp, nil, activation, n / C, Int32(C))
        }
        precondition(status == 0, "ck_bias_activation_forward: status \(status)")
      }
    }
  }

  /// (dz, db) for y = act(z + b); db is `nil` when not wanted.
  static func biasActivationBackward(dy: Tensor, y: Tensor, activation: Activation, wantBias: Bool) -> (Tensor, Tensor?) {
    let activation = activation.elementwiseKernel!
    let C = y.shape.last!
    var dz = Tensor(zeros: y.shape)
    var db: Tensor? = wantBias ? Tensor(zeros: [C]) : nil
    dz.withUnsafeMutablePointer { dzp in
      dy.withUnsafePointer { dyp in
        y.withUnsafePointer { yp in
          let status: Int32
          if db != nil {
            status = db!.withUnsafeMutablePointer {
              ck_bias_activation_backward(dzp, $0, dyp, yp, activation, y.scalarCount / C, Int32(C))
            }
          } else {
            status = ck_bias_activation_backward(dzp, nil, dyp, yp, activation, y.scalarCount / C, Int32(C))
          }
          precondition(status == 0, "ck_bias_activation_backward: status \(status)")
        }
      }
    }
    return (dz, db)
  }

  // MARK: - Softmax

  static func softmax(_ x: Tensor) -> Tensor {
    let C = x.shape.last!
    return Tensor(unsafeUninitializedShape: x.shape) { y, n in
      let status = x.withUnsafePointer { ck_softmax_forward(y, $0, n / C, Int32(C)) }
      precondition(status == 0, "ck_softmax_forward: status \(status)")
    }
  }

  static func softmaxBackward(dy: Tensor, y: Tensor) -> Tensor {
    let C = y.shape.last!
    var dx = Tensor(zeros: y.shape)
    dx.withUnsafeMutablePointer { dxp in
      dy.withUnsafePointer { dyp in
        y.withUnsafePointer { yp in
          let status = ck_softmax_backward(dxp, dyp, yp, y.scalarCount / C, Int32(C))
          precondition(status == 0, "ck_softmax_backward: status \(status)")
        }
      }
    }
    return dx
  }

  // MARK: - Losses

  /// One loss per row of `pred` (its shape without the last axis); `target` is laid
  /// out as the kernel expects (R,C), or (R) for sparse.
  static func lossForward(_ kind: LossOperation, pred: Tensor, target: Tensor) -> Tensor {
    let C = Int32(pred.shape.last!)
    return Tensor(unsafeUninitializedShape: Array(pred.shape.dropLast())) { loss, R in
      pred.withUnsafePointer { p in
        target.withUnsafePointer { t in
          let status: Int32
          switch kind {
          case .binaryCrossentropy(let logits):
            status = ck_binary_crossentropy_forward(loss, p, t, logits ? 1 : 0, R, C)
          case .categoricalCrossentropy(let logits):
            status = ck_categorical_crossentropy_forward(loss, p, t, logits ? 1 : 0, R, C)
          case .sparseCategoricalCrossentropy(let logits):
            status = ck_sparse_categorical_crossentropy_forward(loss, p, t, logits ? 1 : 0, R, C)
          case .meanSquaredError:
            status = ck_mean_squared_error_forward(loss, p, t, R, C)
          }
          precondition(status == 0, "loss kernel \(kind): status \(status)")
        }
      }
    }
  }

  /// dpred for a per-row loss gradient `dloss`.
  static func lossBackward(_ kind: LossOperation, dloss: Tensor, pred: Tensor, target: Tensor) -> Tensor {
    let C = Int32(pred.shape.last!)
    let R = dloss.scalarCount
    var dpred = Tensor(zeros: pred.shape)
    dpred.withUnsafeMutablePointer { d in
      dloss.withUnsafePointer { g in
        pred.withUnsafePointer { p in
          target.withUnsafePointer { t in
            let status: Int32
            switch kind {
            case .binaryCrossentropy(let logits):
              status = ck_binary_crossentropy_backward(d, g, p, t, logits ? 1 : 0, R, C)
            case .categoricalCrossentropy(let logits):
              status = ck_categorical_crossentropy_backward(d, g, p, t, logits ? 1 : 0, R, C)
            case .sparseCategoricalCrossentropy(let logits):
              status = ck_sparse_categorical_crossentropy_backward(d, g, p, t, logits ? 1 : 0, R, C)
            case .meanSquaredError:
              status = ck_mean_squared_error_backward(d, g, p, t, R, C)
            }
            precondition(status == 0, "loss kernel \(kind) backward: status \(status)")
          }
        }
      }
    }
    return dpred
  }

  // MARK: - Accuracy

  /// 1/0 per element: (pred > threshold) == target; both of one shape.
  static func binaryAccuracy(pred: Tensor, target: Tensor, threshold: Float) -> Tensor {
    Tensor(unsafeUninitializedShape: pred.shape) { m, n in
      pred.withUnsafePointer { p in target.withUnsafePointer { t in ck_binary_accuracy(m, p, t, n, threshold) } }
    }
  }

  /// 1/0 per row: argmax pred == argmax target (categorical) or == target (sparse).
  static func categoricalAccuracy(pred: Tensor, target: Tensor, sparse: Bool) -> Tensor {
    let C = Int32(pred.shape.last!)
    return Tensor(unsafeUninitializedShape: Array(pred.shape.dropLast())) { m, R in
      pred.withUnsafePointer { p in
        target.withUnsafePointer { t in
          if sparse { ck_sparse_categorical_accuracy(m, p, t, R, C) } else { ck_categorical_accuracy(m, p, t, R, C) }
        }
      }
    }
  }
}
