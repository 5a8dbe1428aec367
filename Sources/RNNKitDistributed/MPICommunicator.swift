import CMPI
import Foundation
import RNNKit

/// The ranks of an MPI job (Open MPI), for `Model.fit(_:_:…, communicator:)`
/// across processes and machines: start the program with `mpirun -np N`.
///
/// MPI is initialised on first use (funnelled: call it from one thread) and finalised by
/// ``finalize()`` or at exit. Collectives first exchange their counts, so ranks that call
/// with different sizes get a `DistributedError` on every rank instead of a hang; the
/// reductions are RNNKit's own, in rank order over `MPI_Allgather`, so they repeat bit for
/// bit whatever algorithm Open MPI picks.
///
/// ```swift
/// let world = try MPICommunicator()
/// try model.fit(x, y, batchSize: 128, epochs: 2, communicator: world)
/// if world.rank == 0 { try model.saveKeras(url) }
/// ```
public final class MPICommunicator: Communicator {
  public let rank: Int
  public let size: Int

  /// Joins the MPI job this process was started in (a job of one without `mpirun`).
  ///
  /// - Throws: `DistributedError.transport` when MPI cannot start.
  public init() throws {
    guard rk_mpi_initialize() == MPI_SUCCESS else { throw DistributedError.transport("MPI_Init_thread failed") }
    _ = Self.finalizeAtExit
    rank = Int(rk_mpi_rank())
    size = Int(rk_mpi_size())
    guard rank >= 0, size >= 1 else { throw DistributedError.transport("MPI reports rank \(rank) of \(size)") }
  }

  /// Registers MPI's finalisation at exit, once however many communicators are made.
  private static let finalizeAtExit: Void = { atexit { rk_mpi_finalize() } }()

  /// Whether this process was started by Open MPI's `mpirun` (its environment is set).
  public static var isUnderMPIRun: Bool {
    ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_SIZE"] != nil
  }

  /// The job's size as `mpirun` set it, without initialising MPI.
  public static var launchedSize: Int? {
    ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_SIZE"].flatMap { Int($0) }
  }

  /// Finalises MPI; call once, after the last collective.
  public static func finalize() { rk_mpi_finalize() }

  /// Ends every rank of the job (`MPI_Abort`) after printing `error` to standard error, as
  /// `Error: rank r: …`. What a rank that cannot go on must do: the others would otherwise
  /// wait for it in their next collective forever.
  ///
  /// ```swift
  /// do { try model.fit(x, y, batchSize: 128, communicator: world) } catch { world.abort(reporting: error) }
  /// ```
  public func abort(reporting error: any Error, code: Int32 = 1) -> Never {
    FileHandle.standardError.write(Data("Error: rank \(rank): \(error)\n".utf8))
    rk_mpi_abort(code)
    exit(code)
  }

  public func allGather(_ values: [Float]) throws -> [[Float]] {
    try checkCounts(values.count, operation: "allGather")
    guard !values.isEmpty else { return Array(repeating: [], count: size) }
    guard values.count <= Int(Int32.max) else { throw DistributedError.transport("allGather of \(values.count) floats") }
    var out = [Float](repeating: 0, count: values.count * size)
    let status = values.withUnsafeBufferPointer { v in
      out.withUnsafeMutableBufferPointer { rk_mpi_allgather_floats(v.baseAddress, Int32(values.count), $0.baseAddress) }
    }
    guard status == MPI_SUCCESS else { throw DistributedError.transport("MPI_Allgather returned \(status)") }
    return (0..<size).map { Array(out[($0 * values.count)..<(($0 + 1) * values.count)]) }
  }

  public func broadcast(_ values: [Float], root: Int) throws -> [Float] {
    try checkCounts(values.count, operation: "broadcast")
    var buffer = values
    guard !buffer.isEmpty else { return buffer }
    let status = buffer.withUnsafeMutableBufferPointer { rk_mpi_broadcast_floats($0.baseAddress, Int32($0.count), Int32(root)) }
    guard status == MPI_SUCCESS else { throw DistributedError.transport("MPI_Bcast returned \(status)") }
    return buffer
  }

  /// Exchanges every rank's count first: a mismatch throws on every rank, naming both.
  private func checkCounts(_ count: Int, operation: String) throws {
    var counts = [Int](repeating: 0, count: size)
    let status = counts.withUnsafeMutableBufferPointer { rk_mpi_allgather_long(count, $0.baseAddress) }
    guard status == MPI_SUCCESS else { throw DistributedError.transport("MPI_Allgather returned \(status)") }
    if let r = counts.indices.first(where: { counts[$0] != counts[0] }) {
      throw DistributedError.countMismatch(operation: operation, rank: r, count: counts[r], rootCount: counts[0])
    }
  }
}
