import Foundation

/// The collective operations of the processes ("ranks") that train one model together,
/// the way PyTorch DDP and Horovod see MPI: every rank calls the same operations in the same
/// order, and each returns when all ranks have taken part.
///
/// RNNKit needs two primitives; the reductions are built on them in rank order, so a sum
/// never depends on which rank's data arrived first and a run repeats bit for bit.
///
/// Implementations: ``SingleProcessCommunicator`` (one rank, the default),
/// ``InProcessCommunicator`` (threads of one process, for tests and experiments), and
/// `MPICommunicator` in the `RNNKitDistributed` product (Open MPI, across machines).
///
/// ```swift
/// let total = try communicator.allReduceSum([1, 2, 3])   // on 2 ranks: [2, 4, 6] everywhere
/// ```
public protocol Communicator: AnyObject {
  /// This process's index, `0..<size`; rank 0 prints and writes files.
  var rank: Int { get }
  /// The number of ranks.
  var size: Int { get }

  /// Every rank's `values`, indexed by rank, on every rank.
  ///
  /// - Throws: ``DistributedError`` when ranks give different counts (naming both), or the
  ///   transport fails.
  func allGather(_ values: [Float]) throws -> [[Float]]

  /// `root`'s `values` on every rank (the others' arguments give only the count).
  ///
  /// - Throws: ``DistributedError`` when ranks give different counts, or the transport fails.
  func broadcast(_ values: [Float], root: Int) throws -> [Float]
}

extension Communicator {
  /// The element-wise sum of every rank's `values`, added in rank order (0 + 1 + …), so the
  /// result is the same bits on every rank and in every run, whatever the timing. Built on
  /// ``allGather(_:)``: N copies of the buffer travel instead of a ring's 2(N−1)/N, the
  /// price of a summation order RNNKit controls.
  ///
  /// ```swift
  /// let gradients = try communicator.allReduceSum(localGradients)
  /// ```
  public func allReduceSum(_ values: [Float]) throws -> [Float] {
    sumInRankOrder(try allGather(values))
  }

  /// Returns when every rank has called it.
  public func barrier() throws { _ = try allGather([]) }

  /// Checks that every rank gives the same `values` (for instance the model's parameter
  /// shapes), so ranks that disagree stop with an error instead of hanging in a collective.
  ///
  /// - Throws: ``DistributedError/ranksDisagree(what:rank:value:rootValue:)`` naming the
  ///   first rank that differs from rank 0 and both values.
  public func checkAgreement(_ values: [Float], what: String, describe: ([Float]) -> String) throws {
    let all = try allGather(values)
    if let (r, differing) = all.enumerated().first(where: { $0.element != all[0] }) {
      throw DistributedError.ranksDisagree(what: what, rank: r, value: describe(differing), rootValue: describe(all[0]))
    }
  }
}

/// The element-wise sum of equally long buffers, added in their order (rank 0 first).
func sumInRankOrder(_ parts: [[Float]]) -> [Float] {
  guard var total = parts.first.map({ Tensor(shape: [$0.count], scalars: $0) }), parts.count > 1 else {
    return parts.first ?? []
  }
  for part in parts.dropFirst() { total = total + Tensor(shape: [part.count], scalars: part) }
  return total.scalars
}

/// A communicator of one rank: every collective returns its own input. The default.
public final class SingleProcessCommunicator: Communicator {
  public let rank = 0
  public let size = 1

  /// The one-rank communicator.
  public init() {}

  public func allGather(_ values: [Float]) throws -> [[Float]] { [values] }
  public func broadcast(_ values: [Float], root: Int) throws -> [Float] { values }
}

/// What goes wrong between ranks.
public enum DistributedError: Error, CustomStringConvertible, Equatable {
  /// Ranks called a collective with different counts of values.
  case countMismatch(operation: String, rank: Int, count: Int, rootCount: Int)
  /// Ranks disagree on something that must be the same everywhere (model, data, batch).
  case ranksDisagree(what: String, rank: Int, value: String, rootValue: String)
  /// A setting that cannot be split across the ranks.
  case invalidSetting(name: String, expected: String, actual: String)
  /// The transport (MPI) failed.
  case transport(String)

  public var description: String {
    switch self {
    case .countMismatch(let operation, let rank, let count, let rootCount):
      return "\(operation): rank \(rank) gave \(count) values, rank 0 gave \(rootCount)"
    case .ranksDisagree(let what, let rank, let value, let rootValue):
      return "the ranks disagree on \(what): rank \(rank) has \(value), rank 0 has \(rootValue)"
    case .invalidSetting(let name, let expected, let actual):
      return "\(name): expected \(expected), got \(actual)"
    case .transport(let message):
      return "communication failed: \(message)"
    }
  }
}
