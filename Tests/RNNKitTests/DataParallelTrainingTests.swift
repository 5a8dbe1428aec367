import Foundation
import Testing

@testable import RNNKit
@testable import RNNKitCLI

/// Data-parallel training on in-process ranks: N ranks on a global batch B train the same
/// model as one process on batch B, repeat bit for bit, and stop together on bad input.
@Suite struct DataParallelTrainingTests {
  /// Runs `body` once per rank, each on its own thread (a rank blocks in collectives, so a
  /// shared pool narrower than the group could deadlock), and returns the results by rank.
  static func runRanks<T: Sendable>(_ size: Int, _ body: @escaping @Sendable (InProcessCommunicator) throws -> T) throws -> [T] {
    let ranks = InProcessCommunicator.group(size: size)
    let results = Results<T>(size: size)
    let done = DispatchGroup()
    for communicator in ranks {
      done.enter()
      let thread = Thread {
        let result = Result { try body(communicator) }
        if case .failure = result { communicator.abort() }  // the others must not wait for this rank
        results.set(communicator.rank, result)
        done.leave()
      }
      thread.stackSize = 8 << 20
      thread.start()
    }
    done.wait()
    return try results.values.map { try $0!.get() }
  }

  final class Results<T>: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var values: [Result<T, any Error>?]
    init(size: Int) { values = Array(repeating: nil, count: size) }
    func set(_ i: Int, _ value: Result<T, any Error>) { lock.withLock { values[i] = value } }
  }

  // The model and data of `rnnkit mpi-check`, which runs the same check under mpirun.
  static func model(seed: UInt64) -> Sequential { MPICheckCommand.model(seed: seed) }
  static let x = MPICheckCommand.x
  static let y = MPICheckCommand.y

  @Test(arguments: [2, 3])
  func ranksTrainAsOneProcessOnTheGlobalBatch(_ size: Int) throws {
    let single = Self.model(seed: 1)
    let reference = try single.fit(Self.x, Self.y, batchSize: 12, epochs: 3, verbose: .silent, seed: 5)
    let results = try Self.runRanks(size) { communicator in
      // Ranks other than 0 start from other weights: the broadcast must replace them.
      let model = Self.model(seed: communicator.rank == 0 ? 1 : 100 + UInt64(communicator.rank))
      let history = try model.fit(Self.x, Self.y, batchSize: 12, epochs: 3, verbose: .silent, seed: 5, communicator: communicator)
      return (model.getWeights().map(\.scalars), history.history["loss"]!)
    }
    for (rank, (weights, losses)) in results.enumerated() {
      #expect(weights == results[0].0, "rank \(rank) ends with rank 0's weights, bit for bit")
      for (w, expected) in zip(weights, single.getWeights()) {
        let difference = zip(w, expected.scalars).map { Swift.abs($0 - $1) }.max() ?? 0
        #expect(difference <= 1e-5, "rank \(rank): max |distributed − single| = \(difference)")
      }
      for (l, expected) in zip(losses, reference.history["loss"]!) { #expect(Swift.abs(l - expected) <= 1e-5) }
    }
    let again = try Self.runRanks(size) { communicator in
      let model = Self.model(seed: communicator.rank == 0 ? 1 : 100 + UInt64(communicator.rank))
      try model.fit(Self.x, Self.y, batchSize: 12, epochs: 3, verbose: .silent, seed: 5, communicator: communicator)
      return model.getWeights().map(\.scalars)
    }
    #expect(again[0] == results[0].0, "a second run repeats the first bit for bit")
  }

  @Test(arguments: [2, 3])
  func embeddingGradientsAsRowsGiveTheDenseResult(_ size: Int) throws {
    let results = try Self.runRanks(size) { communicator -> [[[Float]]] in
      try [false, true].map { sparse in
        let model = Self.model(seed: 1)
        model.sparseEmbeddingGradients = sparse
        try model.fit(Self.x, Self.y, batchSize: 12, epochs: 3, verbose: .silent, seed: 5, communicator: communicator)
        return model.getWeights().map(\.scalars)
      }
    }
    for (rank, pair) in results.enumerated() {
      #expect(pair[1] == pair[0], "rank \(rank): rows and the dense matrix train the same weights, bit for bit")
    }
  }

  @Test func ranksDropDifferentUnitsAndRepeatExactly() throws {
    func run() throws -> [(weights: [[Float]], mask: [Float])] {
      try Self.runRanks(2) { communicator in
        let model = Sequential {
          Embedding(inputDim: 20, outputDim: 5, maskZero: true, seed: 1)
          LSTM(units: 4, dropout: 0.3, recurrentDropout: 0.3, seed: 2)
          Dropout(rate: 0.5, seed: 3)
          Dense(units: 1, activation: .sigmoid, seed: 4)
        }
        model.compile(optimizer: Adam(learningRate: 0.01), loss: BinaryCrossentropy())
        try model.fit(Self.x, Self.y, batchSize: 12, epochs: 2, verbose: .silent, seed: 9, communicator: communicator)
        let dropout = try #require(model.layers[2] as? Dropout)
        return (model.getWeights().map(\.scalars), dropout(Tensor(ones: [64]), training: true).scalars)
      }
    }
    let first = try run()
    let second = try run()
    #expect(first[0].weights == first[1].weights, "the ranks hold one model")
    #expect(first[0].mask != first[1].mask, "each rank draws its own dropout masks")
    #expect(first[0].weights == second[0].weights && first[1].mask == second[1].mask, "a second run repeats the first")
  }

  @Test func ranksThatDisagreeStopTogetherNamingBothSides() throws {
    let results = try Self.runRanks(2) { communicator -> String in
      let model = Sequential {
        Embedding(inputDim: 20, outputDim: communicator.rank == 0 ? 5 : 6, seed: 1)
        LSTM(units: 4, seed: 2)
        Dense(units: 1, activation: .sigmoid, seed: 3)
      }
      model.compile(optimizer: Adam(), loss: BinaryCrossentropy())
      do {
        try model.fit(Self.x, Self.y, batchSize: 12, verbose: .silent, communicator: communicator)
        return "trained"
      } catch {
        return "\(error)"
      }
    }
    #expect(results[0] == results[1])
    #expect(results[0].contains("the ranks disagree on the model's parameter shapes: rank 1 has"), "\(results[0])")
    #expect(results[0].contains("[20, 6]") && results[0].contains("[20, 5]"))

    let data = try Self.runRanks(2) { communicator -> String in
      let rows = communicator.rank == 0 ? 26 : 24
      do {
        try Self.model(seed: 1).fit(
          Self.x[0..<rows], Self.y[0..<rows], batchSize: 12, verbose: .silent, communicator: communicator)
        return "trained"
      } catch {
        return "\(error)"
      }
    }
    #expect(data[0] == data[1] && data[0].contains("the ranks disagree on the data (x and y shapes, then validation): rank 1 has shapes [[24, 6], [24, 1]], rank 0 has shapes [[26, 6], [26, 1]]"), "\(data[0])")
    #expect(throws: DistributedError.self) {
      try Self.model(seed: 1).fit(Self.x, Self.y, batchSize: 13, verbose: .silent, communicator: InProcessCommunicator.group(size: 2)[0])
    }
  }

  @Test func validationAndCallbacksDecideTheSameOnEveryRank() throws {
    let single = Self.model(seed: 1)
    let reference = try single.fit(
      Self.x, Self.y, batchSize: 12, epochs: 4, verbose: .silent, validationSplit: 0.25, seed: 5,
      callbacks: [EarlyStopping(monitor: "val_loss", patience: 1)])
    let histories = try Self.runRanks(2) { communicator in
      try Self.model(seed: 1).fit(
        Self.x, Self.y, batchSize: 12, epochs: 4, verbose: .silent, validationSplit: 0.25, seed: 5,
        callbacks: [EarlyStopping(monitor: "val_loss", patience: 1)], communicator: communicator
      ).history
    }
    #expect(histories[0] == histories[1], "every rank logs the same")
    #expect(Set(histories[0].keys) == Set(reference.history.keys) && reference.history.keys.contains("val_loss"))
    for key in reference.history.keys {
      let (ours, theirs) = (histories[0][key] ?? [], reference.history[key] ?? [])
      #expect(ours.count == theirs.count, "\(key): the same epochs (EarlyStopping)")
      for (a, b) in zip(ours, theirs) { #expect(Swift.abs(a - b) <= 1e-5, "\(key): \(a) against \(b)") }
    }
  }

  @Test func aCheckpointLoadedOnRankZeroResumesEverywhere() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rnnkit-resume-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let checkpoint = directory.appendingPathComponent("epoch1.safetensors")
    let first = Self.model(seed: 1)
    try first.fit(Self.x, Self.y, batchSize: 12, epochs: 1, verbose: .silent, seed: 5)
    try first.saveCheckpoint(to: checkpoint, epoch: 1)
    try first.fit(Self.x, Self.y, batchSize: 12, epochs: 1, verbose: .silent, seed: 6)

    let resumed = try Self.runRanks(2) { communicator in
      let model = Self.model(seed: 1)
      if communicator.rank == 0 {
        _ = model(Self.x[0..<1])  // build the layers, as a checkpoint needs
        try model.loadCheckpoint(from: checkpoint)
      }
      try model.fit(Self.x, Self.y, batchSize: 12, epochs: 1, verbose: .silent, seed: 6, communicator: communicator)
      return (model.getWeights().map(\.scalars), (model.optimizer as? SGD)?.iterations ?? -1)
    }
    for (rank, (weights, iterations)) in resumed.enumerated() {
      #expect(iterations == 6, "rank \(rank): 3 steps before the checkpoint, 3 after")
      for (w, expected) in zip(weights, first.getWeights()) {
        let difference = zip(w, expected.scalars).map { Swift.abs($0 - $1) }.max() ?? 0
        #expect(difference <= 1e-5, "rank \(rank): resumed against uninterrupted: \(difference)")
      }
    }
  }

  @Test func shardsTakeEveryNthSample() throws {
    let data = try Dataset(tensorSlices: (Tensor(shape: [7, 1], scalars: (0..<7).map(Float.init)), Tensor(zeros: [7, 1])))
    #expect(try data.shard(count: 3, index: 1).features.scalars == [1, 4])
    #expect(try data.shard(count: 3, index: 0).features.scalars == [0, 3, 6])
    #expect(throws: TrainingDataError.self) { try data.shard(count: 3, index: 3) }
    #expect(throws: TrainingDataError.self) { try data.shard(count: 8, index: 7) }
  }

  @Test func aRankThatFailsStopsTheOthers() throws {
    let results = try Self.runRanks(2) { communicator -> String in
      do {
        if communicator.rank == 1 { throw DistributedError.invalidSetting(name: "test", expected: "-", actual: "rank 1 fails") }
        _ = try communicator.allGather([1])
        return "gathered"
      } catch {
        communicator.abort()
        return "\(error)"
      }
    }
    #expect(results[0] == "communication failed: rank 1 left the group")
  }

  @Test func collectivesSumInRankOrder() throws {
    let sums = try Self.runRanks(3) { c in try c.allReduceSum([Float(c.rank + 1), 0.1 * Float(c.rank)]) }
    #expect(sums.allSatisfy { $0 == sums[0] } && sums[0][0] == 6)
    let broadcast = try Self.runRanks(3) { c in try c.broadcast([Float(c.rank)], root: 2) }
    #expect(broadcast == [[2], [2], [2]])
    let mismatch = try Self.runRanks(2) { c -> String in
      do { _ = try c.allGather(Array(repeating: 1, count: c.rank + 1)); return "ok" } catch { return "\(error)" }
    }
    #expect(mismatch == Array(repeating: "allGather: rank 1 gave 2 values, rank 0 gave 1", count: 2))
    #expect(try SingleProcessCommunicator().allReduceSum([1, 2]) == [1, 2])
  }
}
