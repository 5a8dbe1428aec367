/// A saved optimizer state that does not fit the optimizer or the parameters it is
/// loaded for; lists every problem at once.
///
/// ```swift
/// do { try optimizer.loadState(saved, for: parameters) }
/// catch let error as OptimizerStateError { print(error) }   // names each entry
/// ```
public struct OptimizerStateError: Error, CustomStringConvertible, Equatable {
  /// One problem with one entry of the state.
  public enum Issue: Equatable, Sendable, CustomStringConvertible {
    /// An entry the optimizer needs is absent.
    case missing(name: String, expectedShape: [Int])
    /// An entry the optimizer does not know (another optimizer's, or an index past the
    /// parameter list).
    case unexpected(name: String)
    /// An entry whose shape is not its parameter's.
    case shapeMismatch(name: String, expected: [Int], actual: [Int])
    /// `iterations` that is not a scalar holding a whole number ≥ 0.
    case invalidIterations(shape: [Int], value: Float?)

    public var description: String {
      switch self {
      case .missing(let name, let shape): return "missing \"\(name)\" (expected shape \(shape))"
      case .unexpected(let name): return "unexpected \"\(name)\""
      case .shapeMismatch(let name, let expected, let actual):
        return "\"\(name)\" has shape \(actual), expected \(expected)"
      case .invalidIterations(let shape, let value):
        let shown = value.map { "\($0)" } ?? "no single value"
        return "\"iterations\" must be a scalar whole number in 0..<2^31, got shape \(shape) holding \(shown)"
      }
    }
  }

  /// The optimizer the state was loaded into (`"Adam"`, ...).
  public let optimizer: String
  /// Every problem found, sorted by entry name.
  public let issues: [Issue]

  public var description: String {
    "\(optimizer).loadState: \(issues.count) problem(s) in the state: "
      + issues.map(\.description).joined(separator: "; ")
  }
}

/// How an optimizer clips gradients before its update, as Keras's `clipnorm`,
/// `clipvalue` and `global_clipnorm` (at most one of them).
public enum GradientClipping: Equatable, Sendable {
  /// Each gradient by its own L2 norm (`tf.clip_by_norm`).
  case norm(Float)
  /// Each element to `[-value, value]`.
  case value(Float)
  /// All gradients together by their global norm (`clip_by_global_norm`).
  case globalNorm(Float)

  /// The clipping Keras's three arguments describe; `nil` when none applies.
  ///
  /// As in Keras, more than one non-`nil` argument is an error (here a precondition)
  /// and a threshold of 0 switches clipping off; a negative one is a precondition failure.
  init?(optimizer: String, clipnorm: Float?, clipvalue: Float?, globalClipnorm: Float?) {
    let given = [clipnorm, clipvalue, globalClipnorm].compactMap { $0 }
    precondition(
      given.count <= 1,
      "\(optimizer): only one of clipnorm, clipvalue and globalClipnorm can be set, got "
        + "clipnorm: \(clipnorm.map { "\($0)" } ?? "nil"), clipvalue: \(clipvalue.map { "\($0)" } ?? "nil"), "
        + "globalClipnorm: \(globalClipnorm.map { "\($0)" } ?? "nil")")
    guard let threshold = given.first else { return nil }
    precondition(threshold >= 0, "\(optimizer): clipping threshold must be ≥ 0, got \(threshold)")
    guard threshold > 0 else { return nil }
    if clipnorm != nil { self = .norm(threshold) }
    else if clipvalue != nil { self = .value(threshold) }
    else { self = .globalNorm(threshold) }
  }

  /// The gradients clipped (Keras's `_clip_gradients`).
  func apply(_ gradients: [Tensor]) -> [Tensor] {
    switch self {
    case .norm(let c): return gradients.map { Kernels.clipByNorm($0, clipNorm: c) }
    case .value(let c): return gradients.map { Kernels.clamp($0, lower: -c, upper: c) }
    case .globalNorm(let c):
      let scale = Kernels.globalNormScale(clipNorm: c, globalNorm: Kernels.globalNorm(gradients))
      return gradients.map { Kernels.scaled($0, by: scale) }
    }
  }
}

/// One parameter's optimizer slots (moments, velocities), one flat tensor each, in the
/// optimizer's slot order. Remembers its parameter weakly so a new parameter that reuses
/// a freed one's address never inherits its state.
final class SlotEntry {
  weak var owner: Parameter?
  var tensors: [Tensor]

  init(owner: Parameter, tensors: [Tensor]) {
    self.owner = owner
    self.tensors = tensors
  }
}

/// What every optimizer shares: the iteration count, the learning rate, clipping, and
/// the per-parameter slots keyed by parameter identity, created lazily as zeros.
struct OptimizerCore {
  /// `"SGD"`, `"Adam"`, `"RMSprop"`: used in messages.
  let name: String
  /// The slot names in storage order (`["m", "v"]`); state entries are `"<slot>/<index>"`.
  let slotNames: [String]
  var iterations = 0
  var learningRate: LearningRate
  let clipping: GradientClipping?
  private var entries: [ObjectIdentifier: SlotEntry] = [:]

  /// - Parameters:
  ///   - name: the optimizer's name, for messages.
  ///   - slotNames: the per-parameter slots in storage order (state entries `"<slot>/<index>"`).
  ///   - learningRate: constant or scheduled.
  ///   - clipnorm, clipvalue, globalClipnorm: Keras's clipping options (at most one).
  init(
    name: String, slotNames: [String], learningRate: LearningRate,
    clipnorm: Float?, clipvalue: Float?, globalClipnorm: Float?
  ) {
    self.name = name
    self.slotNames = slotNames
    self.learningRate = learningRate
    self.clipping = GradientClipping(
      optimizer: name, clipnorm: clipnorm, clipvalue: clipvalue, globalClipnorm: globalClipnorm)
  }

  var currentLearningRate: Float { learningRate.value(atStep: iterations) }

  /// One update, the part every optimizer shares: reads this step's learning rate, checks
  /// and clips the gradients, calls `rule` once per parameter, then counts the iteration.
  /// Nothing happens when both lists are empty.
  ///
  /// - Parameters:
  ///   - rule: the optimizer's own update of one parameter, given its slots, its clipped
  ///     gradient, the learning rate `lr` and the update number `t = iterations + 1`.
  mutating func update(
    gradients: [Tensor], parameters: [Parameter],
    rule: (_ parameter: Parameter, _ slots: SlotEntry, _ gradient: Tensor, _ lr: Float, _ t: Int) -> Void
  ) {
    guard !gradients.isEmpty || !parameters.isEmpty else { return }
    let lr = currentLearningRate
    let clipped = preparedGradients(gradients, for: parameters)
    let t = iterations + 1
    for (p, g) in zip(parameters, clipped) {
      rule(p, slots(for: p), g, lr, t)
    }
    iterations += 1
  }

  /// Checks the programmer's call and returns the gradients clipped as configured.
  func preparedGradients(_ gradients: [Tensor], for parameters: [Parameter]) -> [Tensor] {
    precondition(
      gradients.count == parameters.count,
      "\(name).apply: \(gradients.count) gradients for \(parameters.count) parameters")
    var seen = Set<ObjectIdentifier>()
    for (index, (g, p)) in zip(gradients, parameters).enumerated() {
      precondition(
        p.isTrainable,
        "\(name).apply: parameter \(index) (\"\(p.name)\") is not trainable; pass only trainable parameters")
      precondition(
        g.shape == p.value.shape,
        "\(name).apply: gradient \(index) has shape \(g.shape) but parameter \"\(p.name)\" has shape \(p.value.shape)")
      precondition(
        seen.insert(ObjectIdentifier(p)).inserted,
        "\(name).apply: parameter \(index) (\"\(p.name)\") appears twice in the list")
    }
    return clipping?.apply(gradients) ?? gradients
  }

  /// The slots of `parameter`, created as zeros of its shape on first use.
  mutating func slots(for parameter: Parameter) -> SlotEntry {
    let key = ObjectIdentifier(parameter)
    if let entry = entries[key], entry.owner === parameter,
      entry.tensors.allSatisfy({ $0.shape == parameter.value.shape })
    {
      return entry
    }
    entries = entries.filter { $0.value.owner != nil }
    let entry = SlotEntry(
      owner: parameter, tensors: slotNames.map { _ in Tensor(zeros: parameter.value.shape) })
    entries[key] = entry
    return entry
  }

  /// `iterations` and every slot of every parameter (zeros for one not yet updated).
  func state(for parameters: [Parameter]) -> [String: Tensor] {
    var result: [String: Tensor] = ["iterations": Tensor(Float(iterations))]
    for (index, p) in parameters.enumerated() {
      let entry = entries[ObjectIdentifier(p)].flatMap { $0.owner === p ? $0 : nil }
      for (s, slot) in slotNames.enumerated() {
        result["\(slot)/\(index)"] = entry?.tensors[s] ?? Tensor(zeros: p.value.shape)
      }
    }
    return result
  }

  /// Validates everything first, then replaces the iteration count and all slots.
  mutating func loadState(_ state: [String: Tensor], for parameters: [Parameter]) throws {
    var issues: [(String, OptimizerStateError.Issue)] = []
    var expected: [String: [Int]] = [:]
    for (index, p) in parameters.enumerated() {
      for slot in slotNames { expected["\(slot)/\(index)"] = p.value.shape }
    }
    var loadedIterations = 0
    if let it = state["iterations"] {
      let value = it.scalarCount == 1 ? it.scalars[0] : nil
      // Below 2^31: a value read from a file must never trap Int(_:) (a huge float would).
      if let v = value, it.shape.isEmpty, v.isFinite, v >= 0, v < 2_147_483_648, v == v.rounded() {
        loadedIterations = Int(v)
      } else {
        issues.append(("iterations", .invalidIterations(shape: it.shape, value: value)))
      }
    } else {
      issues.append(("iterations", .missing(name: "iterations", expectedShape: [])))
    }
    for (key, shape) in expected {
      guard let t = state[key] else {
        issues.append((key, .missing(name: key, expectedShape: shape)))
        continue
      }
      if t.shape != shape { issues.append((key, .shapeMismatch(name: key, expected: shape, actual: t.shape))) }
    }
    for key in state.keys where key != "iterations" && expected[key] == nil {
      issues.append((key, .unexpected(name: key)))
    }
    guard issues.isEmpty else {
      throw OptimizerStateError(
        optimizer: name, issues: issues.sorted { $0.0 < $1.0 }.map(\.1))
    }
    iterations = loadedIterations
    for (index, p) in parameters.enumerated() {
      let tensors = slotNames.map { state["\($0)/\(index)"]!.detached }
      entries[ObjectIdentifier(p)] = SlotEntry(owner: p, tensors: tensors)
    }
  }
}

/// `1 - x` as Keras computes it: Python subtracts the hyper-parameter in double from the
/// decimal the user wrote, and the result is rounded to float32 when it meets a tensor.
/// `x`'s shortest round-tripping decimal is that decimal, so `1 - 0.999` gives float32
/// `0.001` here as in Keras (`1 - Float(0.999)` would give `0.0009999871`).
func kerasOneMinus(_ x: Float) -> Float {
  guard let decimal = Double("\(x)") else { return 1 - x }
  return Float(1.0 - decimal)
}
