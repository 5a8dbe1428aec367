import RNNKit

/// A Keras file's training set-up both ways: `compile_config` (optimizer, loss, metrics) and
/// Adam's variables under `optimizer/vars` — `0` the iteration count, `1` the learning rate,
/// then each trainable variable's momentum and velocity in `model.trainable_variables`
/// order — so training continues where it stopped, in Keras or in RNNKit.
enum KerasTraining {
  /// Compiles `model` as `compileConfig` says when RNNKit has its optimizer (Adam) and loss
  /// (binary, categorical or sparse categorical cross-entropy, mean squared error); returns
  /// whether it did. Another optimizer or loss leaves the model uncompiled, to compile in Swift.
  static func compile(_ model: Model, from compileConfig: JSONValue?, file: String) throws -> Bool {
    guard let compileConfig, let optimizer = compileConfig["optimizer"], let lossValue = compileConfig["loss"] else {
      return false
    }
    guard optimizer["class_name"]?.string == "Adam", let options = optimizer["config"] else { return false }
    let reader = try ConfigReader(file: file, className: "Adam", config: options)
    try reader.require("use_ema", equals: false)
    try reader.requireNull("weight_decay", "gradient_accumulation_steps")
    guard let learningRate = options["learning_rate"]?.number else { return false }  // a schedule
    func optional(_ key: String) throws -> Float? {
      guard let v = reader.value(key) else { return nil }
      guard let n = v.number, n > 0, n.isFinite else { throw reader.fail("option \(key): expected a positive number, got \(v.encoded())") }
      return Float(n)
    }
    let adam = Adam(
      learningRate: Float(learningRate), beta1: try reader.float("beta_1", default: 0.9, in: 0..<1),
      beta2: try reader.float("beta_2", default: 0.999, in: 0..<1),
      epsilon: try reader.float("epsilon", default: 1e-7, in: 0..<1), amsgrad: try reader.bool("amsgrad", default: false),
      clipnorm: try optional("clipnorm"), clipvalue: try optional("clipvalue"), globalClipnorm: try optional("global_clipnorm"))
    guard let (loss, accuracy) = lossAndAccuracy(lossValue) else { return false }
    let wantsAccuracy = compileConfig["metrics"]?.array?.contains { $0.string == "accuracy" || $0.string == "acc" } ?? false
    model.compile(optimizer: adam, loss: loss, metrics: wantsAccuracy ? [accuracy] : [])
    return true
  }

  /// RNNKit's loss for a Keras loss entry (a name or a serialized object) and its accuracy.
  static func lossAndAccuracy(_ value: JSONValue) -> (any Loss, any Metric)? {
    let name = value.string ?? value["class_name"]?.string ?? ""
    let fromLogits: Bool = {
      if case .bool(let b) = value["config"]?["from_logits"] ?? .bool(false) { return b }
      return false
    }()
    switch name {
    case "binary_crossentropy", "BinaryCrossentropy":
      return (BinaryCrossentropy(fromLogits: fromLogits), BinaryAccuracy(threshold: fromLogits ? 0 : 0.5))
    case "categorical_crossentropy", "CategoricalCrossentropy":
      return (CategoricalCrossentropy(fromLogits: fromLogits), CategoricalAccuracy())
    case "sparse_categorical_crossentropy", "SparseCategoricalCrossentropy":
      return (SparseCategoricalCrossentropy(fromLogits: fromLogits), SparseCategoricalAccuracy())
    case "mse", "mean_squared_error", "MeanSquaredError":
      return (MeanSquaredError(), Accuracy())
    default:
      return nil
    }
  }

  /// The `compile_config` Keras reads for `model`, when it is compiled with Adam and a loss
  /// Keras has.
  static func compileConfig(of model: Model) -> JSONValue? {
    guard let adam = model.optimizer as? Adam, !adam.amsgrad, let loss = model.loss else { return nil }
    let (className, fromLogits): (String, Bool)
    switch loss {
    case let l as BinaryCrossentropy: (className, fromLogits) = ("BinaryCrossentropy", l.fromLogits)
    case let l as CategoricalCrossentropy: (className, fromLogits) = ("CategoricalCrossentropy", l.fromLogits)
    case let l as SparseCategoricalCrossentropy: (className, fromLogits) = ("SparseCategoricalCrossentropy", l.fromLogits)
    case is MeanSquaredError: (className, fromLogits) = ("MeanSquaredError", false)
    default: return nil
    }
    var options: [String: JSONValue] = [
      "name": "adam", "learning_rate": .number(Double(adam.currentLearningRate)), "beta_1": .number(Double(adam.beta1)),
      "beta_2": .number(Double(adam.beta2)), "epsilon": .number(Double(adam.epsilon)), "amsgrad": false, "use_ema": false,
    ]
    if let clipping = adam.clipping {
      switch clipping {
      case .norm(let v): options["clipnorm"] = .number(Double(v))
      case .value(let v): options["clipvalue"] = .number(Double(v))
      case .globalNorm(let v): options["global_clipnorm"] = .number(Double(v))
      }
    }
    let metrics: JSONValue = model.metrics.isEmpty ? .null : ["accuracy"]
    return [
      "optimizer": ["module": "keras.optimizers", "class_name": "Adam", "config": .object(options), "registered_name": nil],
      "loss": [
        "module": "keras.losses", "class_name": .string(className), "registered_name": nil,
        "config": className == "MeanSquaredError" ? ["name": "mean_squared_error"] : ["from_logits": .bool(fromLogits)],
      ],
      "metrics": metrics, "loss_weights": nil, "weighted_metrics": nil, "run_eagerly": false,
      "steps_per_execution": 1, "jit_compile": false,
    ]
  }

  /// Loads Adam's saved variables into `model`'s optimizer. Does nothing when the file has
  /// none or the model is not compiled with Adam; checks every shape before changing anything.
  static func loadOptimizer(_ tree: HDF5Group, into model: Model, file: String) throws -> Bool {
    guard let vars = tree.group(at: "optimizer/vars"), !vars.datasets.isEmpty, let adam = model.optimizer as? Adam,
      !adam.amsgrad
    else { return false }
    let parameters = model.trainableParameters
    let expected = 2 + 2 * parameters.count
    guard vars.datasets.count == expected else {
      throw KerasFileError(
        file: file, message: "optimizer/vars holds \(vars.datasets.count) variables, expected \(expected) (iteration, learning_rate, then momentum and velocity for each of the \(parameters.count) trainable weights)")
    }
    guard case .int64(let iterations)? = vars.datasets["0"]?.values, iterations.count == 1,
      let iteration = iterations.first, iteration >= 0, iteration < Int64(Int32.max)
    else {
      throw KerasFileError(file: file, message: "optimizer/vars/0 (the iteration count): expected one integer in 0..<2^31")
    }
    var state: [String: Tensor] = ["iterations": Tensor(Float(iteration))]
    for (i, p) in parameters.enumerated() {
      for (slot, offset) in [("m", 2), ("v", 3)] {
        let path = "optimizer/vars/\(2 * i + offset)"
        let label = "optimizer (Adam), \(slot == "m" ? "momentum" : "velocity") of \(p.name)"
        state["\(slot)/\(i)"] = try KerasWeights.tensor(
          vars.datasets["\(2 * i + offset)"], path: path, parameter: p, label: label, file: file)
      }
    }
    try adam.loadState(state, for: parameters)
    if case .float32(let rate)? = vars.datasets["1"]?.values, rate.count == 1, rate[0].isFinite, rate[0] > 0,
      case .constant = adam.learningRate
    {
      adam.learningRate = .constant(rate[0])
    }
    return true
  }

  /// `optimizer/vars` for `model`'s Adam, nil when it has no Adam.
  static func optimizerTree(of model: Model) -> HDF5Group? {
    guard let adam = model.optimizer as? Adam, !adam.amsgrad, compileConfig(of: model) != nil else { return nil }
    let parameters = model.trainableParameters
    let state = adam.state(for: parameters)
    var vars = HDF5Group()
    vars.attributes["name"] = .string("adam")
    vars.datasets["0"] = HDF5Dataset(shape: [], values: .int64([Int64(adam.iterations)]))
    vars.datasets["1"] = HDF5Dataset(shape: [], values: .float32([adam.currentLearningRate]))
    for (i, p) in parameters.enumerated() {
      for (slot, offset) in [("m", 2), ("v", 3)] {
        let value = state["\(slot)/\(i)"] ?? Tensor(zeros: p.value.shape)
        vars.datasets["\(2 * i + offset)"] = HDF5Dataset(shape: value.shape, values: .float32(value.scalars))
      }
    }
    var optimizer = HDF5Group()
    optimizer.groups["vars"] = vars
    return optimizer
  }
}
