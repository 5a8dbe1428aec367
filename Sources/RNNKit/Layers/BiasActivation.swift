/// `activation(z + bias)` over the last axis of `z` `[R, C]`, recorded on the tape: one
/// fused kernel forward and backward, followed by a softmax for ``Activation/softmax``
/// (not element-wise); Dense and Conv1D end with it.
func biasThenActivation(_ z: Tensor, bias: Tensor?, activation: Activation) -> Tensor {
  guard activation != .softmax else { return softmax(recordedBiasActivation(z, bias: bias, activation: .linear)) }
  return recordedBiasActivation(z, bias: bias, activation: activation)
}

/// act(z + b) over the last axis of `z` `[R, C]`, one fused kernel forward and backward,
/// recorded on the tape.
private func recordedBiasActivation(_ z: Tensor, bias: Tensor?, activation act: Activation) -> Tensor {
  let y = Kernels.biasActivation(z, bias: bias, activation: act)
  let wantBias = bias?.isTracked ?? false
  return .recorded(y, inputs: bias.map { [z, $0] } ?? [z]) { g in
    let (dz, db) = Kernels.biasActivationBackward(dy: g, y: y, activation: act, wantBias: wantBias)
    return bias == nil ? [dz] : [dz, db]
  }
}
