import Foundation

/// A callback that acts for the whole job, so only rank 0 runs it in data-parallel training
/// (``ModelCheckpoint`` writes one file, not one per rank).
protocol RankZeroCallback: Callback {}

extension ModelCheckpoint: RankZeroCallback {}

// Data-parallel training, the way PyTorch DDP and Horovod do it: `fit` and `evaluate` with
// a `communicator` run their usual loop on every rank, with these pieces in place of the
// single-process step. Every rank holds the whole model and walks the same batches of the
// same seeded shuffle; each takes its share of every global batch by DDP's rule (rows r,
// r + N, r + 2N, … of it), and one all-reduce per step sums the gradients, scaled by each
// rank's share, with the loss and metric totals. The sum is the gradient of the mean loss
// over the whole global batch, so N ranks on batch B train as one process on batch B does,
// up to float rounding (keep that run's learning rate: nothing is rescaled), and since
// ``Communicator/allReduceSum(_:)`` adds in rank order, a run repeats bit for bit.

extension Model {
  /// Before the first step: checks that every rank has the same data and model (stopping
  /// all of them with an error naming both sides otherwise), broadcasts rank 0's weights
  /// and optimizer state (so a checkpoint loaded on rank 0 resumes everywhere), and gives
  /// each rank its own dropout streams.
  func joinRanks(_ communicator: any Communicator, training: Dataset, validation: Dataset?) throws {
    let world = communicator.size
    guard training.batchSize % world == 0 else {
      throw DistributedError.invalidSetting(
        name: "batchSize", expected: "a multiple of the \(world) ranks (it is the global batch)", actual: "\(training.batchSize)")
    }
    let shapes = [training.features.shape, training.labels.shape] + (validation.map { [$0.features.shape, $0.labels.shape] } ?? [])
    try communicator.checkAgreement(
      encodeShapes(shapes), what: "the data (x and y shapes, then validation)", describe: { "shapes \(decodeShapes($0))" })
    let parameters = self.parameters  // built by fit's validation probe
    try communicator.checkAgreement(
      encodeShapes(parameters.map(\.value.shape)), what: "the model's parameter shapes",
      describe: { "\(decodeShapes($0).count) parameters of shapes \(decodeShapes($0))" })
    let start = try communicator.broadcast(packed(parameters.map(\.value)), root: 0)
    for (p, value) in zip(parameters, unpacked(start[...], shapes: parameters.map(\.value.shape))) { p.value = value }
    try broadcastOptimizerState(communicator)
    if world > 1 { seedRandomLayers(seed: training.shuffleSeed, rank: communicator.rank) }
  }

  /// Rank 0's optimizer state — its iteration count and every slot, as after
  /// ``loadCheckpoint(from:)`` on rank 0 alone — on every rank, so a resumed run continues
  /// identically everywhere.
  private func broadcastOptimizerState(_ communicator: any Communicator) throws {
    guard let optimizer else { return }
    let trainable = trainableParameters
    let state = optimizer.state(for: trainable)
    let keys = state.keys.sorted()
    try communicator.checkAgreement(
      encodeShapes(keys.map { state[$0]!.shape }), what: "the optimizer's state (\(keys.count) entries)",
      describe: { "slot shapes \(decodeShapes($0))" })
    let values = try communicator.broadcast(packed(keys.map { state[$0]! }), root: 0)
    let tensors = unpacked(values[...], shapes: keys.map { state[$0]!.shape })
    try optimizer.loadState(Dictionary(uniqueKeysWithValues: zip(keys, tensors)), for: trainable)
  }

  /// One data-parallel step on the global batch `x`, `y`: forward and backward on this
  /// rank's rows, one exchange of the scaled gradients with the loss and metric totals
  /// (the embedding's as touched rows with ``sparseEmbeddingGradients``), then clipping and
  /// the optimizer, identically on every rank. Returns the global batch's loss and metric
  /// totals (the same on every rank).
  func trainStepShare(_ x: Tensor, _ y: Tensor, loss: any Loss, communicator: any Communicator) throws
    -> (loss: Float, metrics: [(total: Double, count: Int)])
  {
    guard let optimizer else { throw TrainingError.notCompiled }
    let trainable = trainableParameters
    let shapes = trainable.map(\.value.shape)
    let rows = share(of: x.shape[0], communicator: communicator)
    let localX = rows.isEmpty ? nil : x.gathering(rows: rows)
    // The embedding's gradient travels as rows when asked and when the inputs are its ids.
    let embedding = sparseEmbeddingGradients ? firstEmbedding : nil
    let rowsIndex = embedding.flatMap { e in e.inputDim < 1 << 24 ? trainable.firstIndex { $0 === e.embeddings } : nil }
    let denseShapes = shapes.enumerated().map { $0.offset == rowsIndex ? [0] : $0.element }
    let denseCount = denseShapes.reduce(0) { $0 + $1.reduce(1, *) }

    var dense = [Float](repeating: 0, count: denseCount)
    var totals = [Float](repeating: 0, count: 2 + 2 * metrics.count)
    var ids: [Int] = []
    var rowValues: [Float] = []
    if let localX {
      let result = gradientStep(localX, y.gathering(rows: rows), loss: loss, parameters: trainable)
      if var local = result.gradients {
        let scale = Float(rows.count) / Float(x.shape[0])
        if let rowsIndex {
          ids = Array(Set(localX.scalars.map { Int($0) })).sorted()
          rowValues = (local[rowsIndex].gathering(rows: ids) * scale).scalars
          local[rowsIndex] = Tensor(zeros: [0])
        }
        dense = (Tensor(shape: [denseCount], scalars: packed(local)) * scale).scalars
      }
      totals = batchTotals(loss: result.loss, samples: rows.count, metrics: result.metrics)
    }
    var gradients: [Tensor]
    let summed: [Float]
    if let rowsIndex {
      // Every rank's rows padded to the longest (id 0, zero rows), gathered, added in rank order.
      let width = shapes[rowsIndex][1]
      let longest = Int(try communicator.allGather([Float(ids.count)]).map { $0[0] }.max() ?? 0)
      let padding = longest - ids.count
      let parts = try communicator.allGather(
        dense + totals + ids.map(Float.init) + [Float](repeating: 0, count: padding) + rowValues
          + [Float](repeating: 0, count: padding * width))
      summed = sumInRankOrder(parts.map { Array($0[..<(denseCount + totals.count)]) })
      let offset = denseCount + totals.count
      let allIDs = parts.flatMap { $0[offset..<(offset + longest)] }
      let allRows = parts.flatMap { $0[(offset + longest)...] }
      gradients = unpacked(summed[..<denseCount], shapes: denseShapes)
      gradients[rowsIndex] = Kernels.embeddingBackward(
        dy: Tensor(shape: [allIDs.count, width], scalars: allRows), ids: Tensor(shape: [allIDs.count], scalars: allIDs),
        tableShape: shapes[rowsIndex])
    } else {
      summed = try communicator.allReduceSum(dense + totals)
      gradients = unpacked(summed[..<denseCount], shapes: denseShapes)
    }
    let global = globalLogs(summed[denseCount...])
    if global.loss.isFinite { optimizer.apply(gradients: gradients, to: trainable) }
    return global
  }

  /// This rank's share of one evaluation batch, summed over the ranks.
  func evaluateShare(_ x: Tensor, _ y: Tensor, loss: any Loss, communicator: any Communicator) throws
    -> (loss: Float, metrics: [(total: Double, count: Int)])
  {
    let rows = share(of: x.shape[0], communicator: communicator)
    var totals = [Float](repeating: 0, count: 2 + 2 * metrics.count)
    if !rows.isEmpty {
      let (bx, by) = (x.gathering(rows: rows), y.gathering(rows: rows))
      let prediction = self(bx)
      totals = batchTotals(loss: loss(prediction, by).scalar, samples: rows.count, metrics: metrics.map { $0.batchTotal(prediction, by) })
    }
    return globalLogs(try communicator.allReduceSum(totals)[...])
  }

  /// The rows of a batch of `count` that this rank takes: r, r + N, r + 2N, …
  private func share(of count: Int, communicator: any Communicator) -> [Int] {
    Array(stride(from: communicator.rank, to: count, by: communicator.size))
  }

  /// loss·n, n, then each metric's total and count: what ranks add up.
  private func batchTotals(loss: Float, samples: Int, metrics: [(total: Double, count: Int)]) -> [Float] {
    [loss * Float(samples), Float(samples)] + metrics.flatMap { [Float($0.total), Float($0.count)] }
  }

  /// The mean loss and metric totals from summed ``batchTotals(loss:samples:metrics:)``.
  private func globalLogs(_ summed: ArraySlice<Float>) -> (loss: Float, metrics: [(total: Double, count: Int)]) {
    let totals = Array(summed)  // a few values
    let metricTotals = stride(from: 2, to: totals.count, by: 2).map { (total: Double(totals[$0]), count: Int(totals[$0 + 1])) }
    return (totals[0] / totals[1], metricTotals)
  }
}

/// The tensors' scalars, one after another.
private func packed(_ tensors: [Tensor]) -> [Float] {
  var out: [Float] = []
  out.reserveCapacity(tensors.reduce(0) { $0 + $1.scalarCount })
  for t in tensors { out += t.scalars }
  return out
}

/// `buffer` cut into tensors of `shapes`, in order.
private func unpacked(_ buffer: ArraySlice<Float>, shapes: [[Int]]) -> [Tensor] {
  var offset = buffer.startIndex
  return shapes.map { shape in
    let count = shape.reduce(1, *)
    defer { offset += count }
    return Tensor(shape: shape, scalars: Array(buffer[offset..<(offset + count)]))
  }
}

/// Shapes as `[rank, d0, d1, …]` one after another, for exchanging them as floats.
private func encodeShapes(_ shapes: [[Int]]) -> [Float] {
  shapes.flatMap { [Float($0.count)] + $0.map(Float.init) }
}

/// ``encodeShapes(_:)`` read back.
private func decodeShapes(_ values: [Float]) -> [[Int]] {
  var result: [[Int]] = []
  var i = 0
  while i < values.count {
    let rank = Int(values[i])
    guard rank >= 0, i + 1 + rank <= values.count else { break }
    result.append(values[(i + 1)..<(i + 1 + rank)].map { Int($0) })
    i += 1 + rank
  }
  return result
}
