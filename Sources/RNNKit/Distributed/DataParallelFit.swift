import Foundation

extension Model {
  /// Trains one model on several ranks at once, data-parallel, the way PyTorch DDP and
  /// Horovod do: every rank holds the whole model and a share of each batch.
  ///
  /// - Before the first step the model's layers are built and rank 0's weights are
  ///   broadcast to every rank; ranks whose models or data disagree (parameter shapes,
  ///   sample counts) stop with ``DistributedError`` naming both sides.
  /// - Every epoch every rank draws the same seeded shuffle — the one `fit(_:_:…)` draws in
  ///   one process — and each global batch of `batchSize` rows is split by DDP's rule: rank r
  ///   takes rows r, r + N, r + 2N, … of it.
  /// - Each step: forward and backward on the rank's rows, the gradients scaled by the
  ///   rank's share of the batch and packed with the loss and metric totals into one
  ///   buffer, one all-reduce (summed in rank order, so every rank gets the same bits and a
  ///   run repeats exactly), then clipping and the optimizer, identically on every rank.
  ///
  /// The summed gradient is the gradient of the mean loss over the whole global batch, so N
  /// ranks on batch `batchSize` train as one process on `batchSize` does, up to float
  /// rounding; keep the learning rate of the single-process run (RNNKit does not rescale
  /// it). Only rank 0 prints. On more than one rank, every layer that draws dropout masks
  /// gets a stream derived from `seed`, its place in the model and the rank, so the ranks
  /// drop different units and a run repeats exactly (with dropout the masks differ from a
  /// single process's, so that equivalence holds with dropout off).
  ///
  /// - Parameters:
  ///   - x: all the training inputs, the same on every rank, `[samples, ...]`.
  ///   - y: the targets, `[samples, ...]`.
  ///   - batchSize: the *global* batch, split evenly: a multiple of the number of ranks.
  ///   - epochs: passes over the data.
  ///   - verbose: rank 0's progress output.
  ///   - shuffle: shuffle every epoch (the same on every rank).
  ///   - seed: the shuffle's seed.
  ///   - communicator: the ranks.
  /// - Returns: the epoch logs, the same on every rank (loss and metric totals are summed
  ///   across ranks).
  /// - Throws: ``TrainingError/notCompiled``, ``DistributedError`` for a setting the ranks
  ///   cannot share or ranks that disagree, ``TrainingError/nonFiniteLoss(epoch:step:value:)``
  ///   on every rank at once.
  ///
  /// ```swift
  /// let ranks = InProcessCommunicator.group(size: 2)        // or MPICommunicator() under mpirun
  /// try model.fit(x, y, batchSize: 128, epochs: 2, communicator: ranks[r])
  /// ```
  @discardableResult
  public func fit(
    _ x: Tensor, _ y: Tensor, batchSize: Int, epochs: Int = 1, verbose: Verbosity = .progressBar,
    shuffle: Bool = true, seed: UInt64 = 0, communicator: any Communicator
  ) throws -> History {
    guard let optimizer, let loss else { throw TrainingError.notCompiled }
    let (world, rank) = (communicator.size, communicator.rank)
    try checkBatchSize(batchSize)
    guard batchSize % world == 0 else {
      throw DistributedError.invalidSetting(
        name: "batchSize", expected: "a multiple of the \(world) ranks (it is the global batch)", actual: "\(batchSize)")
    }
    guard epochs > 0 else { throw TrainingDataError.invalidArgument(name: "epochs", expected: "at least 1", actual: "\(epochs)") }
    let data = try Dataset(tensorSlices: (x, y))
    try communicator.checkAgreement(
      ([x.shape, y.shape] as [[Int]]).flatMap { [Float($0.count)] + $0.map(Float.init) }, what: "the training data (x and y shapes)",
      describe: { "shapes \(shapes(from: $0))" })
    try validate(data)  // builds every layer on a probe batch

    let parameters = self.parameters
    try communicator.checkAgreement(
      parameters.flatMap { [Float($0.value.rank)] + $0.value.shape.map(Float.init) }, what: "the model's parameter shapes",
      describe: { "\(shapes(from: $0).count) parameters of shapes \(shapes(from: $0))" })
    let start = try communicator.broadcast(packed(parameters.map(\.value)), root: 0)
    for (p, value) in zip(parameters, unpacked(start, shapes: parameters.map(\.value.shape))) { p.value = value }
    if world > 1 { seedRandomLayers(seed: seed, rank: rank) }

    let trainable = trainableParameters
    let gradientCount = trainable.reduce(0) { $0 + $1.value.scalarCount }
    let tail = 2 + 2 * metrics.count  // loss·n, n, then each metric's total and count
    let samples = data.sampleCount
    let steps = (samples + batchSize - 1) / batchSize
    let shuffled = shuffle ? data.shuffle(bufferSize: samples, seed: seed) : data
    var history = History()
    for epoch in 0..<epochs {
      if verbose != .silent && rank == 0 { print("Epoch \(epoch + 1)/\(epochs)") }
      let order = shuffled.order(pass: epoch)
      var running = RunningLogs(metricNames: metrics.map(\.name))
      var bar = ProgressBar(total: steps, verbosity: rank == 0 ? verbose : .silent)
      for step in 0..<steps {
        let rows = Array(order[(step * batchSize)..<Swift.min((step + 1) * batchSize, samples)])
        let mine = stride(from: rank, to: rows.count, by: world).map { rows[$0] }
        var buffer = [Float](repeating: 0, count: gradientCount + tail)
        if !mine.isEmpty {
          let result = gradientStep(x.gathering(rows: mine), y.gathering(rows: mine), loss: loss, parameters: trainable)
          let share = Float(mine.count) / Float(rows.count)
          if let gradients = result.gradients {
            buffer.replaceSubrange(0..<gradientCount, with: (Tensor(shape: [gradientCount], scalars: packed(gradients)) * share).scalars)
          }
          buffer[gradientCount] = result.loss * Float(mine.count)
          buffer[gradientCount + 1] = Float(mine.count)
          for (i, m) in result.metrics.enumerated() {
            buffer[gradientCount + 2 + 2 * i] = Float(m.total)
            buffer[gradientCount + 3 + 2 * i] = Float(m.count)
          }
        }
        let total = try communicator.allReduceSum(buffer)
        let stepLoss = total[gradientCount] / total[gradientCount + 1]
        guard stepLoss.isFinite else { throw TrainingError.nonFiniteLoss(epoch: epoch + 1, step: step + 1, value: stepLoss) }
        optimizer.apply(
          gradients: unpacked(Array(total[0..<gradientCount]), shapes: trainable.map(\.value.shape)), to: trainable)
        let stepMetrics = (0..<metrics.count).map {
          (total: Double(total[gradientCount + 2 + 2 * $0]), count: Int(total[gradientCount + 3 + 2 * $0]))
        }
        running.add(loss: stepLoss, samples: rows.count, metrics: stepMetrics)
        bar.update(step: step + 1, logs: running.logs)
      }
      bar.finish(step: steps, logs: running.logs)
      history.record(epoch: epoch, logs: Dictionary(uniqueKeysWithValues: running.logs))
    }
    return history
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

/// Shapes written as `[rank, d0, d1, …]` one after another, read back.
private func shapes(from values: [Float]) -> [[Int]] {
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
