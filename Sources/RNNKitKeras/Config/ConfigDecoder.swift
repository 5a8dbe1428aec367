import RNNKit

/// One layer of a Keras model, as RNNKit built it.
struct KerasLayerEntry {
  /// The layer's Keras name (`config.name`), which legacy `.h5` files key weights by.
  let name: String
  /// The Keras class (`LSTM`, `Bidirectional`, ...), whose snake_case names `.keras` groups.
  let className: String
  let layer: any Layer
}

/// A Keras model's architecture as RNNKit layers, built for the input it declares.
struct KerasArchitecture {
  let layers: [KerasLayerEntry]
  /// The per-sample input shape (nil: any length).
  let inputShape: [Int?]
  /// Whether the model takes integer token ids (an Embedding first).
  var takesTokenIDs: Bool { layers.first?.layer is Embedding }
}

/// Reads a Keras model config — Keras 3's `config.json`, `model.to_json()`, or a legacy
/// `.h5` file's `model_config` (Keras 2 and 3) — into RNNKit layers. A `Sequential`, or a
/// Functional model whose layers form one chain; anything else is refused by name.
enum ConfigDecoder {
  static func decode(_ json: JSONValue, file: String) throws -> KerasArchitecture {
    guard let className = json["class_name"]?.string else {
      throw KerasFileError(file: file, message: "not a Keras model config: no \"class_name\" at the top level")
    }
    guard className == "Sequential" || className == "Functional" || className == "Model" else {
      throw KerasFileError(
        file: file, message: "model class \"\(className)\": RNNKit reads Sequential models and Functional chains")
    }
    let config = json["config"] ?? .null
    // Keras 2 wrote a Sequential's layers as its whole config.
    guard var layerConfigs = config.array ?? config["layers"]?.array else {
      throw KerasFileError(file: file, message: "model config has no \"layers\" list")
    }
    if className != "Sequential" { layerConfigs = try chain(layerConfigs, config: config, file: file) }

    var shape: [Int?]? = declaredInput(config, first: layerConfigs.first)
    var modelInput: [Int?]?
    var entries: [KerasLayerEntry] = []
    for item in layerConfigs {
      guard let layerClass = item["class_name"]?.string else {
        throw KerasFileError(file: file, message: "layer \(entries.count) has no \"class_name\"")
      }
      let reader = try ConfigReader(file: file, className: layerClass, config: item["config"] ?? .null)
      if layerClass == "InputLayer" {
        shape = try inputShape(reader)
        continue
      }
      if shape == nil { shape = buildShape(item) }
      guard let input = shape else {
        throw reader.fail("the config gives no input shape (no InputLayer, batch_input_shape or build_config)")
      }
      if modelInput == nil { modelInput = input }
      let layer = try LayerDecoder(reader: reader, input: input).layer()
      shape = try LayerShapes.output(of: layer, input: input, label: reader.label, file: file)
      entries.append(KerasLayerEntry(name: reader.name, className: layerClass, layer: layer))
    }
    guard let modelInput else { throw KerasFileError(file: file, message: "the model has no layers") }
    return KerasArchitecture(layers: entries, inputShape: modelInput)
  }

  /// The per-sample input shape a model config declares: an InputLayer's, the Sequential's
  /// `build_input_shape`, or a first layer's `batch_input_shape` (Keras 2).
  static func declaredInput(_ config: JSONValue, first: JSONValue?) -> [Int?]? {
    if let first, first["class_name"]?.string == "InputLayer", let layerConfig = first["config"] {
      for key in ["batch_shape", "batch_input_shape"] {
        if let shape = perSample(layerConfig[key]) { return shape }
      }
    }
    if let shape = perSample(config["build_input_shape"]) { return shape }
    return perSample(first?["config"]?["batch_input_shape"])
  }

  static func inputShape(_ reader: ConfigReader) throws -> [Int?] {
    try reader.require("sparse", equals: false)
    try reader.require("ragged", equals: false)
    for key in ["batch_shape", "batch_input_shape"] {
      if let shape = perSample(reader.value(key)) { return shape }
    }
    throw reader.fail("no batch_shape")
  }

  /// A layer's recorded input shape (`build_config.input_shape` in Keras 3, or
  /// `batch_input_shape` on a Keras 2 first layer).
  static func buildShape(_ item: JSONValue) -> [Int?]? {
    perSample(item["build_config"]?["input_shape"]) ?? perSample(item["config"]?["batch_input_shape"])
  }

  /// A Keras shape with its batch axis dropped: `[null, 80]` → `[80]`; nil unless every
  /// other entry is null or a size in 1...2³⁰.
  static func perSample(_ value: JSONValue?) -> [Int?]? {
    guard let items = value?.array, items.count >= 2, items.count <= 8 else { return nil }
    var shape: [Int?] = []
    for item in items.dropFirst() {
      if item.isNull {
        shape.append(nil)
      } else if let n = item.number, n == n.rounded(), n >= 1, n <= Double(1 << 30) {
        shape.append(Int(n))
      } else {
        return nil
      }
    }
    return shape
  }

  /// The layers of a Functional model that form one chain, each taking exactly the previous
  /// one's output; anything else is refused. Keras 3 computes an Embedding's `mask_zero` mask
  /// in a Functional model as a separate `NotEqual(input, 0)` op handed to the next layer's
  /// `mask`: RNNKit's Embedding passes that mask along the chain itself, so those ops are
  /// dropped once checked.
  static func chain(_ layers: [JSONValue], config: JSONValue, file: String) throws -> [JSONValue] {
    let inputNames = Set(layers.filter { $0["class_name"]?.string == "InputLayer" }.compactMap(layerName))
    let maskOps = Set(layers.filter { isZeroMask($0, inputs: inputNames) }.compactMap(layerName))
    let embeddingMasks = layers.contains { $0["class_name"]?.string == "Embedding" && $0["config"]?["mask_zero"] == .bool(true) }
    var previous: String?
    var kept: [JSONValue] = []
    for item in layers {
      let name = layerName(item) ?? "?"
      if maskOps.contains(name) { continue }
      let className = item["class_name"]?.string ?? "?"
      var sources: [String] = []
      var maskSources: [String] = []
      for node in item["inbound_nodes"]?.array ?? [] {
        if node["args"] != nil {
          collectSources(node["args"] ?? .null, into: &sources)
          collectSources(node["kwargs"]?["mask"] ?? .null, into: &maskSources)
        } else {
          collectSources(node, into: &sources)
        }
      }
      let label = "'\(name)' (\(className))"
      let expected = previous.map { [$0] } ?? []
      guard sources == expected else {
        throw KerasFileError(
          file: file, layer: label,
          message: "takes \(sources.isEmpty ? "no input" : sources.joined(separator: ", ")) where a chain would take \(expected.first ?? "the model input"); RNNKit reads Functional models only when their layers form one chain")
      }
      guard maskSources.allSatisfy({ maskOps.contains($0) }), maskSources.isEmpty || embeddingMasks else {
        throw KerasFileError(
          file: file, layer: label,
          message: "takes a mask from \(maskSources.joined(separator: ", ")); RNNKit reads only the mask an Embedding with mask_zero makes")
      }
      previous = name
      kept.append(item)
    }
    if let outputs = config["output_layers"]?.array, outputs.count > 1, outputs.allSatisfy({ $0.array != nil }) {
      throw KerasFileError(file: file, message: "the Functional model has \(outputs.count) outputs; RNNKit reads one-output chains")
    }
    return kept
  }

  static func layerName(_ item: JSONValue) -> String? { item["config"]?["name"]?.string ?? item["name"]?.string }

  /// Whether `item` is Keras 3's `NotEqual(model input, 0)`: an Embedding's zero mask.
  static func isZeroMask(_ item: JSONValue, inputs: Set<String>) -> Bool {
    guard item["class_name"]?.string == "NotEqual", let nodes = item["inbound_nodes"]?.array, nodes.count == 1,
      let args = nodes[0]["args"]?.array, args.count == 2, args[1] == .number(0)
    else { return false }
    var sources: [String] = []
    collectSources(args[0], into: &sources)
    return sources.count == 1 && inputs.contains(sources[0])
  }

  /// The names of the layers an `inbound_nodes` value reads from, in Keras 3's
  /// (`keras_history: [name, node, tensor]`) and Keras 2's (`[[name, node, tensor, {}]]`) forms.
  static func collectSources(_ value: JSONValue, into sources: inout [String]) {
    switch value {
    case .object(let members):
      if let history = members["keras_history"]?.array, let name = history.first?.string {
        sources.append(name)
        return
      }
      for key in members.keys.sorted() { collectSources(members[key]!, into: &sources) }
    case .array(let items):
      if items.count >= 3, let name = items[0].string, items[1].number != nil, items[2].number != nil {
        sources.append(name)
        return
      }
      for item in items { collectSources(item, into: &sources) }
    default:
      return
    }
  }
}
