import Testing

@testable import RNNKit

// Sizes here are odd on purpose, so that no other test running at the same time asks
// for the same rounded size and takes the block first.
struct LargeBlockCacheTests {
  @Test func aFreedLargeBlockServesTheNextRequestOfItsSize() {
    let count = LargeBlockCache.minimumCount + 7 * LargeBlockCache.granule + 321
    let (first, capacity) = LargeBlockCache.allocate(count: count)
    #expect(capacity % LargeBlockCache.granule == 0 && capacity >= count && capacity - count < LargeBlockCache.granule)
    first.initialize(repeating: 1, count: count)
    LargeBlockCache.release(first, capacity: capacity)
    // Any count that rounds to the same capacity reuses the block.
    let (second, secondCapacity) = LargeBlockCache.allocate(count: capacity - 5)
    #expect(second == first)
    #expect(secondCapacity == capacity)
    LargeBlockCache.release(second, capacity: secondCapacity)
  }

  @Test func smallBlocksAreNotRoundedOrKept() {
    let (pointer, capacity) = LargeBlockCache.allocate(count: 1000)
    #expect(capacity == 1000)
    let before = LargeBlockCache.cachedBytes
    LargeBlockCache.release(pointer, capacity: capacity)
    #expect(LargeBlockCache.cachedBytes <= before)
  }

  @Test func theCacheNeverHoldsMoreThanItsCapacity() {
    // Three blocks of 200 MiB (never touched, so never resident) against 512 MiB.
    let count = (200 << 20) / 4 + 3 * LargeBlockCache.granule + 17
    let blocks = (0..<3).map { _ in LargeBlockCache.allocate(count: count) }
    for (pointer, capacity) in blocks { LargeBlockCache.release(pointer, capacity: capacity) }
    #expect(LargeBlockCache.cachedBytes <= LargeBlockCache.capacityBytes)
    #expect(LargeBlockCache.cachedBytes >= 2 * blocks[0].1 * 4)
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
