import RNNKit

// One epoch of the tutorial's IMDB sentiment model through the public training API, on
// synthetic data of IMDB's shape — the same workload as Benchmarks/peers/bench-peers' "imdb" rows:
// 25,000 × 80 token ids from a vocabulary of 10,000, random 0/1 labels;
// Embedding(10000, 100) → 2 × RNN(64, dropout 0.5) → Dense(32) → Dropout(0.5) → ReLU →
// Dense(1, sigmoid); Adam(1e-3), binary cross-entropy, accuracy, batch 128, shuffled.

struct IMDBEpochWorkload {
  static let vocabulary = 10_000, time = 80, embeddingDim = 100, units = 64, batchSize = 128

  let cell: CellKind
  let samples: Int
  let x: Tensor
  let y: Tensor

  init(cell: CellKind, samples: Int, seed: UInt64 = 1) {
    self.cell = cell
    self.samples = samples
    // Ids in 1..<vocabulary (0 is padding), as bench-peers draws them.
    func integers(_ shape: [Int], below upper: Int, from lower: Int, seed: UInt64) -> Tensor {
      let uniform = Tensor(randomUniform: shape, lower: Float(lower), upper: Float(upper), seed: seed)
      return Tensor(shape: shape, scalars: uniform.scalars.map { min($0.rounded(.down), Float(upper - 1)) })
    }
    x = integers([samples, Self.time], below: Self.vocabulary, from: 1, seed: seed)
    y = integers([samples, 1], below: 2, from: 0, seed: seed &+ 1)
  }

  /// The problem size of one training step (for the table's B, T, D, H columns).
  static var size: ProblemSize { ProblemSize(name: "imdb", B: batchSize, T: time, D: embeddingDim, H: units) }

  /// A freshly initialised, compiled model.
  func model() -> SentimentClassifier {
    let kind: SentimentClassifier.Cell
    switch cell {
    case .simple: kind = .simple
    case .lstm: kind = .lstm
    case .gru: kind = .gru
    }
    let model = SentimentClassifier(cell: kind, vocabulary: Self.vocabulary, embeddingDim: Self.embeddingDim, units: Self.units)
    model.compile(optimizer: Adam(learningRate: 1e-3), loss: .binaryCrossentropy, metrics: [.accuracy])
    return model
  }

  /// Times `epochs` epochs (ms each) after a warm-up fit on two full batches and one of
  /// the epoch's last-batch size, as bench-peers warms Keras up.
  func measure(epochs: Int) throws -> (milliseconds: [Double], lastLoss: Float, lastAccuracy: Float) {
    let model = model()
    let warm = min(samples, 2 * Self.batchSize + samples % Self.batchSize)
    try model.fit(x[..<warm], y[..<warm], batchSize: Self.batchSize, epochs: 1, verbose: .silent)
    var times: [Double] = [], loss: Float = .nan, accuracy: Float = .nan
    let clock = ContinuousClock()
    for epoch in 0..<epochs {
      var history: History?
      times.append(try clock.measure {
        history = try model.fit(x, y, batchSize: Self.batchSize, epochs: 1, verbose: .silent, seed: UInt64(epoch))
      }.milliseconds)
      loss = history?.history["loss"]?.last ?? .nan
      accuracy = history?.history["accuracy"]?.last ?? .nan
    }
    return (times, loss, accuracy)
  }
}
