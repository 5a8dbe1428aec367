import Synchronization

/// The heap buffer behind a ``Tensor``: a contiguous, row-major block of `Float`s.
///
/// Tensors share a storage until one of them is mutated (copy-on-write). Large blocks
/// come from and return to ``LargeBlockCache/shared``.
final class TensorStorage: @unchecked Sendable {
  let count: Int
  let pointer: UnsafeMutablePointer<Float>
  /// Floats actually allocated (at least `count`, at least 1).
  private let capacity: Int

  /// Allocates `count` floats, uninitialised.
  init(uninitializedCount count: Int) {
    self.count = count
    // Allocate at least one element so the pointer is always valid for C kernels.
    (pointer, capacity) = LargeBlockCache.shared.allocate(count: Swift.max(count, 1))
  }

  /// Allocates `count` floats set to `value`.
  convenience init(count: Int, repeating value: Float) {
    self.init(uninitializedCount: count)
    pointer.initialize(repeating: value, count: Swift.max(count, 1))
  }

  /// A new storage with the same contents.
  func copy() -> TensorStorage {
    let other = TensorStorage(uninitializedCount: count)
    other.pointer.initialize(from: pointer, count: Swift.max(count, 1))
    return other
  }

  deinit { LargeBlockCache.shared.release(pointer, capacity: capacity) }
}

/// Keeps recently freed large blocks for the next allocation of the same size.
///
/// A training loop allocates the same large buffers at every step (a recurrent layer's
/// cache of activations, its output, the gradients). The C allocator hands blocks that
/// large back to the system when they are freed, so every step would map fresh pages and
/// fault on each one as the kernels first write it: about a sixth of an IMDB LSTM epoch
/// went to page faults. Blocks of at least `minimumCount` floats are therefore rounded
/// up to whole pages and, when freed, kept (up to `capacityBytes` in all, oldest evicted
/// first) for the next request of the same rounded size.
final class LargeBlockCache: Sendable {
  /// The cache every ``TensorStorage`` allocates from.
  static let shared = LargeBlockCache(capacityBytes: 512 << 20)

  /// Blocks smaller than this many floats (256 KiB) go straight to the allocator.
  static let minimumCount = 1 << 16
  /// Sizes are rounded up to this many floats (one 4 KiB page).
  static let granule = 1024

  /// The most free memory kept.
  let capacityBytes: Int

  // Blocks are held by address: pointers are not Sendable, and the state is shared.
  private struct State {
    /// Free blocks by capacity (in floats).
    var free: [Int: [UInt]] = [:]
    /// Free blocks in the order they were released, for eviction.
    var order: [(address: UInt, capacity: Int)] = []
    var bytes = 0
  }

  private let state = Mutex(State())

  /// A cache that keeps at most `capacityBytes` of free blocks.
  init(capacityBytes: Int) { self.capacityBytes = capacityBytes }

  /// Frees every block still kept.
  deinit {
    state.withLock { s in
      for (address, _) in s.order { UnsafeMutablePointer<Float>(bitPattern: address)?.deallocate() }
    }
  }

  /// The bytes of free blocks kept now.
  var cachedBytes: Int { state.withLock { $0.bytes } }

  /// Every block starts on a 64-byte cache line, so a kernel's 16-float vectors along
  /// a row never straddle two lines (a misaligned LSTM cache cost its training step about
  /// a tenth).
  static let alignment = 64

  /// A block of at least `count` floats, and its capacity.
  func allocate(count: Int) -> (UnsafeMutablePointer<Float>, Int) {
    guard count >= Self.minimumCount else { return (Self.alignedBlock(count), count) }
    let capacity = (count + Self.granule - 1) / Self.granule * Self.granule
    let reused = state.withLock { s -> UInt? in
      guard let address = s.free[capacity]?.popLast() else { return nil }
      s.order.removeAll { $0.address == address }
      s.bytes -= capacity * MemoryLayout<Float>.stride
      return address
    }
    let pointer = reused.flatMap { UnsafeMutablePointer<Float>(bitPattern: $0) }
    return (pointer ?? Self.alignedBlock(capacity), capacity)
  }

  /// `count` uninitialised floats from the allocator, cache-line aligned.
  private static func alignedBlock(_ count: Int) -> UnsafeMutablePointer<Float> {
    UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Float>.stride, alignment: alignment)
      .bindMemory(to: Float.self, capacity: count)
  }

  /// Returns a block from ``allocate(count:)``: kept if large, freed otherwise.
  func release(_ pointer: UnsafeMutablePointer<Float>, capacity: Int) {
    let bytes = capacity * MemoryLayout<Float>.stride
    guard capacity >= Self.minimumCount, bytes <= capacityBytes else {
      pointer.deallocate()
      return
    }
    let address = UInt(bitPattern: pointer)
    let evicted = state.withLock { s -> [UInt] in
      var evicted: [UInt] = []
      while s.bytes + bytes > capacityBytes, !s.order.isEmpty {
        let oldest = s.order.removeFirst()
        s.free[oldest.capacity]?.removeAll { $0 == oldest.address }
        s.bytes -= oldest.capacity * MemoryLayout<Float>.stride
        evicted.append(oldest.address)
      }
      s.free[capacity, default: []].append(address)
      s.order.append((address, capacity))
      s.bytes += bytes
      return evicted
    }
    for block in evicted { UnsafeMutablePointer<Float>(bitPattern: block)?.deallocate() }
  }
}
