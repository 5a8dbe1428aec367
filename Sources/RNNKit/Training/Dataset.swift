/// Batches of (features, labels) for training, like `tf.data.Dataset.from_tensor_slices`.
///
/// Built from two tensors whose first axis indexes samples; `shuffle` and `batch` return
/// new datasets, so the tutorial's pipeline reads the same:
///
/// ```swift
/// let dbTrain = Dataset(tensorSlices: (xTrain, yTrain))
///   .shuffle(bufferSize: 1000, seed: 7)
///   .batch(128, dropRemainder: true)
/// for (x, y) in dbTrain { … }                 // x: [128, …], y: [128, …]
/// ```
///
/// Shuffling is reshuffled on each pass (TensorFlow's default), repeatably: pass `k` of a
/// dataset with seed `s` always gives the same order.
public struct Dataset: Sequence, Sendable {
  /// All features, `[samples, …]`.
  public let features: Tensor
  /// All labels, `[samples, …]`.
  public let labels: Tensor
  /// Samples per batch (1 when never batched: each element is one sample with a batch axis of 1).
  public private(set) var batchSize = 1
  /// Whether a last, smaller batch is dropped.
  public private(set) var dropRemainder = false
  private var shuffleBuffer: Int?
  private(set) var shuffleSeed: UInt64 = 0
  /// How many times this dataset value has been iterated, for reshuffling.
  private let passCounter = PassCounter()

  /// A dataset of `(features[i], labels[i])` pairs.
  ///
  /// - Throws: ``TrainingDataError`` when the sample counts differ or there are no samples.
  public init(tensorSlices: (Tensor, Tensor)) throws {
    let (x, y) = tensorSlices
    guard x.rank >= 1, y.rank >= 1 else { throw TrainingDataError.empty("dataset") }
    guard x.shape[0] == y.shape[0] else {
      throw TrainingDataError.sampleCountMismatch(inputs: x.shape[0], targets: y.shape[0])
    }
    guard x.shape[0] > 0 else { throw TrainingDataError.empty("dataset") }
    features = x
    labels = y
  }

  /// The number of samples.
  public var sampleCount: Int { features.shape[0] }

  /// The number of batches one pass yields.
  public var batchCount: Int {
    dropRemainder ? sampleCount / batchSize : (sampleCount + batchSize - 1) / batchSize
  }

  /// The samples in a random order, drawn through a buffer of `bufferSize` like
  /// `tf.data.Dataset.shuffle` (a buffer at least the dataset's size is a full shuffle).
  ///
  /// ```swift
  /// let shuffled = dataset.shuffle(bufferSize: 10_000, seed: 1)
  /// ```
  public func shuffle(bufferSize: Int, seed: UInt64) -> Dataset {
    precondition(bufferSize > 0, "Dataset.shuffle: bufferSize must be positive, got \(bufferSize)")
    var copy = self
    copy.shuffleBuffer = bufferSize
    copy.shuffleSeed = seed
    return copy
  }

  /// Every `count`-th sample starting at `index` (samples index, index + count, …), like
  /// tf.data's `shard`: the part of a data set one of `count` workers reads. Shard before
  /// shuffling and batching. (Data-parallel `fit(…, communicator:)` splits each global
  /// batch itself and needs no shard.)
  ///
  /// - Throws: ``TrainingDataError/invalidArgument(name:expected:actual:)`` when `index` is
  ///   not in `0..<count` or the shard would be empty.
  ///
  /// ```swift
  /// let mine = try dataset.shard(count: 4, index: 1)   // samples 1, 5, 9, …
  /// ```
  public func shard(count: Int, index: Int) throws -> Dataset {
    guard count >= 1, (0..<count).contains(index) else {
      throw TrainingDataError.invalidArgument(name: "shard index", expected: "in 0..<\(count) with count ≥ 1", actual: "\(index) of \(count)")
    }
    let rows = Array(stride(from: index, to: sampleCount, by: count))
    guard !rows.isEmpty else {
      throw TrainingDataError.invalidArgument(name: "shard", expected: "at least one of the \(sampleCount) samples", actual: "none for index \(index) of \(count)")
    }
    var copy = try Dataset(tensorSlices: (features.gathering(rows: rows), labels.gathering(rows: rows)))
    (copy.batchSize, copy.dropRemainder, copy.shuffleBuffer, copy.shuffleSeed) = (batchSize, dropRemainder, shuffleBuffer, shuffleSeed)
    return copy
  }

  /// Consecutive samples grouped into batches of `size`; the last one is smaller unless
  /// `dropRemainder` is set.
  ///
  /// ```swift
  /// let batches = dataset.batch(128, dropRemainder: true)
  /// ```
  public func batch(_ size: Int, dropRemainder: Bool = false) -> Dataset {
    precondition(size > 0, "Dataset.batch: the batch size must be positive, got \(size)")
    var copy = self
    copy.batchSize = size
    copy.dropRemainder = dropRemainder
    return copy
  }

  /// The sample order of pass `pass`.
  func order(pass: Int) -> [Int] {
    guard let buffer = shuffleBuffer else { return Array(0..<sampleCount) }
    var rng = RandomGenerator(seed: shuffleSeed &+ UInt64(pass) &* 0x9E37_79B9_7F4A_7C15)
    // TensorFlow's buffered shuffle: keep `buffer` candidates, emit a random one, refill.
    var pool: [Int] = []
    var order: [Int] = []
    order.reserveCapacity(sampleCount)
    var next = 0
    while next < sampleCount && pool.count < buffer {
      pool.append(next)
      next += 1
    }
    while !pool.isEmpty {
      let pick = Int(rng.next() % UInt64(pool.count))
      order.append(pool[pick])
      if next < sampleCount {
        pool[pick] = next
        next += 1
      } else {
        pool.swapAt(pick, pool.count - 1)
        pool.removeLast()
      }
    }
    return order
  }

  /// Iterates one pass of batches.
  public func makeIterator() -> Iterator {
    Iterator(dataset: self, order: order(pass: passCounter.next()))
  }

  /// Yields `(features, labels)` batches of one pass.
  public struct Iterator: IteratorProtocol {
    let dataset: Dataset
    let order: [Int]
    var position = 0

    public mutating func next() -> (Tensor, Tensor)? {
      let remaining = order.count - position
      let size = Swift.min(dataset.batchSize, remaining)
      guard size > 0, !(dataset.dropRemainder && size < dataset.batchSize) else { return nil }
      let rows = Array(order[position..<(position + size)])
      position += size
      return (dataset.features.gathering(rows: rows), dataset.labels.gathering(rows: rows))
    }
  }
}

/// Counts passes over a dataset (shared by its copies, so each `for` loop reshuffles).
final class PassCounter: @unchecked Sendable {
  private var count = 0
  func next() -> Int {
    defer { count += 1 }
    return count
  }
}
