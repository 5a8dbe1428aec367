/// The shape two operands broadcast to, NumPy's rules: dims are matched from the right,
/// and each pair must be equal or contain a 1.
func broadcastShape(_ a: [Int], _ b: [Int], operation: String) -> [Int] {
  let rank = Swift.max(a.count, b.count)
  return (0..<rank).map { i in
    let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
    let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
    precondition(
      da == db || da == 1 || db == 1,
      "\(operation): shapes \(a) and \(b) cannot be broadcast together")
    return da == 1 ? db : da
  }
}

extension Tensor {
  /// This tensor summed down to `shape`, the adjoint of broadcasting to `self.shape`.
  func unbroadcast(to target: [Int]) -> Tensor {
    if shape == target { return self }
    let lead = rank - target.count
    var axes = Array(0..<lead)
    for (i, d) in target.enumerated() where d == 1 && shape[lead + i] != 1 { axes.append(lead + i) }
    return sum(alongAxes: axes).reshaped(to: target)
  }

  /// This tensor repeated along its size-1 (or missing leading) dims to reach `shape`.
  ///
  /// ```swift
  /// let b = Tensor([1, 2, 3]).broadcast(to: [2, 3])   // two copies of the row
  /// ```
  public func broadcast(to target: [Int]) -> Tensor {
    precondition(
      broadcastShape(shape, target, operation: "Tensor.broadcast(to:)") == target,
      "Tensor.broadcast(to:): shape \(shape) cannot be broadcast to \(target)")
    if shape == target { return self }
    let out = scalarCount == 1
      ? Tensor(repeating: scalar(atFlatIndex: 0), shape: target)
      : Kernels.gather(self, offset: 0, shape: target, strides: broadcastStrides(from: shape, to: target))
    let sourceShape = shape
    return .recorded(out, inputs: [self]) { g in [g.unbroadcast(to: sourceShape)] }
  }
}
