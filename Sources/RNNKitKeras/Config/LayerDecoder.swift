import RNNKit

/// Builds the RNNKit layer one Keras layer config describes, for the per-sample `input`
/// shape it receives. Every option RNNKit implements is read; an option that would change
/// what the layer computes and that RNNKit lacks is refused, naming it. Initializers are
/// not read: a loaded model's weights come from the file.
struct LayerDecoder {
  let reader: ConfigReader
  let input: [Int?]

  /// The size of the input's last axis, which sizes the layer's weights.
  func features() throws -> Int {
    guard let last = input.last, let f = last else {
      throw reader.fail("needs a known input feature size, got input shape \(LayerShapes.describe(input))")
    }
    return f
  }

  /// The most values one weight may hold (2^28 floats, 1 GiB): a config is input from
  /// outside, and its sizes are checked before any weight is allocated.
  static let maximumWeightValues = 1 << 28

  /// Refuses a weight of `shape` (named for the message) larger than ``maximumWeightValues``.
  func checkWeight(_ name: String, shape: [Int]) throws {
    var count = 1
    for d in shape {
      let (product, overflow) = count.multipliedReportingOverflow(by: d)
      guard !overflow, product <= Self.maximumWeightValues else {
        throw reader.fail("its \(name) would be \(shape), more than the \(Self.maximumWeightValues) values RNNKit allocates for one weight")
      }
      count = product
    }
  }

  func layer() throws -> any Layer {
    switch reader.className {
    case "Embedding": return try embedding()
    case "Dense": return try dense()
    case "SimpleRNN", "LSTM", "GRU":
      let options = try RecurrentOptions(reader, insideBidirectional: false)
      try options.checkWeights(inputSize: features(), with: self)
      return options.layer(inputSize: try features())
    case "Bidirectional": return try bidirectional()
    case "Conv1D", "Convolution1D": return try conv1D()
    case "MaxPooling1D", "MaxPool1D": return try maxPooling1D()
    case "GlobalMaxPooling1D", "GlobalMaxPool1D", "GlobalAveragePooling1D", "GlobalAvgPool1D":
      try reader.require("data_format", equals: "channels_last")
      try reader.require("keepdims", equals: false)
      return reader.className.contains("Max") ? GlobalMaxPooling1D() as any Layer : GlobalAveragePooling1D()
    case "Flatten":
      try reader.require("data_format", equals: "channels_last")
      return Flatten()
    case "Dropout":
      try reader.requireNull("noise_shape")
      return Dropout(rate: try reader.float("rate", default: 0, in: 0..<1))
    case "Activation":
      return ActivationLayer(try reader.activation("activation", default: .linear))
    case "ReLU":
      try reader.requireNull("max_value")
      try reader.require("negative_slope", equals: 0)
      try reader.require("threshold", equals: 0)
      return ActivationLayer(.relu)
    case "Softmax":
      try reader.require("axis", equals: -1)
      return ActivationLayer(.softmax)
    default:
      throw reader.fail(
        "RNNKit has no layer \(reader.className) (it reads InputLayer, Embedding, SimpleRNN, LSTM, GRU, Bidirectional, Dense, Dropout, Activation, ReLU, Softmax, Flatten, Conv1D, MaxPooling1D, GlobalMaxPooling1D, GlobalAveragePooling1D)")
    }
  }

  func embedding() throws -> Embedding {
    try reader.requireNull("embeddings_regularizer", "activity_regularizer", "embeddings_constraint", "lora_rank")
    try reader.require("sparse", equals: false)
    guard input.count == 1 else {
      throw reader.fail("expected input of shape [time] (token ids), got \(LayerShapes.describe(input))")
    }
    let (inputDim, outputDim) = (try reader.int("input_dim"), try reader.int("output_dim"))
    try checkWeight("embeddings", shape: [inputDim, outputDim])
    return Embedding(inputDim: inputDim, outputDim: outputDim, maskZero: try reader.bool("mask_zero", default: false))
  }

  func dense() throws -> Dense {
    try reader.requireNull(
      "kernel_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint", "lora_rank")
    let units = try reader.int("units")
    try checkWeight("kernel", shape: [try features(), units])
    return Dense(
      units: units, activation: try reader.activation("activation", default: .linear),
      useBias: try reader.bool("use_bias", default: true), inputSize: try features())
  }

  func conv1D() throws -> Conv1D {
    try reader.requireNull(
      "kernel_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint")
    try reader.require("data_format", equals: "channels_last")
    try reader.require("dilation_rate", equals: 1)
    try reader.require("groups", equals: 1)
    let (filters, kernelSize) = (try reader.int("filters"), try reader.int("kernel_size"))
    try checkWeight("kernel", shape: [kernelSize, try features(), filters])
    return Conv1D(
      filters: filters, kernelSize: kernelSize,
      strides: try reader.int("strides", default: 1), padding: try padding(),
      activation: try reader.activation("activation", default: .linear),
      useBias: try reader.bool("use_bias", default: true), inputSize: try features())
  }

  func maxPooling1D() throws -> MaxPooling1D {
    try reader.require("data_format", equals: "channels_last")
    let pool = try reader.int("pool_size", default: 2)
    return MaxPooling1D(poolSize: pool, strides: try reader.int("strides", default: pool), padding: try padding())
  }

  func padding() throws -> Padding {
    let text = try reader.string("padding", default: "valid")
    guard let padding = Padding(rawValue: text) else {
      throw reader.refuse("padding", expected: "\"valid\" or \"same\"", actual: .string(text))
    }
    return padding
  }

  func bidirectional() throws -> any Layer {
    let modeValue = reader.value("merge_mode") ?? .null
    guard let modeText = modeValue.string, let mode = MergeMode(rawValue: modeText) else {
      throw reader.refuse("merge_mode", expected: "\"concat\", \"sum\", \"mul\" or \"ave\"", actual: modeValue)
    }
    guard let inner = reader.value("layer"), let innerClass = inner["class_name"]?.string else {
      throw reader.fail("has no wrapped \"layer\"")
    }
    let forward = try RecurrentOptions(
      ConfigReader(file: reader.file, className: innerClass, config: inner["config"] ?? .null), insideBidirectional: true)
    if let backward = reader.value("backward_layer") {
      let backwardClass = backward["class_name"]?.string ?? "?"
      let options = try RecurrentOptions(
        ConfigReader(file: reader.file, className: backwardClass, config: backward["config"] ?? .null),
        insideBidirectional: true)
      guard options.matchesReversed(forward) else {
        throw reader.fail(
          "option backward_layer: expected the forward layer's class and options with go_backwards flipped, got a different \(backwardClass); RNNKit's Bidirectional runs one layer configuration both ways")
      }
    }
    let inputSize = try features()
    try forward.checkWeights(inputSize: inputSize, with: self)
    switch forward.kind {
    case .simpleRNN: return Bidirectional(forward.simpleRNN(inputSize: inputSize), mergeMode: mode)
    case .lstm: return Bidirectional(forward.lstm(inputSize: inputSize), mergeMode: mode)
    case .gru: return Bidirectional(forward.gru(inputSize: inputSize), mergeMode: mode)
    }
  }
}

/// The options of a Keras SimpleRNN, LSTM or GRU config that RNNKit implements.
struct RecurrentOptions: Equatable {
  enum Kind: Equatable { case simpleRNN, lstm, gru }

  let kind: Kind
  let units: Int
  let activation: Activation
  let useBias: Bool
  let returnSequences: Bool
  let goBackwards: Bool
  let dropout: Float
  let recurrentDropout: Float
  let unitForgetBias: Bool
  let resetAfter: Bool

  init(_ reader: ConfigReader, insideBidirectional: Bool) throws {
    switch reader.className {
    case "SimpleRNN": kind = .simpleRNN
    case "LSTM": kind = .lstm
    case "GRU": kind = .gru
    default: throw reader.fail("RNNKit wraps SimpleRNN, LSTM or GRU in Bidirectional, not \(reader.className)")
    }
    try reader.requireNull(
      "kernel_regularizer", "recurrent_regularizer", "bias_regularizer", "activity_regularizer",
      "kernel_constraint", "recurrent_constraint", "bias_constraint")
    try reader.require("return_state", equals: false)
    try reader.require("stateful", equals: false)
    try reader.require("time_major", equals: false)
    // Keras sets zero_output_for_mask on Bidirectional's layers; RNNKit's Bidirectional does too.
    if !insideBidirectional { try reader.require("zero_output_for_mask", equals: false) }
    units = try reader.int("units")
    activation = try reader.activation("activation", default: .tanh, allowed: kind == .simpleRNN ? [.tanh, .relu] : [.tanh])
    if kind != .simpleRNN { _ = try reader.activation("recurrent_activation", default: .sigmoid, allowed: [.sigmoid]) }
    useBias = try reader.bool("use_bias", default: true)
    returnSequences = try reader.bool("return_sequences", default: false)
    goBackwards = try reader.bool("go_backwards", default: false)
    dropout = try reader.float("dropout", default: 0, in: 0..<1)
    recurrentDropout = try reader.float("recurrent_dropout", default: 0, in: 0..<1)
    unitForgetBias = try reader.bool("unit_forget_bias", default: true)
    resetAfter = kind == .gru ? try reader.bool("reset_after", default: true) : true
  }

  /// Refuses sizes whose kernels would exceed ``LayerDecoder/maximumWeightValues``.
  func checkWeights(inputSize: Int, with decoder: LayerDecoder) throws {
    let gates = kind == .lstm ? 4 : kind == .gru ? 3 : 1
    let (width, overflow) = units.multipliedReportingOverflow(by: gates)
    guard !overflow else { return try decoder.checkWeight("kernel", shape: [inputSize, units, gates]) }
    try decoder.checkWeight("kernel", shape: [inputSize, width])
    try decoder.checkWeight("recurrent_kernel", shape: [units, width])
  }

  /// Whether `self` is `forward` run the other way: a Bidirectional's backward layer.
  func matchesReversed(_ forward: RecurrentOptions) -> Bool {
    kind == forward.kind && units == forward.units && activation == forward.activation && useBias == forward.useBias
      && returnSequences == forward.returnSequences && goBackwards != forward.goBackwards
      && dropout == forward.dropout && recurrentDropout == forward.recurrentDropout
      && unitForgetBias == forward.unitForgetBias && resetAfter == forward.resetAfter
  }

  func layer(inputSize: Int) -> any Layer {
    switch kind {
    case .simpleRNN: return simpleRNN(inputSize: inputSize)
    case .lstm: return lstm(inputSize: inputSize)
    case .gru: return gru(inputSize: inputSize)
    }
  }

  func simpleRNN(inputSize: Int) -> SimpleRNN {
    SimpleRNN(
      units: units, activation: activation, useBias: useBias, dropout: dropout, recurrentDropout: recurrentDropout,
      returnSequences: returnSequences, goBackwards: goBackwards, inputSize: inputSize)
  }

  func lstm(inputSize: Int) -> LSTM {
    LSTM(
      units: units, useBias: useBias, unitForgetBias: unitForgetBias, dropout: dropout,
      recurrentDropout: recurrentDropout, returnSequences: returnSequences, goBackwards: goBackwards,
      inputSize: inputSize)
  }

  func gru(inputSize: Int) -> GRU {
    GRU(
      units: units, useBias: useBias, resetAfter: resetAfter, dropout: dropout, recurrentDropout: recurrentDropout,
      returnSequences: returnSequences, goBackwards: goBackwards, inputSize: inputSize)
  }
}
