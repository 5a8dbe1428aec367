/// Builds the layer list of a ``Sequential`` from a block, one layer a line.
@resultBuilder
public enum LayerBuilder {
  /// One layer line.
  public static func buildExpression(_ layer: any Layer) -> [any Layer] { [layer] }
  /// The lines of the block, in order.
  public static func buildBlock(_ parts: [any Layer]...) -> [any Layer] { parts.flatMap { $0 } }
  /// An `if` without `else`: its layers, or none.
  public static func buildOptional(_ part: [any Layer]?) -> [any Layer] { part ?? [] }
  /// The `if` branch of an `if`/`else`.
  public static func buildEither(first part: [any Layer]) -> [any Layer] { part }
  /// The `else` branch of an `if`/`else`.
  public static func buildEither(second part: [any Layer]) -> [any Layer] { part }
  /// The layers of a `for` loop, in order.
  public static func buildArray(_ parts: [[any Layer]]) -> [any Layer] { parts.flatMap { $0 } }
}

/// Layers applied one after another, like `keras.Sequential`; masks flow from layer to
/// layer. A ``Model``, so it compiles and trains.
///
/// ```swift
/// let model = Sequential {
///   SimpleRNN(units: 64, returnSequences: true)
///   SimpleRNN(units: 64)
/// }
/// let y = model(x)        // [batch, time, features] → [batch, 64]
/// ```
public final class Sequential: Model {
  /// The layers, in order.
  public let layers: [any Layer]

  /// A model of the layers the block lists.
  public init(@LayerBuilder _ build: () -> [any Layer]) {
    layers = build()
    super.init()
  }

  /// A model of `layers`, in order.
  public init(_ layers: [any Layer]) {
    self.layers = layers
    super.init()
  }

  /// Applies each layer in turn, threading `context` (training flag and mask) through.
  public override func forward(_ input: Tensor, context: inout LayerContext) -> Tensor {
    layers.reduce(input) { x, layer in layer.forward(x, context: &context) }
  }
}
