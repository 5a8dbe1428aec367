extension Tensor {
  /// Normalises possibly negative axes and checks them against the rank.
  func normalizedAxes(_ axes: [Int], operation: String) -> [Int] {
    let result = axes.map { $0 < 0 ? $0 + rank : $0 }
    for (given, axis) in zip(axes, result) {
      precondition(axis >= 0 && axis < rank, "\(operation): axis \(given) is out of range for shape \(shape)")
    }
    return Array(Set(result)).sorted()
  }

  /// The shape with `axes` set to 1.
  private func keptShape(_ axes: [Int]) -> [Int] {
    var kept = shape
    for a in axes { kept[a] = 1 }
    return kept
  }

  /// Reduces `axes` one at a time (highest first) with a kernel.
  private func reduced(_ op: ReduceOperation, _ axes: [Int]) -> Tensor {
    var out = detached
    for axis in axes.reversed() { out = Kernels.reduce(op, out, axis: axis) }
    return out
  }

  /// The sum over `axes` (all axes when empty), optionally keeping them as size 1.
  ///
  /// - Parameters:
  ///   - axes: the axes to sum; negative values count from the end.
  ///   - keepingDimensions: keep each summed axis with size 1, as `keepdims=True`.
  ///
  /// ```swift
  /// let x = Tensor([[1, 2], [3, 4]])
  /// x.sum(alongAxes: [1])   // [3, 7]
  /// ```
  public func sum(alongAxes axes: [Int], keepingDimensions: Bool = false) -> Tensor {
    let axes = normalizedAxes(axes, operation: "Tensor.sum")
    if axes.isEmpty { return self }
    let kept = keptShape(axes)
    let reducedShape = keepingDimensions ? kept : shape.enumerated().filter { !axes.contains($0.offset) }.map(\.element)
    let out = reduced(.sum, axes).reshaped(to: reducedShape)
    let fullShape = shape
    return .recorded(out, inputs: [self]) { g in [g.reshaped(to: kept).broadcast(to: fullShape)] }
  }

  /// The sum over the given axes.
  ///
  /// ```swift
  /// let rowSums = x.sum(alongAxes: 1)
  /// ```
  public func sum(alongAxes axes: Int..., keepingDimensions: Bool = false) -> Tensor {
    sum(alongAxes: axes, keepingDimensions: keepingDimensions)
  }

  /// The sum of all elements, as a scalar tensor.
  ///
  /// ```swift
  /// let total = x.sum().scalar
  /// ```
  public func sum() -> Tensor { sum(alongAxes: Array(0..<rank)) }

  /// The mean over `axes` (all axes when empty).
  ///
  /// ```swift
  /// let perFeature = x.mean(alongAxes: [0])
  /// ```
  public func mean(alongAxes axes: [Int], keepingDimensions: Bool = false) -> Tensor {
    let axes = normalizedAxes(axes, operation: "Tensor.mean")
    let count = axes.reduce(1) { $0 * shape[$1] }
    return sum(alongAxes: axes, keepingDimensions: keepingDimensions) / Float(count)
  }

  /// The mean over the given axes.
  public func mean(alongAxes axes: Int..., keepingDimensions: Bool = false) -> Tensor {
    mean(alongAxes: axes, keepingDimensions: keepingDimensions)
  }

  /// The mean of all elements, as a scalar tensor.
  ///
  /// ```swift
  /// let loss = (y - t).squared().mean()
  /// ```
  public func mean() -> Tensor { mean(alongAxes: Array(0..<rank)) }

  /// Max or min over `axes`; the gradient is shared equally among tied extremes, as TensorFlow does.
  private func extreme(_ op: ReduceOperation, _ axes: [Int], keepingDimensions: Bool, name: String) -> Tensor {
    let axes = normalizedAxes(axes.isEmpty ? Array(0..<rank) : axes, operation: name)
    precondition(axes.allSatisfy { shape[$0] > 0 }, "\(name): cannot reduce an empty axis of shape \(shape)")
    let kept = keptShape(axes)
    let reducedShape = keepingDimensions ? kept : shape.enumerated().filter { !axes.contains($0.offset) }.map(\.element)
    let out = reduced(op, axes).reshaped(to: reducedShape)
    let x = detached
    return .recorded(out, inputs: [self]) { g in
      let hits = x .== out.reshaped(to: kept).detached
      let counts = hits.sum(alongAxes: axes, keepingDimensions: true)
      return [hits * g.reshaped(to: kept) / counts]
    }
  }

  /// The largest element over `axes` (all axes when empty).
  ///
  /// ```swift
  /// let pooled = features.max(alongAxes: [1])    // global max pooling over time
  /// ```
  public func max(alongAxes axes: [Int] = [], keepingDimensions: Bool = false) -> Tensor {
    extreme(.max, axes, keepingDimensions: keepingDimensions, name: "Tensor.max")
  }

  /// The smallest element over `axes` (all axes when empty).
  public func min(alongAxes axes: [Int] = [], keepingDimensions: Bool = false) -> Tensor {
    extreme(.min, axes, keepingDimensions: keepingDimensions, name: "Tensor.min")
  }

  /// The index of the first largest element along `axis`, as integers.
  ///
  /// ```swift
  /// let predicted = logits.argmax(alongAxis: 1)   // [batch] class indices
  /// ```
  public func argmax(alongAxis axis: Int) -> [Int] {
    let a = normalizedAxes([axis], operation: "Tensor.argmax")[0]
    precondition(shape[a] > 0, "Tensor.argmax: axis \(axis) of shape \(shape) is empty")
    return Kernels.argmax(self, axis: a)
  }
}
