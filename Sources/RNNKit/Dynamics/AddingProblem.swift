/// The adding problem (Hochreiter & Schmidhuber 1997, in the form of Le et al. 2015): a
/// long-range memory task that gated cells learn and a simple RNN struggles with.
///
/// Each sample is a sequence of `length` pairs (value, marker): values uniform in [0, 1),
/// markers 0 except for exactly two 1s, one in each half of the sequence. The target is the
/// sum of the two marked values. Always predicting the mean (1) scores a mean squared error
/// of Var(u₁ + u₂) = 2/12 ≈ 0.167; a model that remembers does far better.
///
/// Shapes: inputs `[samples, length, 2]`, targets `[samples, 1]`.
///
/// ```swift
/// let (x, y) = AddingProblem.make(samples: 1000, length: 50, seed: 1)
/// ```
public enum AddingProblem {
  /// The mean squared error of always predicting the targets' mean, 1: 2/12.
  public static let baselineMeanSquaredError: Float = 2.0 / 12.0

  /// A seeded batch of adding-problem samples.
  ///
  /// - Parameters:
  ///   - samples: how many sequences.
  ///   - length: time steps per sequence (at least 2).
  ///   - seed: the same seed gives the same data.
  public static func make(samples: Int, length: Int, seed: UInt64) -> (inputs: Tensor, targets: Tensor) {
    precondition(samples > 0, "AddingProblem.make: samples must be positive, got \(samples)")
    precondition(length >= 2, "AddingProblem.make: length must be at least 2, got \(length)")
    var generator = RandomGenerator(seed: seed)
    let values = Tensor(randomUniform: [samples, length], using: &generator)
    let half = length / 2
    var markers = [Float](repeating: 0, count: samples * length)
    for s in 0..<samples {
      markers[s * length + Int(generator.next() % UInt64(half))] = 1
      markers[s * length + half + Int(generator.next() % UInt64(length - half))] = 1
    }
    let marks = Tensor(shape: [samples, length], scalars: markers)
    let inputs = Tensor(stacking: [values, marks], alongAxis: 2)
    return (inputs, (values * marks).sum(alongAxes: [1], keepingDimensions: true))
  }
}

extension AddingProblem {
  /// Which recurrent cell an adding-problem model uses.
  public enum Cell: String, Sendable, CaseIterable {
    case simple, lstm, gru
  }

  /// The model the tour trains: one recurrent layer of `units` and a linear read-out.
  ///
  /// ```swift
  /// let model = AddingProblem.model(cell: .lstm, units: 32, seed: 1)
  /// ```
  public static func model(cell: Cell, units: Int, seed: UInt64) -> Sequential {
    let recurrent: any Layer
    switch cell {
    case .simple: recurrent = SimpleRNN(units: units, seed: seed)
    case .lstm: recurrent = LSTM(units: units, seed: seed)
    case .gru: recurrent = GRU(units: units, seed: seed)
    }
    return Sequential { recurrent; Dense(units: 1, seed: seed &+ 1) }
  }

  /// Trains `model` with Adam on fresh adding-problem data and returns its test mean
  /// squared error (compare with ``baselineMeanSquaredError``).
  ///
  /// - Parameters:
  ///   - model: a model from ``model(cell:units:seed:)`` or your own `[batch, length, 2] → [batch, 1]`.
  ///   - length: the sequence length.
  ///   - trainSamples: the training set's size.
  ///   - testSamples: the test set's size.
  ///   - epochs: passes over the training set.
  ///   - batchSize: samples per step.
  ///   - learningRate: Adam's learning rate.
  ///   - verbose: progress output.
  ///   - seed: seeds the data.
  ///
  /// ```swift
  /// let mse = try AddingProblem.train(AddingProblem.model(cell: .gru, units: 32, seed: 1), length: 50)
  /// ```
  public static func train(
    _ model: Model, length: Int, trainSamples: Int = 4000, testSamples: Int = 500, epochs: Int = 20,
    batchSize: Int = 64, learningRate: Float = 0.003, verbose: Verbosity = .silent, seed: UInt64 = 1
  ) throws -> Float {
    let (x, y) = make(samples: trainSamples, length: length, seed: seed)
    let (xTest, yTest) = make(samples: testSamples, length: length, seed: seed &+ 1000)
    model.compile(optimizer: Adam(learningRate: learningRate, globalClipnorm: 1), loss: .meanSquaredError)
    try model.fit(x, y, batchSize: batchSize, epochs: epochs, verbose: verbose, seed: seed)
    return try model.evaluate(xTest, yTest, batchSize: 500)["loss"]!
  }
}
