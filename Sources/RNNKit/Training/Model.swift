import Foundation

/// A trainable network with Keras's training API: `compile`, `fit`, `evaluate`, `predict`.
///
/// ``Sequential`` is a `Model`; write your own by subclassing, with layers as properties
/// (found automatically) and a `forward`, like the tutorial's `MyRNN`:
///
/// ```swift
/// final class MyRNN: Model {
///   let embedding = Embedding(inputDim: 10_000, outputDim: 100)
///   let rnn = LSTM(units: 64)
///   let head = Dense(units: 1, activation: .sigmoid)
///   override func forward(_ x: Tensor, context: inout LayerContext) -> Tensor {
///     let e = embedding.forward(x, context: &context)
///     return head.forward(rnn.forward(e, context: &context), context: &context)
///   }
/// }
/// let model = MyRNN()
/// model.compile(optimizer: Adam(), loss: .binaryCrossentropy, metrics: [.accuracy])
/// let history = try model.fit(x, y, batchSize: 128, epochs: 5, validationSplit: 0.2)
/// ```
open class Model: Layer {
  /// The optimizer set by ``compile(optimizer:loss:metrics:)``.
  public private(set) var optimizer: (any Optimizer)?
  /// The loss set by ``compile(optimizer:loss:metrics:)``.
  public private(set) var loss: (any Loss)?
  /// The metrics set by ``compile(optimizer:loss:metrics:)``.
  public private(set) var metrics: [any Metric] = []
  /// Set by a callback (or by you) to stop `fit` after the current batch.
  public var stopTraining = false

  /// In data-parallel training, exchange the gradient of the embedding the inputs reach
  /// first (``firstEmbedding``) as the rows a batch touches — ids and rows gathered from
  /// every rank and added in rank order — instead of all-reducing the dense matrix: Horovod's
  /// route for embeddings, whose gradient is mostly zero rows. The result is the same sum;
  /// only what travels changes. Off by default.
  ///
  /// ```swift
  /// model.sparseEmbeddingGradients = true
  /// try model.fit(x, y, batchSize: 128, communicator: world)
  /// ```
  public var sparseEmbeddingGradients = false

  /// An empty model; subclasses add layers as stored properties.
  public init() {}

  /// The model's output; subclasses override it.
  open func forward(_ input: Tensor, context: inout LayerContext) -> Tensor {
    preconditionFailure("\(type(of: self)) must override forward(_:context:)")
  }

  /// Chooses how the model trains, like Keras's `compile`.
  ///
  /// - Parameters:
  ///   - optimizer: the update rule, e.g. `Adam(learningRate: 1e-3)`.
  ///   - loss: the objective, e.g. `.binaryCrossentropy`.
  ///   - metrics: reported beside the loss, e.g. `[.accuracy]`.
  public func compile(optimizer: any Optimizer, loss: any Loss, metrics: [any Metric] = []) {
    self.optimizer = optimizer
    self.loss = loss
    self.metrics = metrics
  }

  // MARK: - Steps

  /// One optimisation step on one batch: forward, loss, gradients, update.
  ///
  /// - Returns: the batch's loss and the metrics' totals.
  /// - Throws: ``TrainingError/notCompiled`` before `compile`.
  @discardableResult
  public func trainStep(_ x: Tensor, _ y: Tensor) throws -> (loss: Float, metrics: [(total: Double, count: Int)]) {
    guard let optimizer, let loss else { throw TrainingError.notCompiled }
    let parameters = trainableParameters
    let step = gradientStep(x, y, loss: loss, parameters: parameters)
    if let gradients = step.gradients { optimizer.apply(gradients: gradients, to: parameters) }
    return (step.loss, step.metrics)
  }

  /// Forward and backward on one batch, without an update: the loss, the gradients of
  /// `parameters` (nil when the loss is not finite) and the metrics' batch totals.
  func gradientStep(_ x: Tensor, _ y: Tensor, loss: any Loss, parameters: [Parameter])
    -> (loss: Float, gradients: [Tensor]?, metrics: [(total: Double, count: Int)])
  {
    let tape = GradientTape()
    let (prediction, value) = tape.record { () -> (Tensor, Tensor) in
      var context = LayerContext(training: true)
      let prediction = forward(x, context: &context)
      return (prediction, loss(prediction, y))
    }
    let lossValue = value.scalar
    let gradients = lossValue.isFinite ? tape.gradient(of: value, wrt: parameters) : nil
    return (lossValue, gradients, metrics.map { $0.batchTotal(prediction.detached, y) })
  }

  /// The model's outputs for `x`, in batches, without dropout.
  ///
  /// - Parameters:
  ///   - x: `[samples, …]`.
  ///   - batchSize: samples per forward pass.
  ///
  /// ```swift
  /// let probabilities = model.predict(xTest)     // [samples, 1]
  /// ```
  public func predict(_ x: Tensor, batchSize: Int = 32) -> Tensor {
    precondition(batchSize > 0, "predict: batchSize must be positive, got \(batchSize)")
    precondition(x.rank >= 1 && x.shape[0] > 0, "predict: no samples in input of shape \(x.shape)")
    let outputs = stride(from: 0, to: x.shape[0], by: batchSize).map { start in
      self(x[start..<Swift.min(start + batchSize, x.shape[0])])
    }
    return Tensor(concatenating: outputs, alongAxis: 0)
  }

  /// The loss and metrics on `x`, `y`, averaged over samples.
  ///
  /// - Returns: `["loss": …, "accuracy": …]`.
  /// - Throws: ``TrainingError/notCompiled``, or ``TrainingDataError`` for unusable data.
  ///
  /// ```swift
  /// let scores = try model.evaluate(xTest, yTest, batchSize: 128)
  /// print(scores["accuracy"]!)
  /// ```
  public func evaluate(_ x: Tensor, _ y: Tensor, batchSize: Int = 32, verbose: Verbosity = .silent) throws -> [String: Float] {
    try checkBatchSize(batchSize)
    return try evaluate(Dataset(tensorSlices: (x, y)).batch(batchSize), verbose: verbose)
  }

  /// The loss and metrics over every batch of `dataset`.
  ///
  /// - Parameters:
  ///   - dataset: the batches to evaluate.
  ///   - verbose: progress output (rank 0's only).
  ///   - communicator: the ranks of a data-parallel job, each evaluating its share of every
  ///     batch (rows r, r + N, …); the totals are summed, so every rank gets the same logs.
  ///     `nil`: this process alone.
  public func evaluate(_ dataset: Dataset, verbose: Verbosity = .silent, communicator: (any Communicator)? = nil) throws
    -> [String: Float]
  {
    guard let loss else { throw TrainingError.notCompiled }
    try validate(dataset)
    var running = RunningLogs(metricNames: metrics.map(\.name))
    var bar = ProgressBar(total: dataset.batchCount, verbosity: (communicator?.rank ?? 0) == 0 ? verbose : .silent)
    for (step, (x, y)) in dataset.enumerated() {
      if let communicator {
        let batch = try evaluateShare(x, y, loss: loss, communicator: communicator)
        running.add(loss: batch.loss, samples: x.shape[0], metrics: batch.metrics)
      } else {
        let prediction = self(x)
        running.add(loss: loss(prediction, y).scalar, samples: x.shape[0], metrics: metrics.map { $0.batchTotal(prediction, y) })
      }
      bar.update(step: step + 1, logs: running.logs)
    }
    bar.finish(step: dataset.batchCount, logs: running.logs)
    return Dictionary(uniqueKeysWithValues: running.logs)
  }

  // MARK: - fit

  /// Trains on `x`, `y` for `epochs` epochs, like Keras's `fit`.
  ///
  /// - Parameters:
  ///   - x: inputs `[samples, …]`.
  ///   - y: targets `[samples, …]`.
  ///   - batchSize: samples per step; the last batch of an epoch may be smaller.
  ///   - epochs: passes over the training data.
  ///   - verbose: progress output.
  ///   - validationData: held-out `(x, y)` evaluated after each epoch.
  ///   - validationSplit: the fraction of samples, taken from the end before shuffling,
  ///     held out for validation (ignored when `validationData` is given).
  ///   - shuffle: reshuffle the training samples each epoch.
  ///   - seed: the shuffling seed.
  ///   - callbacks: hooks such as ``EarlyStopping``.
  ///   - communicator: the ranks of a data-parallel job (``InProcessCommunicator``, or
  ///     `MPICommunicator` under `mpirun`); `nil` trains in this process alone. On the ranks,
  ///     rank 0's weights are broadcast first; every rank walks the same seeded shuffle and
  ///     takes rows r, r + N, … of each global batch of `batchSize` (a multiple of N); one
  ///     all-reduce per step sums the gradients, scaled by each rank's share, in rank order,
  ///     before clipping and the optimizer. N ranks thus train as one process on `batchSize`,
  ///     up to float rounding, and a run repeats bit for bit; keep that run's learning rate.
  ///     Loss, metrics and validation are summed over the ranks, so callbacks decide the same
  ///     everywhere; only rank 0 prints and runs ``ModelCheckpoint``. Each rank draws its own
  ///     dropout masks from a stream derived from `seed`.
  /// - Returns: the per-epoch logs.
  /// - Throws: ``TrainingError`` (not compiled, non-finite loss), ``TrainingDataError``, and
  ///   ``DistributedError`` for ranks that disagree on the model or the data.
  ///
  /// ```swift
  /// try model.fit(x, y, batchSize: 128, epochs: 2, validationSplit: 0.2)
  /// try model.fit(x, y, batchSize: 128, epochs: 2, communicator: ranks[r])   // data-parallel
  /// ```
  @discardableResult
  public func fit(
    _ x: Tensor, _ y: Tensor, batchSize: Int = 32, epochs: Int = 1, verbose: Verbosity = .progressBar,
    validationData: (Tensor, Tensor)? = nil, validationSplit: Float = 0, shuffle: Bool = true,
    seed: UInt64 = 0, callbacks: [any Callback] = [], communicator: (any Communicator)? = nil
  ) throws -> History {
    try checkBatchSize(batchSize)
    guard (0..<1).contains(validationSplit) else {
      throw TrainingDataError.invalidArgument(name: "validationSplit", expected: "in [0, 1)", actual: "\(validationSplit)")
    }
    guard x.rank >= 1, y.rank >= 1, x.shape[0] == y.shape[0] else {
      throw TrainingDataError.sampleCountMismatch(inputs: x.rank >= 1 ? x.shape[0] : 0, targets: y.rank >= 1 ? y.shape[0] : 0)
    }
    var (trainX, trainY) = (x, y)
    var validation: Dataset?
    if let (vx, vy) = validationData {
      validation = try Dataset(tensorSlices: (vx, vy)).batch(batchSize)
    } else if validationSplit > 0 {
      let split = x.shape[0] - Int(Float(x.shape[0]) * validationSplit)
      guard split > 0, split < x.shape[0] else {
        throw TrainingDataError.invalidArgument(name: "validationSplit", expected: "to leave samples on both sides", actual: "\(validationSplit) of \(x.shape[0])")
      }
      validation = try Dataset(tensorSlices: (x[split...], y[split...])).batch(batchSize)
      (trainX, trainY) = (x[..<split], y[..<split])
    }
    var train = try Dataset(tensorSlices: (trainX, trainY))
    if shuffle { train = train.shuffle(bufferSize: train.sampleCount, seed: seed) }
    return try fit(
      train.batch(batchSize), epochs: epochs, verbose: verbose, validationData: validation, callbacks: callbacks,
      communicator: communicator)
  }

  /// Trains on the batches of `dataset` for `epochs` passes; on the ranks of `communicator`
  /// as ``fit(_:_:batchSize:epochs:verbose:validationData:validationSplit:shuffle:seed:callbacks:communicator:)``
  /// describes.
  ///
  /// ```swift
  /// let db = try Dataset(tensorSlices: (x, y)).shuffle(bufferSize: 1000, seed: 1).batch(128)
  /// try model.fit(db, epochs: 5, validationData: dbTest)
  /// ```
  @discardableResult
  public func fit(
    _ dataset: Dataset, epochs: Int = 1, verbose: Verbosity = .progressBar, validationData: Dataset? = nil,
    callbacks: [any Callback] = [], communicator: (any Communicator)? = nil
  ) throws -> History {
    guard let loss, optimizer != nil else { throw TrainingError.notCompiled }
    guard epochs > 0 else { throw TrainingDataError.invalidArgument(name: "epochs", expected: "at least 1", actual: "\(epochs)") }
    try validate(dataset)
    if let validationData { try validate(validationData) }
    guard dataset.batchCount > 0 else {
      throw TrainingDataError.invalidArgument(name: "batch size", expected: "at most the \(dataset.sampleCount) samples when dropping the remainder", actual: "\(dataset.batchSize)")
    }
    // On the ranks of a data-parallel job: one model everywhere, rank 0 alone prints and writes.
    let isRankZero = (communicator?.rank ?? 0) == 0
    if let communicator { try joinRanks(communicator, training: dataset, validation: validationData) }
    let verbose = isRankZero ? verbose : .silent
    let callbacks = isRankZero ? callbacks : callbacks.filter { !($0 is RankZeroCallback) }
    var history = History()
    stopTraining = false
    for callback in callbacks { try callback.onTrainBegin(model: self) }
    defer { for callback in callbacks { try? callback.onTrainEnd(model: self) } }
    epochLoop: for epoch in 0..<epochs {
      if verbose != .silent { print("Epoch \(epoch + 1)/\(epochs)") }
      var running = RunningLogs(metricNames: metrics.map(\.name))
      var bar = ProgressBar(total: dataset.batchCount, verbosity: verbose)
      for (step, (x, y)) in dataset.enumerated() {
        let result = try communicator.map { try trainStepShare(x, y, loss: loss, communicator: $0) } ?? trainStep(x, y)
        guard result.loss.isFinite || callbacks.contains(where: { $0 is TerminateOnNaN }) else {
          throw TrainingError.nonFiniteLoss(epoch: epoch + 1, step: step + 1, value: result.loss)
        }
        running.add(loss: result.loss, samples: x.shape[0], metrics: result.metrics)
        bar.update(step: step + 1, logs: running.logs)
        var batchLogs = Dictionary(uniqueKeysWithValues: running.logs)
        if !result.loss.isFinite { batchLogs["loss"] = result.loss }
        for callback in callbacks where try callback.onBatchEnd(step, logs: batchLogs, model: self) == .stop {
          stopTraining = true
        }
        if stopTraining { break }
      }
      var logs = running.logs
      if let validationData, !stopTraining {
        logs += try evaluate(validationData, communicator: communicator).sorted { $0.key < $1.key }
          .map { ("val_" + $0.key, $0.value) }
      }
      bar.finish(step: dataset.batchCount, logs: logs)
      let epochLogs = Dictionary(uniqueKeysWithValues: logs)
      history.record(epoch: epoch, logs: epochLogs)
      for callback in callbacks where try callback.onEpochEnd(epoch, logs: epochLogs, model: self) == .stop {
        stopTraining = true
      }
      if stopTraining { break epochLoop }
    }
    return history
  }

  /// Checks a dataset before training touches it: token ids against the first embedding
  /// the inputs reach (``firstEmbedding``), targets with the loss.
  func validate(_ dataset: Dataset) throws {
    guard let loss else { throw TrainingError.notCompiled }
    try firstEmbedding?.validate(dataset.features)
    let probe = self(dataset.features[0..<1])
    try loss.validate(predictionShape: [dataset.sampleCount] + probe.shape.dropFirst(), targets: dataset.labels)
  }

  /// The embedding that reads the model's raw inputs: the first ``Embedding`` found in
  /// declaration order (the first layer of a ``Sequential``), if any. Override to name
  /// another, or `nil` when inputs are not token ids.
  open var firstEmbedding: Embedding? { firstLayer(ofType: Embedding.self, in: self) }

  func checkBatchSize(_ batchSize: Int) throws {
    guard batchSize > 0 else {
      throw TrainingDataError.invalidArgument(name: "batchSize", expected: "at least 1", actual: "\(batchSize)")
    }
  }
}

/// Sample-weighted running means of the loss and metrics over an epoch, as Keras reports them.
struct RunningLogs {
  let metricNames: [String]
  private var lossTotal = 0.0
  private var samples = 0
  private var metricTotals: [(total: Double, count: Int)]

  init(metricNames: [String]) {
    self.metricNames = metricNames
    metricTotals = metricNames.map { _ in (0, 0) }
  }

  mutating func add(loss: Float, samples count: Int, metrics: [(total: Double, count: Int)]) {
    lossTotal += Double(loss) * Double(count)
    samples += count
    for (i, m) in metrics.enumerated() { metricTotals[i] = (metricTotals[i].total + m.total, metricTotals[i].count + m.count) }
  }

  /// Metrics first (sorted as Keras prints them), then the loss.
  var logs: [(String, Float)] {
    let metrics = zip(metricNames, metricTotals).map { ($0, Float($1.count > 0 ? $1.total / Double($1.count) : 0)) }
    return metrics.sorted { $0.0 < $1.0 } + [("loss", Float(samples > 0 ? lossTotal / Double(samples) : 0))]
  }
}

/// The first layer of type `T` in `root`'s stored properties, depth first in declaration order.
private func firstLayer<T: Layer>(ofType: T.Type, in root: Any) -> T? {
  for child in Mirror(reflecting: root).children {
    switch child.value {
    case let match as T: return match
    case let layer as any Layer: if let found = firstLayer(ofType: T.self, in: layer) { return found }
    case let layers as [any Layer]:
      for layer in layers {
        if let match = layer as? T { return match }
        if let found = firstLayer(ofType: T.self, in: layer) { return found }
      }
    default: continue
    }
  }
  return nil
}
