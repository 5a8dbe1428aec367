import RNNKit

/// Reads one Keras layer's `config` object: typed options with their Keras defaults, and
/// refusals that name the file, the layer, the option and both values.
struct ConfigReader {
  let file: String
  /// The layer's Keras name (`config.name`), or its class when it has none.
  let name: String
  let className: String
  let config: [String: JSONValue]

  init(file: String, className: String, config: JSONValue) throws {
    self.file = file
    self.className = className
    guard case .object(let members) = config else {
      throw KerasFileError(file: file, layer: "(\(className))", message: "its \"config\" is not an object")
    }
    self.config = members
    name = members["name"]?.string ?? className.lowercased()
  }

  /// `'name' (Class)`, as errors print a layer.
  var label: String { "'\(name)' (\(className))" }

  func fail(_ message: String) -> KerasFileError {
    KerasFileError(file: file, layer: label, message: message)
  }

  func refuse(_ key: String, expected: String, actual: JSONValue) -> KerasFileError {
    fail("option \(key): expected \(expected), got \(actual.encoded()); RNNKit has no such \(className) option")
  }

  /// The value of `key`, or nil when it is absent or null.
  func value(_ key: String) -> JSONValue? {
    guard let v = config[key], !v.isNull else { return nil }
    return v
  }

  func bool(_ key: String, default fallback: Bool) throws -> Bool {
    guard let v = value(key) else { return fallback }
    guard case .bool(let b) = v else { throw fail("option \(key): expected true or false, got \(v.encoded())") }
    return b
  }

  /// A whole number in `range`; a one-element list (Keras writes `kernel_size: [3]`) counts.
  func int(_ key: String, default fallback: Int? = nil, in range: ClosedRange<Int> = 1...(1 << 30)) throws -> Int {
    guard var v = value(key) else {
      if let fallback { return fallback }
      throw fail("option \(key) is missing")
    }
    if case .array(let items) = v, items.count == 1 { v = items[0] }
    guard let n = v.number, n == n.rounded(), n >= Double(range.lowerBound), n <= Double(range.upperBound) else {
      throw fail("option \(key): expected a whole number in \(range.lowerBound)...\(range.upperBound), got \(v.encoded())")
    }
    return Int(n)
  }

  func float(_ key: String, default fallback: Float, in range: Range<Float>) throws -> Float {
    guard let v = value(key) else { return fallback }
    guard let n = v.number, range.contains(Float(n)) else {
      throw fail("option \(key): expected a number in [\(range.lowerBound), \(range.upperBound)), got \(v.encoded())")
    }
    return Float(n)
  }

  func string(_ key: String, default fallback: String) throws -> String {
    guard let v = value(key) else { return fallback }
    guard let s = v.string else { throw fail("option \(key): expected a string, got \(v.encoded())") }
    return s
  }

  /// An activation by its Keras name; `allowed` narrows it where a fused kernel computes one.
  func activation(_ key: String, default fallback: Activation, allowed: Set<Activation> = Set(Activation.allCases))
    throws -> Activation
  {
    guard var v = value(key) else { return fallback }
    // Keras may serialise a built-in activation as {"class_name": "function", "config": "relu"}.
    if case .object = v, let inner = v["config"], inner.string != nil { v = inner }
    guard let text = v.string else { throw fail("option \(key): expected an activation name, got \(v.encoded())") }
    let activation = text == "None" ? Activation.linear : Activation(rawValue: text)
    guard let activation, allowed.contains(activation) else {
      let names = allowed.map { "\"\($0.rawValue)\"" }.sorted().joined(separator: " or ")
      throw refuse(key, expected: names, actual: v)
    }
    return activation
  }

  /// Refuses `key` unless it is absent, null or equal to `expected` (as written in JSON).
  func require(_ key: String, equals expected: JSONValue...) throws {
    guard let v = value(key) else { return }
    if expected.contains(v) { return }
    // Keras writes tuples as lists: (1,) and 1 mean the same.
    if case .array(let items) = v, items.count == 1, expected.contains(items[0]) { return }
    throw refuse(key, expected: expected.map { $0.encoded() }.joined(separator: " or "), actual: v)
  }

  /// Refuses each of `keys` unless absent or null: options RNNKit does not implement.
  func requireNull(_ keys: String...) throws {
    for key in keys {
      if let v = value(key) { throw refuse(key, expected: "null", actual: v) }
    }
  }
}
