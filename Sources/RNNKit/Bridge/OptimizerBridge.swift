internal import CKernels

// The bridge between the optimizers and their fused C kernels (CKernels/optimizers.c):
// the parameter's value and its slots are made unique (copy-on-write) and updated in
// place, one kernel call per parameter per update.

extension Kernels {
  /// Runs `body` with a mutable pointer to the parameter's value and to each slot, every
  /// buffer unique first so no tensor shared elsewhere is touched.
  private static func withBuffers<R>(
    _ parameter: Parameter, _ slots: SlotEntry, _ gradient: Tensor,
    _ body: (UnsafeMutablePointer<Float>, [UnsafeMutablePointer<Float>], UnsafePointer<Float>, Int) -> R
  ) -> R {
    for i in slots.tensors.indices { slots.tensors[i].makeUnique() }
    let slotPointers = slots.tensors.map { $0.storage.pointer }
    return withExtendedLifetime(slots) {
      parameter.value.withUnsafeMutablePointer { w in
        gradient.withUnsafePointer { g in body(w, slotPointers, g, gradient.scalarCount) }
      }
    }
  }

  /// SGD; `slots` holds the momentum slot when `momentum != 0`, nothing otherwise.
  static func sgdUpdate(
    _ parameter: Parameter, slots: SlotEntry, gradient: Tensor, lr: Float, momentum: Float, nesterov: Bool
  ) {
    withBuffers(parameter, slots, gradient) { w, s, g, n in
      let status = ck_sgd_update(w, s.first, g, n, lr, momentum, nesterov ? 1 : 0)
      precondition(status == 0, "ck_sgd_update rejected argument \(-status)")
    }
  }

  /// Adam's alpha for update number `t` (iterations + 1).
  static func adamAlpha(lr: Float, beta1: Float, beta2: Float, t: Int) -> Float {
    ck_adam_alpha(lr, beta1, beta2, t)
  }

  /// Adam; `slots` holds m, v, and v̂ when amsgrad.
  static func adamUpdate(
    _ parameter: Parameter, slots: SlotEntry, gradient: Tensor, alpha: Float,
    oneMinusBeta1: Float, oneMinusBeta2: Float, epsilon: Float
  ) {
    withBuffers(parameter, slots, gradient) { w, s, g, n in
      let vhat = s.count > 2 ? s[2] : nil
      let status = ck_adam_update(w, s[0], s[1], vhat, g, n, alpha, oneMinusBeta1, oneMinusBeta2, epsilon)
      precondition(status == 0, "ck_adam_update rejected argument \(-status)")
    }
  }

  /// RMSprop; `slots` holds the velocity, then the average gradient when centered, then
  /// the momentum slot when momentum > 0 (`averageIndex` / `momentumIndex` say where).
  static func rmspropUpdate(
    _ parameter: Parameter, slots: SlotEntry, averageIndex: Int?, momentumIndex: Int?,
    gradient: Tensor, lr: Float, rho: Float, oneMinusRho: Float, momentum: Float, epsilon: Float
  ) {
    withBuffers(parameter, slots, gradient) { w, s, g, n in
      let status = ck_rmsprop_update(
        w, s[0], averageIndex.map { s[$0] }, momentumIndex.map { s[$0] }, g, n,
        lr, rho, oneMinusRho, momentum, epsilon)
      precondition(status == 0, "ck_rmsprop_update rejected argument \(-status)")
    }
  }
}
