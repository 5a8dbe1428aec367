import RNNKit

/// Where a model's weights sit in Keras's HDF5 files, both ways.
///
/// Keras 3 (`model.weights.h5` inside a `.keras`, and `*.weights.h5`): each layer's group is
/// `layers/<snake_case class>[_n]`, numbered per class in model order; its variables are the
/// datasets `vars/0`, `vars/1`, … in `get_weights()` order, under `cell/` for a recurrent
/// layer and `forward_layer/cell/`, `backward_layer/cell/` for a Bidirectional one.
///
/// Legacy `.h5` (Keras 2, tf.keras and Keras 3's legacy writer): `model_weights/<layer
/// name>/…`, where each layer group's `weight_names` attribute lists its datasets' paths in
/// `get_weights()` order, and `model_weights`' `layer_names` lists the layers.
enum KerasWeights {
  /// A parameter and the value a file gives it.
  typealias Assignment = (parameter: Parameter, value: Tensor)

  // MARK: Keras 3

  /// The `snake_case` group names of `classNames`, numbered as Keras numbers them: `lstm`,
  /// `lstm_1`, `lstm_2`, … per class, in order.
  static func groupNames(_ classNames: [String]) -> [String] {
    var used: [String: Int] = [:]
    return classNames.map { className in
      let base = snakeCase(className)
      if let n = used[base] {
        used[base] = n + 1
        return "\(base)_\(n + 1)"
      }
      used[base] = 0
      return base
    }
  }

  /// Keras's `to_snake_case` of a class name: `SimpleRNN` → `simple_rnn`, `MaxPooling1D` →
  /// `max_pooling1d`, `ReLU` → `re_lu`.
  static func snakeCase(_ name: String) -> String {
    let chars = Array(name.filter { $0.isLetter || $0.isNumber || $0 == "_" })
    // Rule 1: "_" before a capital that starts a lowercase run, when something precedes it.
    var first: [Character] = []
    var i = 0
    while i < chars.count {
      if i > 0, chars[i].isUppercase, i + 1 < chars.count, chars[i + 1].isLowercase, first.last != nil {
        first.append("_")
      }
      first.append(chars[i])
      i += 1
    }
    // Rule 2: "_" between a lowercase letter and a capital.
    var second: [Character] = []
    for (j, c) in first.enumerated() {
      if j > 0, c.isUppercase, first[j - 1].isLowercase { second.append("_") }
      second.append(c)
    }
    return String(second).lowercased().replacingOccurrences(of: "__", with: "_")
  }

  /// The variable groups of one layer, relative to its group, with the parameters each holds
  /// in order; and the empty `vars` groups Keras writes beside them.
  static func variableGroups(of layer: any Layer) -> (filled: [(path: [String], parameters: [Parameter])], empty: [[String]]) {
    guard let recurrent = RecurrentLayer(layer) else { return ([(["vars"], layer.parameters)], []) }
    if recurrent.mergeMode == nil {
      return ([(["cell", "vars"], recurrent.directions[0].cell.parameters)], [["vars"]])
    }
    let (forward, backward) = (recurrent.directions[0].cell, recurrent.directions[1].cell)
    return (
      [(["forward_layer", "cell", "vars"], forward.parameters), (["backward_layer", "cell", "vars"], backward.parameters)],
      [["vars"], ["forward_layer", "vars"], ["backward_layer", "vars"]]
    )
  }

  /// The values a Keras 3 weights tree gives `layers`' parameters, every one checked
  /// (present, float32, the parameter's shape, finite) before any is returned.
  static func readKeras3(_ tree: HDF5Group, layers: [KerasLayerEntry], file: String) throws -> [Assignment] {
    guard let root = tree.groups["layers"] else {
      throw KerasFileError(file: file, message: "no \"layers\" group: not a Keras 3 weights file")
    }
    var result: [Assignment] = []
    for (entry, key) in zip(layers, groupNames(layers.map(\.className))) {
      let label = "'\(entry.name)' (\(entry.className))"
      for (path, parameters) in variableGroups(of: entry.layer).filled where !parameters.isEmpty {
        let fullPath = "layers/\(key)/" + path.joined(separator: "/")
        guard let group = root.group(at: ([key] + path).joined(separator: "/")) else {
          throw KerasFileError(file: file, layer: label, message: "missing group \(fullPath) (\(parameters.count) weights expected)")
        }
        guard group.datasets.count == parameters.count else {
          throw KerasFileError(
            file: file, layer: label,
            message: "\(fullPath) holds \(group.datasets.count) variables, expected \(parameters.count) (\(parameters.map(\.name).joined(separator: ", ")))")
        }
        for (i, parameter) in parameters.enumerated() {
          let value = try tensor(group.datasets["\(i)"], path: "\(fullPath)/\(i)", parameter: parameter, label: label, file: file)
          result.append((parameter, value))
        }
      }
    }
    return result
  }

  /// A Keras 3 weights tree holding `layers`' parameters (and nothing of an optimizer).
  static func keras3Tree(_ layers: [(className: String, layer: any Layer)]) -> HDF5Group {
    var root = HDF5Group()
    root.groups["vars"] = HDF5Group()
    var layersGroup = HDF5Group()
    for ((_, layer), key) in zip(layers, groupNames(layers.map(\.className))) {
      var group = HDF5Group()
      let (filled, empty) = variableGroups(of: layer)
      for path in empty { group.setGroup(HDF5Group(), at: path) }
      for (path, parameters) in filled {
        var vars = HDF5Group()
        vars.attributes["name"] = .string(path.dropLast().last ?? key)
        for (i, p) in parameters.enumerated() {
          vars.datasets["\(i)"] = HDF5Dataset(shape: p.value.shape, values: .float32(p.value.scalars))
        }
        group.setGroup(vars, at: path)
      }
      layersGroup.groups[key] = group
    }
    root.groups["layers"] = layersGroup
    return root
  }

  // MARK: Legacy

  /// The values a legacy `.h5` file's weights give `layers`' parameters, found through the
  /// `layer_names` and `weight_names` attributes.
  static func readLegacy(_ tree: HDF5Group, layers: [KerasLayerEntry], file: String) throws -> [Assignment] {
    // A full-model file keeps weights under model_weights; a Keras 2 save_weights file at the root.
    let weights = tree.groups["model_weights"] ?? tree
    guard let layerNames = weights.attributes["layer_names"]?.strings else {
      throw KerasFileError(file: file, message: "no layer_names attribute: not a legacy Keras weights file")
    }
    let saved = Set(layerNames)
    var result: [Assignment] = []
    for entry in layers {
      let parameters = entry.layer.parameters
      let label = "'\(entry.name)' (\(entry.className))"
      guard !parameters.isEmpty else { continue }
      guard saved.contains(entry.name), let group = weights.groups[entry.name] else {
        throw KerasFileError(file: file, layer: label, message: "no weights saved under model_weights/\(entry.name)")
      }
      let names = group.attributes["weight_names"]?.strings ?? []
      guard names.count == parameters.count else {
        throw KerasFileError(
          file: file, layer: label, message: "weight_names lists \(names.count) weights, expected \(parameters.count)")
      }
      for (name, parameter) in zip(names, parameters) {
        let path = "model_weights/\(entry.name)/\(name)"
        result.append((parameter, try tensor(group.dataset(at: name), path: path, parameter: parameter, label: label, file: file)))
      }
    }
    return result
  }

  // MARK: Checking

  /// `dataset` as a tensor for `parameter`, or an error naming the path and both shapes.
  static func tensor(
    _ dataset: HDF5Dataset?, path: String, parameter: Parameter, label: String, file: String
  ) throws -> Tensor {
    guard let dataset else {
      throw KerasFileError(file: file, layer: label, message: "missing dataset \(path) (\(parameter.name), shape \(parameter.value.shape))")
    }
    guard dataset.shape == parameter.value.shape else {
      throw KerasFileError(
        file: file, layer: label,
        message: "\(path) (\(parameter.name)) has shape \(dataset.shape), expected \(parameter.value.shape)")
    }
    guard case .float32(let values) = dataset.values else {
      throw KerasFileError(file: file, layer: label, message: "\(path) (\(parameter.name)) is not a float dataset")
    }
    if let bad = values.firstIndex(where: { !$0.isFinite }) {
      throw KerasFileError(
        file: file, layer: label, message: "\(path) (\(parameter.name)) holds \(values[bad]) at flat index \(bad); weights must be finite")
    }
    return Tensor(shape: dataset.shape, scalars: values)
  }
}
