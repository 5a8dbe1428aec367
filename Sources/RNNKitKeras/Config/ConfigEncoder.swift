import RNNKit

/// Writes a `Sequential`'s architecture as the Keras 3 config that `keras.models.load_model`
/// and `keras.models.model_from_json` read: an InputLayer with the model's input shape, then
/// each layer's class, options and input shape (`build_config`), so Keras builds every
/// layer before it loads the weights.
enum ConfigEncoder {
  /// The Keras class RNNKit writes for `layer`, or an error naming the layer.
  static func className(of layer: any Layer, index: Int, file: String) throws -> String {
    switch layer {
    case is Embedding: return "Embedding"
    case is Dense: return "Dense"
    case is Conv1D: return "Conv1D"
    case is MaxPooling1D: return "MaxPooling1D"
    case is GlobalMaxPooling1D: return "GlobalMaxPooling1D"
    case is GlobalAveragePooling1D: return "GlobalAveragePooling1D"
    case is Flatten: return "Flatten"
    case is Dropout: return "Dropout"
    case is ActivationLayer: return "Activation"
    default:
      if let recurrent = RecurrentLayer(layer) {
        return recurrent.mergeMode != nil ? "Bidirectional" : recurrentClass(recurrent.directions[0].cell)
      }
      throw KerasFileError(
        file: file, layer: "\(index) (\(type(of: layer)))", message: "Keras has no layer RNNKit can write for a \(type(of: layer))")
    }
  }

  static func recurrentClass(_ cell: RecurrentCell) -> String {
    switch cell {
    case is LSTMCell: return "LSTM"
    case is GRUCell: return "GRU"
    default: return "SimpleRNN"
    }
  }

  /// The model config of `layers` for a per-sample `inputShape`.
  static func encode(_ layers: [any Layer], inputShape: [Int?], file: String) throws -> JSONValue {
    let classes = try layers.enumerated().map { try className(of: $1, index: $0, file: file) }
    let names = KerasWeights.groupNames(classes)
    let batchShape = JSONValue.array([.null] + inputShape.map { $0.map { .number(Double($0)) } ?? .null })
    let inputLayer: JSONValue = [
      "module": "keras.layers", "class_name": "InputLayer", "registered_name": nil,
      "config": [
        "batch_shape": batchShape, "dtype": layers.first is Embedding ? "int32" : "float32", "sparse": false,
        "ragged": false, "name": "input_layer",
      ],
    ]
    var items: [JSONValue] = [inputLayer]
    var shape = inputShape
    for (i, layer) in layers.enumerated() {
      let label = "'\(names[i])' (\(classes[i]))"
      let input = shape
      shape = try LayerShapes.output(of: layer, input: input, label: label, file: file)
      let inputJSON = JSONValue.array([.null] + input.map { $0.map { .number(Double($0)) } ?? .null })
      items.append([
        "module": "keras.layers", "class_name": .string(classes[i]), "registered_name": nil,
        "config": try config(of: layer, name: names[i], label: label, file: file),
        "build_config": ["input_shape": inputJSON],
      ])
    }
    return [
      "module": "keras", "class_name": "Sequential", "registered_name": nil,
      "config": ["name": "sequential", "trainable": true, "dtype": "float32", "layers": .array(items), "build_input_shape": batchShape],
      "build_config": ["input_shape": batchShape],
    ]
  }

  static func base(_ name: String, _ layer: any Layer) -> [String: JSONValue] {
    ["name": .string(name), "trainable": .bool(layer.trainable), "dtype": "float32"]
  }

  static func config(of layer: any Layer, name: String, label: String, file: String) throws -> JSONValue {
    var c = base(name, layer)
    switch layer {
    case let l as Embedding:
      c["input_dim"] = .number(Double(l.inputDim))
      c["output_dim"] = .number(Double(l.outputDim))
      c["mask_zero"] = .bool(l.maskZero)
    case let l as Dense:
      c["units"] = .number(Double(l.units))
      c["activation"] = .string(l.activation.rawValue)
      c["use_bias"] = .bool(l.useBias)
    case let l as Conv1D:
      c["filters"] = .number(Double(l.filters))
      c["kernel_size"] = [.number(Double(l.kernelSize))]
      c["strides"] = [.number(Double(l.strides))]
      c["padding"] = .string(l.padding.rawValue)
      c["data_format"] = "channels_last"
      c["dilation_rate"] = [1]
      c["groups"] = 1
      c["activation"] = .string(l.activation.rawValue)
      c["use_bias"] = .bool(l.useBias)
    case let l as MaxPooling1D:
      c["pool_size"] = [.number(Double(l.poolSize))]
      c["strides"] = [.number(Double(l.strides))]
      c["padding"] = .string(l.padding.rawValue)
      c["data_format"] = "channels_last"
    case is GlobalMaxPooling1D, is GlobalAveragePooling1D:
      c["data_format"] = "channels_last"
      c["keepdims"] = false
    case is Flatten:
      c["data_format"] = "channels_last"
    case let l as Dropout:
      c["rate"] = .number(Double(l.rate))
    case let l as ActivationLayer:
      c["activation"] = .string(l.activation.rawValue)
    default:
      guard let recurrent = RecurrentLayer(layer) else {
        throw KerasFileError(file: file, layer: label, message: "Keras has no layer RNNKit can write for a \(type(of: layer))")
      }
      guard let mode = recurrent.mergeMode else { return .object(c.merging(recurrentOptions(recurrent.directions[0])) { $1 }) }
      let cellClass = recurrentClass(recurrent.directions[0].cell)
      func wrapped(_ direction: AnyRNN, prefix: String) -> JSONValue {
        var inner = base("\(prefix)_\(KerasWeights.snakeCase(cellClass))", direction.layer)
        inner.merge(recurrentOptions(direction)) { $1 }
        inner["zero_output_for_mask"] = .bool(direction.returnSequences)
        return ["module": "keras.layers", "class_name": .string(cellClass), "registered_name": nil, "config": .object(inner)]
      }
      c["merge_mode"] = .string(mode.rawValue)
      c["layer"] = wrapped(recurrent.directions[0], prefix: "forward")
      c["backward_layer"] = wrapped(recurrent.directions[1], prefix: "backward")
    }
    return .object(c)
  }

  static func recurrentOptions(_ rnn: AnyRNN) -> [String: JSONValue] {
    let cell = rnn.cell
    var c: [String: JSONValue] = [
      "units": .number(Double(cell.units)), "use_bias": .bool(cell.useBias),
      "return_sequences": .bool(rnn.returnSequences), "return_state": false, "go_backwards": .bool(rnn.goBackwards),
      "stateful": false, "unroll": false, "zero_output_for_mask": false,
      "dropout": .number(Double(cell.dropout)), "recurrent_dropout": .number(Double(cell.recurrentDropout)),
    ]
    switch cell {
    case let lstm as LSTMCell:
      c["activation"] = "tanh"
      c["recurrent_activation"] = "sigmoid"
      c["unit_forget_bias"] = .bool(lstm.unitForgetBias)
    case let gru as GRUCell:
      c["activation"] = "tanh"
      c["recurrent_activation"] = "sigmoid"
      c["reset_after"] = .bool(gru.resetAfter)
    case let simple as SimpleRNNCell:
      c["activation"] = .string(simple.activation.rawValue)
    default:
      break
    }
    return c
  }
}
