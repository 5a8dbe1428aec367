import Foundation
import RNNKit

/// A model read from a Keras file: the `Sequential` RNNKit built, and the input the file
/// declares, so data can be checked before it reaches a layer.
///
/// Reads Keras 3 `.keras` archives, legacy full-model `.h5` files (Keras 2, tf.keras, Keras
/// 3's legacy writer), and `model.to_json()` architecture files with a `.weights.h5` (or
/// legacy `.h5`) weights file — Keras's `model_from_json` + `load_weights`. The file's
/// kind is read from its first bytes, not its name.
///
/// ```swift
/// let file = try KerasModelFile(contentsOf: URL(fileURLWithPath: "imdb_lstm.keras"))
/// print(file.inputShape)               // [Optional(80)]: 80 token ids per review
/// try file.checkInput(x)               // x: [batch, 80] of ids below the vocabulary size
/// let p = file.model.predict(x)        // [batch, 1]
/// ```
public struct KerasModelFile {
  /// The model, its weights loaded; compiled when the file's `compile_config` names Adam
  /// and a loss RNNKit has, with Adam's saved state loaded.
  public let model: Sequential
  /// The per-sample input shape the file declares (nil: any length), e.g. `[80]` for 80
  /// token ids or `[nil, 3]` for sequences of 3 features.
  public let inputShape: [Int?]
  /// Whether the model takes token ids (an Embedding first) rather than float features.
  public let takesTokenIDs: Bool
  /// Whether an optimizer state was loaded along with the weights.
  public let loadedOptimizerState: Bool

  /// Reads the model in `url`.
  ///
  /// - Parameters:
  ///   - url: a `.keras` archive, a legacy `.h5` file, or a `model.to_json()` architecture.
  ///   - weights: the weights file for an architecture-only JSON (a `.weights.h5` or legacy
  ///     `.h5`); without it, the layers keep their fresh initial weights.
  /// - Throws: ``KerasFileError`` (or ``HDF5Error``) naming the file, the layer, the option
  ///   or weight and the expected and actual value, for a file RNNKit cannot read or a
  ///   layer or option it does not have.
  public init(contentsOf url: URL, weights: URL? = nil) throws {
    let file = url.relativePath
    let data = try readFile(url)
    var architecture: KerasArchitecture
    var tree: HDF5Group?
    var compileConfig: JSONValue?
    var weightsName = file
    switch FileKind(data) {
    case .zip:
      let archive: NPZArchive
      do { archive = try NPZ.read(data: data, name: file) } catch {
        throw KerasFileError(file: file, message: "not a readable .keras archive: \(error)")
      }
      let config = try JSONValue.parse(try member(archive, "config.json", file: file), name: file + "/config.json")
      architecture = try ConfigDecoder.decode(config, file: file + "/config.json")
      compileConfig = config["compile_config"]
      weightsName = file + "/model.weights.h5"
      tree = try HDF5File.read(image: try member(archive, "model.weights.h5", file: file), name: weightsName)
    case .hdf5:
      let h5 = try HDF5File.read(image: data, name: file)
      guard let text = h5.attributes["model_config"]?.strings?.first else {
        throw KerasFileError(
          file: file,
          message: "an HDF5 file without a model_config attribute (a weights-only file?): build the model from its architecture, then call loadKerasWeights")
      }
      let config = try JSONValue.parse(Data(text.utf8), name: file + "@model_config")
      architecture = try ConfigDecoder.decode(config, file: file)
      if let training = h5.attributes["training_config"]?.strings?.first {
        compileConfig = try? JSONValue.parse(Data(training.utf8), name: file)
      }
      tree = h5
    case .json:
      architecture = try ConfigDecoder.decode(try JSONValue.parse(data, name: file), file: file)
      if let weights {
        weightsName = weights.relativePath
        tree = try HDF5File.read(image: try readFile(weights), name: weightsName)
      }
    case .unknown:
      throw KerasFileError(
        file: file, message: "neither a .keras archive, an HDF5 file nor a JSON architecture (first bytes \(Array(data.prefix(8))))")
    }
    if let tree {
      let assignments = try readWeights(tree, layers: architecture.layers, file: weightsName)
      for (parameter, value) in assignments { parameter.value = value }
    }
    model = Sequential(architecture.layers.map(\.layer))
    inputShape = architecture.inputShape
    takesTokenIDs = architecture.takesTokenIDs
    var optimizerLoaded = false
    if try KerasTraining.compile(model, from: compileConfig, file: file), let tree {
      optimizerLoaded = try KerasTraining.loadOptimizer(tree, into: model, file: weightsName)
    }
    loadedOptimizerState = optimizerLoaded
  }

  /// Checks a batch `x` against the model's input: its shape per sample and, for token
  /// ids, that each is an integer below the Embedding's vocabulary size.
  ///
  /// - Throws: ``KerasFileError`` naming `name`, the expected and the actual value.
  public func checkInput(_ x: Tensor, name: String = "input") throws {
    let perSample = Array(x.shape.dropFirst())
    let fits = x.rank == inputShape.count + 1 && zip(perSample, inputShape).allSatisfy { $1 == nil || $0 == $1 }
    guard fits, x.shape.first ?? 0 > 0 else {
      throw KerasFileError(
        file: name,
        message: "shape \(x.shape) does not fit the model's input [batch] + \(LayerShapes.describe(inputShape))")
    }
    _ = try LayerShapes.output(of: model.layers, input: perSample.map { Optional($0) }, file: name)
    if let embedding = model.layers.first as? Embedding {
      do { try embedding.validate(x) } catch { throw KerasFileError(file: name, message: "\(error)") }
    }
  }
}

/// Reads the model in a Keras file (`.keras`, legacy `.h5`, or a JSON architecture with
/// `weights`), ready to predict, evaluate or train.
///
/// ```swift
/// let model = try loadKerasModel(URL(fileURLWithPath: "imdb_lstm.keras"))
/// let p = model.predict(x)     // x: [batch, 80] token ids → [batch, 1]
/// ```
public func loadKerasModel(_ url: URL, weights: URL? = nil) throws -> Sequential {
  try KerasModelFile(contentsOf: url, weights: weights).model
}

extension Sequential {
  /// Replaces the weights with those in a Keras weights file: a Keras 3 `*.weights.h5`
  /// (`model.save_weights`), or a legacy `.h5` (full model or weights only). Layers match
  /// by order and class, as Keras's `load_weights` does.
  ///
  /// - Throws: ``KerasFileError`` naming the layer, the weight and both shapes; every weight
  ///   is checked before any changes, so a failed load leaves the model as it was.
  ///
  /// ```swift
  /// let model = try Sequential(kerasJSON: String(contentsOfFile: "model.json"))
  /// try model.loadKerasWeights(URL(fileURLWithPath: "model.weights.h5"))
  /// ```
  public func loadKerasWeights(_ url: URL) throws {
    let file = url.relativePath
    let tree = try HDF5File.read(image: try readFile(url), name: file)
    let classes = try layers.enumerated().map { try ConfigEncoder.className(of: $1, index: $0, file: file) }
    var names = KerasWeights.groupNames(classes)
    // A legacy file keys layers by the names Keras gave them: match the weighted ones in order.
    let legacy = tree.groups["model_weights"] ?? tree
    if tree.groups["layers"] == nil, let saved = legacy.attributes["layer_names"]?.strings {
      let weighted = saved.filter { !(legacy.groups[$0]?.attributes["weight_names"]?.strings ?? []).isEmpty }
      let ours = layers.indices.filter { !layers[$0].parameters.isEmpty }
      guard weighted.count == ours.count else {
        throw KerasFileError(file: file, message: "the file holds weights for \(weighted.count) layers, the model has \(ours.count) layers with weights")
      }
      for (index, name) in zip(ours, weighted) { names[index] = name }
    }
    let entries = layers.indices.map { KerasLayerEntry(name: names[$0], className: classes[$0], layer: layers[$0]) }
    for (parameter, value) in try readWeights(tree, layers: entries, file: file) { parameter.value = value }
  }

  /// A model built from a Keras architecture: `model.to_json()`, or a `.keras` archive's
  /// `config.json`. Its weights are fresh; load trained ones with ``loadKerasWeights(_:)``.
  ///
  /// - Throws: ``KerasFileError`` for a config that is not a Keras model or that uses a
  ///   layer or option RNNKit does not have.
  ///
  /// ```swift
  /// let model = try Sequential(kerasJSON: #"{"class_name": "Sequential", "config": {"layers": [...]}}"#)
  /// ```
  public convenience init(kerasJSON: String, name: String = "Keras JSON") throws {
    let architecture = try ConfigDecoder.decode(try JSONValue.parse(Data(kerasJSON.utf8), name: name), file: name)
    self.init(architecture.layers.map(\.layer))
  }

  /// Writes the model as a Keras 3 `.keras` archive (`config.json`, `metadata.json`,
  /// `model.weights.h5`) that `keras.models.load_model` reads; with Adam, its state too,
  /// so training continues in Keras. The file appears whole or not at all.
  ///
  /// - Parameters:
  ///   - url: where to write the archive (conventionally `*.keras`).
  ///   - inputShape: the per-sample input shape, nil for any length; by default
  ///     `[nil]` (token ids) for a model that starts with an Embedding and `[nil, features]`
  ///     for one that starts with a recurrent or Conv1D layer. A model with a Flatten needs
  ///     its time steps here.
  /// - Throws: ``KerasFileError`` for a layer Keras has no equivalent of, or a layer
  ///   that has not created its weights yet.
  ///
  /// ```swift
  /// try model.saveKeras(URL(fileURLWithPath: "imdb_lstm.keras"))
  /// // Python: keras.models.load_model("imdb_lstm.keras").predict(x)
  /// ```
  public func saveKeras(_ url: URL, inputShape: [Int?]? = nil) throws {
    let file = url.relativePath
    var config = try ConfigEncoder.encode(layers, inputShape: try kerasInputShape(inputShape, file: file), file: file)
    if case .object(var members) = config, let compile = KerasTraining.compileConfig(of: self) {
      members["compile_config"] = compile
      config = .object(members)
    }
    var tree = try kerasWeightsTree(file: file)
    if let optimizer = KerasTraining.optimizerTree(of: self) { tree.groups["optimizer"] = optimizer }
    let stamp = ISO8601DateFormatter().string(from: Date())
    let metadata: JSONValue = ["keras_version": "3.15.1", "date_saved": .string(stamp), "written_by": "RNNKit"]
    let archive = StoredZip.archive([
      ("metadata.json", Data(metadata.encoded().utf8)), ("config.json", Data(config.encoded().utf8)),
      ("model.weights.h5", try HDF5File.image(of: tree, name: file + "/model.weights.h5")),
    ])
    try writeAtomically(archive, to: url)
  }

  /// Writes the weights as a Keras 3 `*.weights.h5` file (`model.save_weights`), which
  /// Keras's `load_weights` and ``loadKerasWeights(_:)`` read.
  ///
  /// ```swift
  /// try model.saveKerasWeights(URL(fileURLWithPath: "model.weights.h5"))
  /// ```
  public func saveKerasWeights(_ url: URL) throws {
    let file = url.relativePath
    try writeAtomically(try HDF5File.image(of: try kerasWeightsTree(file: file), name: file), to: url)
  }

  /// The model's architecture as Keras's `model.to_json()` writes it, for
  /// `keras.models.model_from_json` or ``init(kerasJSON:name:)``.
  ///
  /// ```swift
  /// try model.kerasJSON().write(toFile: "model.json", atomically: true, encoding: .utf8)
  /// ```
  public func kerasJSON(inputShape: [Int?]? = nil) throws -> String {
    try ConfigEncoder.encode(layers, inputShape: try kerasInputShape(inputShape, file: "Keras JSON"), file: "Keras JSON").encoded()
  }

  private func kerasWeightsTree(file: String) throws -> HDF5Group {
    for (i, layer) in layers.enumerated() where !isBuilt(layer) {
      throw KerasFileError(
        file: file, layer: "\(i) (\(type(of: layer)))",
        message: "has no weights yet: call the model once on data, or create the layer with inputSize:")
    }
    let classes = try layers.enumerated().map { try ConfigEncoder.className(of: $1, index: $0, file: file) }
    return KerasWeights.keras3Tree(Array(zip(classes, layers)).map { (className: $0.0, layer: $0.1) })
  }

  private func kerasInputShape(_ given: [Int?]?, file: String) throws -> [Int?] {
    if let given { return given }
    switch layers.first {
    case is Embedding: return [nil]
    case let conv as Conv1D where conv.inputSize != nil: return [nil, conv.inputSize]
    case let dense as Dense where dense.inputSize != nil: return [dense.inputSize]
    case let first?:
      if let recurrent = RecurrentLayer(first), let size = recurrent.inputSize { return [nil, size] }
      throw KerasFileError(file: file, message: "cannot tell the model's input shape from its first layer (\(type(of: first))): pass inputShape:")
    case nil:
      throw KerasFileError(file: file, message: "the model has no layers")
    }
  }
}

/// Whether `layer` has created its weights (layers that learn their input size on first use).
func isBuilt(_ layer: any Layer) -> Bool {
  switch layer {
  case let dense as Dense: return dense.inputSize != nil
  case let conv as Conv1D: return conv.inputSize != nil
  default: return RecurrentLayer(layer).map { $0.directions.allSatisfy { $0.cell.inputSize != nil } } ?? true
  }
}

/// The weights a Keras weights tree (Keras 3 or legacy) gives `layers`, all checked.
func readWeights(_ tree: HDF5Group, layers: [KerasLayerEntry], file: String) throws -> [KerasWeights.Assignment] {
  if tree.groups["layers"] != nil { return try KerasWeights.readKeras3(tree, layers: layers, file: file) }
  return try KerasWeights.readLegacy(tree, layers: layers, file: file)
}

/// What a file holds, from its first bytes.
enum FileKind {
  case zip, hdf5, json, unknown

  init(_ data: Data) {
    let head = Array(data.prefix(8))
    if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
      self = .zip
    } else if head == [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A] {
      self = .hdf5
    } else if let first = data.first(where: { ![0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF].contains($0) }), first == UInt8(ascii: "{") {
      self = .json
    } else {
      self = .unknown
    }
  }
}

func readFile(_ url: URL) throws -> Data {
  do { return try Data(contentsOf: url) } catch {
    throw KerasFileError(file: url.relativePath, message: "cannot read the file: \(error.localizedDescription)")
  }
}

func member(_ archive: NPZArchive, _ name: String, file: String) throws -> Data {
  do { return try archive.memberData(name) } catch {
    throw KerasFileError(file: file, message: "the archive has no readable \(name): \(error)")
  }
}

extension SentimentClassifier {
  /// Writes the classifier as a Keras 3 `.keras` archive: one Sequential of its embedding,
  /// recurrent layers and head, compiled as the classifier is (with Adam's state).
  ///
  /// ```swift
  /// try classifier.saveKeras(URL(fileURLWithPath: "imdb.keras"), inputShape: [80])
  /// ```
  public func saveKeras(_ url: URL, inputShape: [Int?]? = nil) throws {
    let flat = Sequential([embedding] + recurrent.layers + head.layers)
    if let optimizer, let loss { flat.compile(optimizer: optimizer, loss: loss, metrics: metrics) }
    try flat.saveKeras(url, inputShape: inputShape)
  }
}
