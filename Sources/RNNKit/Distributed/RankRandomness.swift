extension Dropout: RandomizedLayer {}

extension Model {
  /// Gives every randomized layer a stream of its own for `rank`, derived from `seed` and
  /// the layer's place in the model: data-parallel ranks then drop different units for
  /// their different samples (as one process drawing masks for the whole batch would),
  /// and a run repeats exactly.
  func seedRandomLayers(seed: UInt64, rank: Int) {
    var mixer = RandomGenerator(seed: seed ^ 0xD1B5_4A32_D192_ED03)
    let rankSalt = UInt64(rank) &* 0x9E37_79B9_7F4A_7C15
    for case let layer as RandomizedLayer in LayerWalk(self).layers {
      layer.generator = RandomGenerator(seed: mixer.next() ^ rankSalt)
    }
  }
}
