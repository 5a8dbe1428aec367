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
  /// all of them with an error naming both sides otherwise), builds the layers, broadcasts
  /// rank 0's weights, and gives each rank its own dropout streams.
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
    for (p, value) in zip(parameters, unpacked(start, shapes: parameters.map(\.value.shape))) { p.value = value }
    if world > 1 { seedRandomLayers(seed: training.shuffleSeed, rank: communicator.rank) }
  }

  /// One data-parallel step on the global batch `x`, `y`: forward and backward on this
  /// rank's rows, one all-reduce of the scaled gradients with the loss and metric totals,
  /// then clipping and the optimizer, identically on every rank. Returns the global batch's
  /// loss and metric totals (the same on every rank).
  func trainStepShare(_ x: Tensor, _ y: Tensor, loss: any Loss, communicator: any Communicator) throws
    -> (loss: Float, metrics: [(total: Double, count: Int)])
  {
    guard let optimizer else { throw TrainingError.notCompiled }
    let trainable = trainableParameters
    let gradientCount = trainable.reduce(0) { $0 + $1.value.scalarCount }
    let rows = share(of: x.shape[0], communicator: communicator)
    var buffer = [Float](repeating: 0, count: gradientCount)
    var totals = [Float](repeating: 0, count: 2 + 2 * metrics.count)
    if !rows.isEmpty {
      let result = gradientStep(x.gathering(rows: rows), y.gathering(rows: rows), loss: loss, parameters: trainable)
      if let gradients = result.gradients {
        let scale = Float(rows.count) / Float(x.shape[0])
        buffer = (Tensor(shape: [gradientCount], scalars: packed(gradients)) * scale).scalars
      }
      totals = batchTotals(loss: result.loss, samples: rows.count, metrics: result.metrics)
    }
    let summed = try communicator.allReduceSum(buffer + totals)
    let global = globalLogs(Array(summed[gradientCount...]))
    if global.loss.isFinite {
      optimizer.apply(gradients: unpacked(Array(summed[..<gradientCount]), shapes: trainable.map(\.value.shape)), to: trainable)
    }
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
    return globalLogs(try communicator.allReduceSum(totals))
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
  private func globalLogs(_ totals: [Float]) -> (loss: Float, metrics: [(total: Double, count: Int)]) {
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
private func unpacked(_ buffer: [Float], shapes: [[Int]]) -> [Tensor] {
  var offset = 0
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
