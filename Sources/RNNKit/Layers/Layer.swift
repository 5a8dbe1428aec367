/// What flows beside the tensor through a stack of layers in one forward pass.
///
/// `training` switches dropout on; `mask` is the Keras-style time-step mask
/// (`[batch, time]`, 1 = real step, 0 = padding) that `Embedding(maskZero: true)`
/// produces and recurrent layers consume.
public struct LayerContext: Sendable {
  /// Whether this is a training pass (dropout active).
  public var training: Bool
  /// The time-step mask for the current tensor, `[batch, time]` of 0/1, if any.
  public var mask: Tensor?

  /// A context for one forward pass.
  ///
  /// ```swift
  /// var context = LayerContext(training: true)
  /// let y = model.forward(x, context: &context)
  /// ```
  public init(training: Bool = false, mask: Tensor? = nil) {
    self.training = training
    self.mask = mask
  }
}

/// A building block of a model: a function of a tensor with trainable parameters.
///
/// Conforming classes implement ``forward(_:context:)``; everything else — calling the
/// layer, finding its parameters, getting and setting weights, freezing it — comes from
/// the protocol. Parameters are discovered by reflection: every stored property that is a
/// ``Parameter``, a `Layer`, or an array or optional of those, is found.
///
/// ```swift
/// final class MyRNN: Layer {
///   let embedding = Embedding(inputDim: 10_000, outputDim: 100)
///   let rnn = LSTM(units: 64)
///   let head = Dense(units: 1, activation: .sigmoid)
///   func forward(_ x: Tensor, context: inout LayerContext) -> Tensor {
///     head.forward(rnn.forward(embedding.forward(x, context: &context), context: &context), context: &context)
///   }
/// }
/// ```
public protocol Layer: AnyObject {
  /// The layer's output for `input`; reads and may replace `context.mask`.
  func forward(_ input: Tensor, context: inout LayerContext) -> Tensor
}

extension Layer {
  /// The layer applied to `input`, like calling a Keras layer.
  ///
  /// - Parameters:
  ///   - input: the input tensor (shape per layer).
  ///   - training: whether dropout is active.
  ///
  /// ```swift
  /// let y = layer(x)                    // inference
  /// let yTrain = layer(x, training: true)
  /// ```
  public func callAsFunction(_ input: Tensor, training: Bool = false) -> Tensor {
    var context = LayerContext(training: training)
    return forward(input, context: &context)
  }

  /// Every parameter of this layer and the layers inside it, in declaration order,
  /// each once.
  public var parameters: [Parameter] { namedParameters.map(\.parameter) }

  /// Every parameter with its path of property names, e.g. `layers.1.cell.kernel`: the
  /// names used in saved weight files.
  public var namedParameters: [(name: String, parameter: Parameter)] {
    LayerWalk(self).parameters
  }

  /// The parameters that optimizers update.
  public var trainableParameters: [Parameter] { parameters.filter(\.isTrainable) }

  /// Whether the layer trains; setting it to `false` freezes every parameter inside,
  /// like Keras's `layer.trainable = False`.
  ///
  /// ```swift
  /// embedding.trainable = false    // keep pretrained vectors fixed
  /// ```
  public var trainable: Bool {
    get { parameters.allSatisfy(\.isTrainable) }
    set { for p in parameters { p.isTrainable = newValue } }
  }

  /// The number of scalars in all parameters.
  public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.scalarCount } }

  /// The weights' values in Keras's `get_weights()` order.
  ///
  /// ```swift
  /// let weights = lstm.getWeights()   // [kernel [D, 4H], recurrent_kernel [H, 4H], bias [4H]]
  /// ```
  public func getWeights() -> [Tensor] { parameters.map(\.value) }

  /// Replaces the weights, given in Keras's `get_weights()` order and shapes.
  ///
  /// - Throws: ``WeightsError`` naming the layer, the weight and both shapes when the
  ///   count or a shape differs; no weight is changed then.
  ///
  /// ```swift
  /// try lstm.setWeights([kernel, recurrentKernel, bias])
  /// ```
  public func setWeights(_ weights: [Tensor]) throws {
    let targets = parameters
    let layerName = String(describing: type(of: self))
    if targets.isEmpty && !weights.isEmpty { throw WeightsError.notBuilt(layer: layerName) }
    guard weights.count == targets.count else {
      throw WeightsError.countMismatch(layer: layerName, expected: targets.count, actual: weights.count)
    }
    for (p, w) in zip(targets, weights) where p.value.shape != w.shape {
      throw WeightsError.shapeMismatch(layer: layerName, weight: p.name, expected: p.value.shape, actual: w.shape)
    }
    for (p, w) in zip(targets, weights) { p.value = w.detached }
  }
}

/// Walks a layer's stored properties, in declaration order (a superclass's first, so a
/// subclass lists its base's weights in order), for parameters and nested layers — each
/// once, however often it is referenced: every ``Parameter``, ``Layer``, and array or
/// optional of those.
struct LayerWalk {
  /// Every parameter with its path of property names, e.g. `layers.1.cell.kernel`.
  private(set) var parameters: [(name: String, parameter: Parameter)] = []
  /// The root, then every nested layer, in the order first reached.
  private(set) var layers: [any Layer] = []
  private var seen: Set<ObjectIdentifier> = []

  init(_ root: any Layer) {
    seen.insert(ObjectIdentifier(root))
    layers.append(root)
    visitProperties(of: root, path: "")
  }

  private mutating func visitProperties(of value: Any, path: String) {
    var mirrors: [Mirror] = []
    var mirror: Mirror? = Mirror(reflecting: value)
    while let current = mirror {
      mirrors.append(current)
      mirror = current.superclassMirror
    }
    for current in mirrors.reversed() {
      for child in current.children { visit(child.value, path: joined(path, child.label ?? "_")) }
    }
  }

  private mutating func visit(_ value: Any, path: String) {
    switch value {
    case let p as Parameter:
      if seen.insert(ObjectIdentifier(p)).inserted { parameters.append((path, p)) }
    case let layer as any Layer:
      if seen.insert(ObjectIdentifier(layer)).inserted {
        layers.append(layer)
        visitProperties(of: layer, path: path)
      }
    case let array as [Any]:
      for (i, element) in array.enumerated() { visit(element, path: joined(path, "\(i)")) }
    default:
      // Optionals: look inside a `.some`.
      let mirror = Mirror(reflecting: value)
      if mirror.displayStyle == .optional, let wrapped = mirror.children.first { visit(wrapped.value, path: path) }
    }
  }
}

private func joined(_ path: String, _ component: String) -> String {
  path.isEmpty ? component : path + "." + component
}

