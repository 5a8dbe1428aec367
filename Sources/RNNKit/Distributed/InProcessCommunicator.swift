import Foundation

/// Ranks that are threads of one process, exchanging values through shared memory: the
/// whole data-parallel logic under `swift test`, without `mpirun`. Create the ranks
/// together and run each on a `Thread` of its own: a rank blocks in every collective until
/// all have joined, so a shared pool narrower than the group (`concurrentPerform` on two
/// cores with three ranks) would deadlock. A rank that fails calls ``abort()``.
///
/// ```swift
/// let ranks = InProcessCommunicator.group(size: 2)
/// for communicator in ranks {
///   Thread { _ = try? communicator.allReduceSum([Float(communicator.rank + 1)]) }.start()   // [3] on both
/// }
/// ```
public final class InProcessCommunicator: Communicator, @unchecked Sendable {
  public let rank: Int
  public var size: Int { group.size }
  private let group: Group

  private init(rank: Int, group: Group) {
    self.rank = rank
    self.group = group
  }

  /// `size` ranks sharing one exchange; rank r is element r.
  public static func group(size: Int) -> [InProcessCommunicator] {
    precondition(size >= 1, "InProcessCommunicator.group: size must be at least 1, got \(size)")
    let group = Group(size: size)
    return (0..<size).map { InProcessCommunicator(rank: $0, group: group) }
  }

  /// Ends the group: every rank waiting in a collective, and every later call, throws
  /// ``DistributedError/transport(_:)`` — what a failing rank calls so that the others stop
  /// instead of waiting for it (as `MPI_Abort` ends an MPI job).
  ///
  /// ```swift
  /// do { try model.fit(x, y, batchSize: 12, communicator: ranks[r]) } catch { ranks[r].abort(); throw error }
  /// ```
  public func abort() { group.abort(by: rank) }

  public func allGather(_ values: [Float]) throws -> [[Float]] {
    let all = try group.exchange(rank: rank, values: values)
    try checkCounts(all, operation: "allGather")
    return all
  }

  public func broadcast(_ values: [Float], root: Int) throws -> [Float] {
    let all = try group.exchange(rank: rank, values: values)
    try checkCounts(all, operation: "broadcast")
    return all[root]
  }

  private func checkCounts(_ all: [[Float]], operation: String) throws {
    if let r = all.indices.first(where: { all[$0].count != all[0].count }) {
      throw DistributedError.countMismatch(operation: operation, rank: r, count: all[r].count, rootCount: all[0].count)
    }
  }

  /// One rendezvous at a time: every rank deposits its values, all read all, and the last
  /// to leave opens the next round.
  final class Group: @unchecked Sendable {
    let size: Int
    private let condition = NSCondition()
    private var slots: [[Float]?]
    private var arrived = 0
    private var departed = 0
    private var draining = false
    private var abortedBy: Int?

    init(size: Int) {
      self.size = size
      slots = Array(repeating: nil, count: size)
    }

    func abort(by rank: Int) {
      condition.lock()
      defer { condition.unlock() }
      if abortedBy == nil { abortedBy = rank }
      condition.broadcast()
    }

    func exchange(rank: Int, values: [Float]) throws -> [[Float]] {
      condition.lock()
      defer { condition.unlock() }
      func checkAborted() throws {
        if let r = abortedBy { throw DistributedError.transport("rank \(r) left the group") }
      }
      while draining && abortedBy == nil { condition.wait() }
      try checkAborted()
      slots[rank] = values
      arrived += 1
      if arrived == size {
        draining = true
        condition.broadcast()
      } else {
        while !draining && abortedBy == nil { condition.wait() }
        try checkAborted()
      }
      let all = slots.map { $0 ?? [] }
      departed += 1
      if departed == size {
        slots = Array(repeating: nil, count: size)
        (arrived, departed, draining) = (0, 0, false)
        condition.broadcast()
      }
      return all
    }
  }
}
