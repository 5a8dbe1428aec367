import ArgumentParser
import Foundation
import RNNKit
import RNNKitDistributed

/// `rnnkit mpi-check`: data-parallel training across an MPI job, checked against one process.
struct MPICheckCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "mpi-check",
    abstract: "Checks data-parallel training under mpirun against a single process.",
    discussion: """
      Run as `mpirun -np N rnnkit mpi-check`. Every rank trains a small masked LSTM
      classifier on a fixed synthetic data set with the global batch split across the ranks;
      rank 0 then trains the same model in one process and compares the weights. Prints the
      largest difference and a digest of the weights (two runs must print the same digest),
      and exits 1 if the difference exceeds 1e-5.
      """
  )

  @Option(help: "Epochs of the check.") var epochs = 3

  func run() throws { try printReportingErrors(check) }

  /// The check's report on rank 0, "" on the other ranks.
  func check() throws -> String {
    let world = try MPICommunicator()
    do { return try check(on: world) } catch { world.abort(reporting: error) }
  }

  private func check(on world: MPICommunicator) throws -> String {
    setThreadCount(1)
    let distributed = Self.model(seed: world.rank == 0 ? 1 : 100 + UInt64(world.rank))
    try distributed.fit(Self.x, Self.y, batchSize: 12, epochs: epochs, verbose: .silent, seed: 5, communicator: world)
    guard world.rank == 0 else { return "" }
    let single = Self.model(seed: 1)
    try single.fit(Self.x, Self.y, batchSize: 12, epochs: epochs, verbose: .silent, seed: 5)
    let difference = zip(distributed.getWeights(), single.getWeights())
      .flatMap { zip($0.scalars, $1.scalars).map { Swift.abs($0 - $1) } }.max() ?? 0
    let verdict = difference <= 1e-5 ? "PASS" : "FAIL"
    let report = String(
      format: "mpi-check: %d ranks, max |distributed - single process| = %.3g, weights digest %016llx, %@",
      world.size, difference, Self.digest(distributed.getWeights()), verdict)
    guard difference <= 1e-5 else {
      FileHandle.standardError.write(Data((report + "\n").utf8))
      throw ExitCode.failure
    }
    return report
  }

  /// A masked LSTM classifier with SGD (momentum, clipping): its step scales with the
  /// gradient, so a wrong average shows.
  static func model(seed: UInt64) -> Sequential {
    let model = Sequential {
      Embedding(inputDim: 20, outputDim: 5, maskZero: true, seed: seed)
      LSTM(units: 4, seed: seed + 1)
      Dense(units: 1, activation: .sigmoid, seed: seed + 2)
    }
    model.compile(optimizer: SGD(learningRate: 0.5, momentum: 0.9, clipnorm: 0.5), loss: BinaryCrossentropy(), metrics: [BinaryAccuracy()])
    return model
  }

  /// 26 samples (12 + 12 + 2: the last global batch leaves a rank of 3 without rows) of 6
  /// token ids, 0–2 padded steps in front.
  static let x: Tensor = {
    var generator = RandomGenerator(seed: 7)
    return Tensor(shape: [26, 6], scalars: (0..<(26 * 6)).map { i in
      i % 6 < (i / 6) % 3 ? 0 : Float(1 + generator.next() % 19)
    })
  }()
  static let y = Tensor(shape: [26, 1], scalars: (0..<26).map { Float(($0 * 7) % 3 == 0 ? 1 : 0) })

  /// FNV-1a over the weights' bits: equal digests, equal weights.
  static func digest(_ weights: [Tensor]) -> UInt64 {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for w in weights {
      for s in w.scalars {
        hash ^= UInt64(s.bitPattern)
        hash = hash &* 0x100_0000_01B3
      }
    }
    return hash
  }
}
