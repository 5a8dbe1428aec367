import Testing

@testable import RNNKit

// Each test owns its cache: the shared one changes under it as other tests run.
struct LargeBlockCacheTests {
  @Test func aFreedLargeBlockServesTheNextRequestOfItsSize() {
    let cache = LargeBlockCache(capacityBytes: 64 << 20)
    let count = LargeBlockCache.minimumCount + 7 * LargeBlockCache.granule + 321
    let (first, capacity) = cache.allocate(count: count)
    #expect(capacity % LargeBlockCache.granule == 0 && capacity >= count && capacity - count < LargeBlockCache.granule)
    first.initialize(repeating: 1, count: count)
    cache.release(first, capacity: capacity)
    #expect(cache.cachedBytes == capacity * 4)
    // Any count that rounds to the same capacity reuses the block.
    let (second, secondCapacity) = cache.allocate(count: capacity - 5)
    #expect(second == first)
    #expect(secondCapacity == capacity)
    #expect(cache.cachedBytes == 0)
    // A request of another rounded size does not take it.
    cache.release(second, capacity: secondCapacity)
    let (third, thirdCapacity) = cache.allocate(count: capacity + 1)
    #expect(thirdCapacity == capacity + LargeBlockCache.granule)
    #expect(cache.cachedBytes == capacity * 4)
    cache.release(third, capacity: thirdCapacity)
    #expect(cache.cachedBytes == (capacity + thirdCapacity) * 4)
  }

  @Test func smallBlocksAreNotRoundedOrKept() {
    let cache = LargeBlockCache(capacityBytes: 64 << 20)
    let (pointer, capacity) = cache.allocate(count: 1000)
    #expect(capacity == 1000)
    cache.release(pointer, capacity: capacity)
    #expect(cache.cachedBytes == 0)
  }

  @Test func theCacheNeverHoldsMoreThanItsCapacityAndEvictsTheOldest() {
    // Three blocks of 3 MiB against 8 MiB: releasing the third evicts the first.
    let cache = LargeBlockCache(capacityBytes: 8 << 20)
    let count = (3 << 20) / 4
    let blocks = (0..<3).map { _ in cache.allocate(count: count) }
    for (pointer, capacity) in blocks { cache.release(pointer, capacity: capacity) }
    #expect(cache.cachedBytes == 2 * count * 4)
    let reused = (0..<3).map { _ in cache.allocate(count: count).0 }
    #expect(Set(reused.prefix(2)) == Set([blocks[1].0, blocks[2].0]))
    #expect(cache.cachedBytes == 0)
    for pointer in reused { cache.release(pointer, capacity: count) }
  }

  @Test func aBlockLargerThanTheCapacityIsFreedAtOnce() {
    let cache = LargeBlockCache(capacityBytes: 1 << 20)
    let (pointer, capacity) = cache.allocate(count: (2 << 20) / 4)
    cache.release(pointer, capacity: capacity)
    #expect(cache.cachedBytes == 0)
  }

  @Test func tensorsOnReusedBlocksStartFromTheirOwnValues() {
    let shape = [LargeBlockCache.minimumCount / 64 + 3, 64]
    _ = Tensor(repeating: 7, shape: shape)       // freed at once: its block is kept
    let zeros = Tensor(zeros: shape)
    let ones = Tensor(ones: shape)
    #expect(zeros.scalars.allSatisfy { $0 == 0 })
    #expect(ones.scalars.allSatisfy { $0 == 1 })
  }
}
