internal import CKernels

// The bridge to the fused recurrent kernels (simple_rnn.c, lstm.c, gru.c): each whole
// sequence, and each single cell step, is one differentiable operation on the tape.

/// Scratch memory a layer keeps between calls, so kernels never allocate in the loop.
final class KernelWorkspace: @unchecked Sendable {
  private var storage = TensorStorage(uninitializedCount: 0)

  /// A buffer of at least `count` floats; its contents are not kept between calls.
  func pointer(count: Int) -> UnsafeMutablePointer<Float> {
    if storage.count < count { storage = TensorStorage(uninitializedCount: count) }
    return storage.pointer
  }
}

/// Which fused kernel computes a recurrent cell.
enum RecurrentOperation: Sendable, Equatable {
  case simpleRNN(relu: Bool)
  case lstm
  case gru(resetAfter: Bool)

  /// G: how many gate blocks of H columns the kernel and recurrent kernel hold.
  var gateCount: Int {
    switch self {
    case .simpleRNN: return 1
    case .lstm: return 4
    case .gru: return 3
    }
  }

  /// The states carried from step to step: [h] or, for LSTM, [h, c].
  var stateCount: Int { self == .lstm ? 2 : 1 }

  func cacheCount(B: Int, T: Int, D: Int, H: Int) -> Int {
    let (b, t, d, h) = (Int32(B), Int32(T), Int32(D), Int32(H))
    switch self {
    case .simpleRNN: return ck_simple_rnn_cache_size(b, t, d, h)
    case .lstm: return ck_lstm_cache_size(b, t, d, h)
    case .gru: return ck_gru_cache_size(b, t, d, h)
    }
  }

  func workspaceCount(B: Int, T: Int, D: Int, H: Int) -> Int {
    let (b, t, d, h) = (Int32(B), Int32(T), Int32(D), Int32(H))
    switch self {
    case .simpleRNN: return ck_simple_rnn_workspace_size(b, t, d, h)
    case .lstm: return ck_lstm_workspace_size(b, t, d, h)
    case .gru: return ck_gru_workspace_size(b, t, d, h)
    }
  }

  private var activation: ck_rnn_activation {
    if case .simpleRNN(relu: true) = self { return CK_RNN_RELU }
    return CK_RNN_TANH
  }

  private var resetAfterFlag: Int32 {
    if case .gru(resetAfter: true) = self { return 1 }
    return 0
  }

  // MARK: - Whole sequences

  /// Runs the sequence kernel: x (B,T,D) → outputs (B,T,H) and the final states (B,H) each.
  ///
  /// Shapes are checked by the caller. With `recordingInputs` the call keeps a cache and
  /// is recorded on the tape against those inputs (x, initial states, W, U, b).
  func sequence(
    x: Tensor, initialStates: [Tensor]?, mask: Tensor?, recurrentDropoutMask: Tensor?,
    kernel: Tensor, recurrentKernel: Tensor, bias: Tensor?, workspace: KernelWorkspace
  ) -> (outputs: Tensor, states: [Tensor]) {
    let (B, T, D, H) = (x.shape[0], x.shape[1], x.shape[2], recurrentKernel.shape[0])
    let inputs = [x] + (initialStates ?? []) + [kernel, recurrentKernel] + (bias.map { [$0] } ?? [])
    let recording = GradientTape.current != nil && inputs.contains(where: \.isTracked)
    let cache = recording ? TensorStorage(uninitializedCount: cacheCount(B: B, T: T, D: D, H: H)) : nil
    let work = workspace.pointer(count: workspaceCount(B: B, T: T, D: D, H: H))
    let y = TensorStorage(uninitializedCount: B * T * H)
    let finals = (0..<stateCount).map { _ in TensorStorage(uninitializedCount: B * H) }
    let o = KernelOperands()
    let (xp, h0, c0) = (o.pointer(x), o.pointer(initialStates?[0]), o.pointer(initialStates?.dropFirst().first))
    let (mp, rp) = (o.pointer(mask), o.pointer(recurrentDropoutMask))
    let (wp, up, bp) = (o.pointer(kernel), o.pointer(recurrentKernel), o.pointer(bias))
    let (yp, hT, cT, cp) = (o.pointer(y), o.pointer(finals[0]), o.pointer(finals.dropFirst().first), o.pointer(cache))
    let (b, t, d, h) = (Int32(B), Int32(T), Int32(D), Int32(H))
    let status: Int32 = o.call {
      switch self {
      case .simpleRNN:
        return ck_simple_rnn_forward(yp, hT, xp, h0, mp, rp, wp, up, bp, activation, cp, work, b, t, d, h)
      case .lstm:
        return ck_lstm_forward(yp, hT, cT, xp, h0, c0, mp, rp, wp, up, bp, cp, work, b, t, d, h)
      case .gru:
        return ck_gru_forward(yp, hT, xp, h0, mp, rp, wp, up, bp, resetAfterFlag, cp, work, b, t, d, h)
      }
    }
    precondition(status == 0, "\(self) forward kernel rejected argument \(-status) for B=\(B) T=\(T) D=\(D) H=\(H)")
    let outputs = [Tensor(shape: [B, T, H], storage: y)] + finals.map { Tensor(shape: [B, H], storage: $0) }
    guard let cache else { return (outputs[0], Array(outputs.dropFirst())) }

    let (xd, md, rd) = (x.detached, mask?.detached, recurrentDropoutMask?.detached)
    let (wd, ud) = (kernel.detached, recurrentKernel.detached)
    let hasInitial = initialStates != nil, hasBias = bias != nil
    let tracked = Tensor.recorded(outputs: outputs, inputs: inputs) { grads in
      let dx = Tensor(zeros: xd.shape), dW = Tensor(zeros: wd.shape), dU = Tensor(zeros: ud.shape)
      let db = Tensor(zeros: bias?.shape ?? [])
      var dStates = (0..<stateCount).map { _ in Tensor(zeros: [B, H]) }
      let work = workspace.pointer(count: workspaceCount(B: B, T: T, D: D, H: H))
      let o = KernelOperands()
      // A result no gradient reached is NULL to the kernel (a zero gradient).
      let (dy, dhT, dcT) = (o.pointer(grads[0]), o.pointer(grads[1]), o.pointer(grads.count > 2 ? grads[2] : nil))
      let (dxp, dWp, dUp, dbp) = (o.pointer(dx), o.pointer(dW), o.pointer(dU), o.pointer(hasBias ? db : nil))
      let dh0 = o.pointer(hasInitial ? dStates[0] : nil)
      let dc0 = o.pointer(hasInitial && dStates.count > 1 ? dStates[1] : nil)
      let (xp, mp, rp, wp, up) = (o.pointer(xd), o.pointer(md), o.pointer(rd), o.pointer(wd), o.pointer(ud))
      let cp = o.pointer(cache)
      let status: Int32 = o.call {
        switch self {
        case .simpleRNN:
          return ck_simple_rnn_backward(dxp, dh0, dWp, dUp, dbp, dy, dhT, xp, mp, rp, wp, up, activation, cp, work, b, t, d, h)
        case .lstm:
          return ck_lstm_backward(dxp, dh0, dc0, dWp, dUp, dbp, dy, dhT, dcT, xp, mp, rp, wp, up, cp, work, b, t, d, h)
        case .gru:
          return ck_gru_backward(dxp, dh0, dWp, dUp, dbp, dy, dhT, xp, mp, rp, wp, up, resetAfterFlag, cp, work, b, t, d, h)
        }
      }
      precondition(status == 0, "\(self) backward kernel rejected argument \(-status)")
      if !hasInitial { dStates = [] }
      return [dx] + dStates + [dW, dU] + (hasBias ? [db] : [])
    }
    return (tracked[0], Array(tracked.dropFirst()))
  }

  // MARK: - One step

  /// Runs the single-step cell kernel: x (B,D) and the state → the new state ([h] or
  /// [h, c], each (B,H)); the cell's output is the new h.
  func step(
    x: Tensor, state: [Tensor], recurrentDropoutMask: Tensor?,
    kernel: Tensor, recurrentKernel: Tensor, bias: Tensor?, workspace: KernelWorkspace
  ) -> [Tensor] {
    let (B, D, H) = (x.shape[0], x.shape[1], recurrentKernel.shape[0])
    let inputs = [x] + state + [kernel, recurrentKernel] + (bias.map { [$0] } ?? [])
    let recording = GradientTape.current != nil && inputs.contains(where: \.isTracked)
    let cache = recording ? TensorStorage(uninitializedCount: cacheCount(B: B, T: 1, D: D, H: H)) : nil
    let work = workspace.pointer(count: workspaceCount(B: B, T: 1, D: D, H: H))
    let news = (0..<stateCount).map { _ in TensorStorage(uninitializedCount: B * H) }
    let o = KernelOperands()
    let (xp, rp, hp, cp) = (o.pointer(x), o.pointer(recurrentDropoutMask), o.pointer(state[0]), o.pointer(state.count > 1 ? state[1] : nil))
    let (wp, up, bp) = (o.pointer(kernel), o.pointer(recurrentKernel), o.pointer(bias))
    let (hNew, cNew, cachep) = (o.pointer(news[0]), o.pointer(news.dropFirst().first), o.pointer(cache))
    let (b, d, h) = (Int32(B), Int32(D), Int32(H))
    let status: Int32 = o.call {
      switch self {
      case .simpleRNN:
        return ck_simple_rnn_cell_forward(hNew, xp, hp, rp, wp, up, bp, activation, cachep, work, b, d, h)
      case .lstm:
        return ck_lstm_cell_forward(hNew, cNew, xp, hp, cp, rp, wp, up, bp, cachep, work, b, d, h)
      case .gru:
        return ck_gru_cell_forward(hNew, xp, hp, rp, wp, up, bp, resetAfterFlag, cachep, work, b, d, h)
      }
    }
    precondition(status == 0, "\(self) cell kernel rejected argument \(-status) for B=\(B) D=\(D) H=\(H)")
    let outputs = news.map { Tensor(shape: [B, H], storage: $0) }
    guard let cache else { return outputs }

    let (xd, rd, wd, ud) = (x.detached, recurrentDropoutMask?.detached, kernel.detached, recurrentKernel.detached)
    let hasBias = bias != nil, biasShape = bias?.shape ?? []
    return Tensor.recorded(outputs: outputs, inputs: inputs) { grads in
      let dx = Tensor(zeros: xd.shape), dW = Tensor(zeros: wd.shape), dU = Tensor(zeros: ud.shape)
      let db = Tensor(zeros: biasShape)
      let dState = (0..<stateCount).map { _ in Tensor(zeros: [B, H]) }
      let work = workspace.pointer(count: workspaceCount(B: B, T: 1, D: D, H: H))
      let o = KernelOperands()
      let (dxp, dWp, dUp, dbp) = (o.pointer(dx), o.pointer(dW), o.pointer(dU), o.pointer(hasBias ? db : nil))
      let (dhp, dcp) = (o.pointer(dState[0]), o.pointer(dState.count > 1 ? dState[1] : nil))
      let (dh, dc) = (o.pointer(grads[0]), o.pointer(grads.count > 1 ? grads[1] : nil))
      let (xp, rp, wp, up, cachep) = (o.pointer(xd), o.pointer(rd), o.pointer(wd), o.pointer(ud), o.pointer(cache))
      let status: Int32 = o.call {
        switch self {
        case .simpleRNN:
          return ck_simple_rnn_cell_backward(dxp, dhp, dWp, dUp, dbp, dh, xp, rp, wp, up, activation, cachep, work, b, d, h)
        case .lstm:
          return ck_lstm_cell_backward(dxp, dhp, dcp, dWp, dUp, dbp, dh, dc, xp, rp, wp, up, cachep, work, b, d, h)
        case .gru:
          return ck_gru_cell_backward(dxp, dhp, dWp, dUp, dbp, dh, xp, rp, wp, up, resetAfterFlag, cachep, work, b, d, h)
        }
      }
      precondition(status == 0, "\(self) cell backward kernel rejected argument \(-status)")
      return [dx] + dState + [dW, dU] + (hasBias ? [db] : [])
    }
  }
}
