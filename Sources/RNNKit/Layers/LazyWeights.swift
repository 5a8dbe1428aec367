/// A layer that draws random numbers (initial weights, dropout masks) from a generator of
/// its own, seeded from its `seed:` argument or ``setRandomSeed(_:)``'s stream.
protocol RandomizedLayer: AnyObject {
  var generator: RandomGenerator { get set }
}

/// Keras's `build` and `add_weight` for layers that create their weights once they know
/// their input size — on their first call, or at once with `inputSize:` (Dense, Conv1D,
/// the recurrent cells).
protocol LazilyBuilt: RandomizedLayer {
  /// The input size the weights were created for; `nil` before.
  var inputSize: Int? { get }
}

extension LazilyBuilt {
  /// Whether the weights are still to be created for `inputSize` (`what` names what it
  /// counts, e.g. "input features"). A layer already built for another size stops with a
  /// message naming the layer and both sizes.
  func needsWeights(for inputSize: Int, what: String) -> Bool {
    if let existing = self.inputSize {
      precondition(existing == inputSize, "\(type(of: self)): built for \(existing) \(what), called with \(inputSize)")
      return false
    }
    precondition(inputSize > 0, "\(type(of: self)): the number of \(what) must be positive, got \(inputSize)")
    return true
  }

  /// Keras's `add_weight`: a parameter `name` of `shape`, drawn from `initializer` with the
  /// layer's generator.
  func addWeight(_ name: String, shape: [Int], initializer: Initializer) -> Parameter {
    Parameter(initializer.tensor(shape: shape, using: &generator), name: name)
  }
}
