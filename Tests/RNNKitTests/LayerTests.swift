import Foundation
import Testing

@testable import RNNKit

/// Checks the tape's gradient of L = Σ f() ⊙ P with respect to each parameter against
/// central finite differences, perturbing `parameter.value` in place (same tolerance
/// reasoning as ``expectGradientsMatchFiniteDifferences``).
func expectParameterGradientsMatchFiniteDifferences(
  _ parameters: [Parameter], eps: Float = 1e-2, tolerance: Float = 2e-3,
  sourceLocation: SourceLocation = #_sourceLocation, _ f: @escaping () -> Tensor
) {
  let projection = Tensor(randomUniform: f().shape, lower: -1, upper: 1, seed: 98)
  let loss = { () -> Double in
    zip(f().scalars, projection.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
  }
  let tape = GradientTape()
  let value = tape.record { (f() * projection).sum() }
  let analytic = tape.gradient(of: value, wrt: parameters)
  for (k, p) in parameters.enumerated() {
    let original = p.value
    var numeric = [Float](repeating: 0, count: original.scalarCount)
    for i in 0..<original.scalarCount {
      var plus = original.scalars, minus = original.scalars
      plus[i] += eps
      minus[i] -= eps
      p.value = Tensor(shape: original.shape, scalars: plus)
      let lp = loss()
      p.value = Tensor(shape: original.shape, scalars: minus)
      let lm = loss()
      numeric[i] = Float((lp - lm) / Double(2 * eps))
    }
    p.value = original
    #expect(
      isClose(analytic[k].scalars, numeric, absolute: tolerance, relative: tolerance),
      "parameter \(p.name): analytic \(analytic[k].scalars) vs numeric \(numeric)", sourceLocation: sourceLocation)
  }
}

// MARK: - Finite differences

@Suite struct LayerGradientTests {
  @Test(arguments: Activation.allCases)
  func denseGradientsMatchFiniteDifferences(activation: Activation) throws {
    // Inputs kept away from relu's kink: |z| is well above eps for these seeds.
    let dense = Dense(units: 3, activation: activation, inputSize: 4, seed: 11)
    try dense.setWeights([Tensor(randomUniform: [4, 3], lower: -0.6, upper: 0.6, seed: 5), Tensor([0.3, -0.2, 0.1])])
    let x = Tensor(randomNormal: [2, 3, 4], seed: 3)
    expectGradientsMatchFiniteDifferences(at: [x]) { dense($0[0]) }
    expectParameterGradientsMatchFiniteDifferences(dense.parameters) { dense(x) }
  }

  @Test func denseWithoutBiasHasOnlyAKernel() {
    let dense = Dense(units: 2, activation: .tanh, useBias: false, inputSize: 3, seed: 1)
    #expect(dense.parameters.map(\.name) == ["kernel"])
    expectParameterGradientsMatchFiniteDifferences(dense.parameters) { dense(Tensor(randomNormal: [4, 3], seed: 2)) }
  }

  @Test func softmaxGradientMatchesFiniteDifferences() {
    expectGradientsMatchFiniteDifferences(at: [Tensor(randomNormal: [3, 2, 5], seed: 4)]) { softmax($0[0]) }
  }

  @Test func embeddingGradientMatchesFiniteDifferences() throws {
    let embedding = Embedding(inputDim: 6, outputDim: 3, seed: 2)
    let ids = Tensor([[1, 2, 2, 0], [5, 1, 1, 1]])
    expectParameterGradientsMatchFiniteDifferences(embedding.parameters) { embedding(ids) }
  }

  static let lossCases: [(String, any Loss, Tensor, Tensor)] = [
    ("bce probs", BinaryCrossentropy(), Tensor(randomUniform: [4, 3], lower: 0.2, upper: 0.8, seed: 1),
     Tensor([[1, 0, 1], [0, 0, 1], [1, 1, 0], [0.3, 0.5, 1]])),
    ("bce logits", BinaryCrossentropy(fromLogits: true), Tensor(randomNormal: [4, 3], standardDeviation: 3, seed: 2),
     Tensor([[1, 0, 1], [0, 0, 1], [1, 1, 0], [0.3, 0.5, 1]])),
    ("cce probs", CategoricalCrossentropy(), Tensor(randomUniform: [3, 4], lower: 0.1, upper: 0.9, seed: 3),
     Tensor([[1, 0, 0, 0], [0, 0.5, 0.5, 0], [0, 0, 0, 1]])),
    ("cce logits", CategoricalCrossentropy(fromLogits: true), Tensor(randomNormal: [3, 4], seed: 4),
     Tensor([[1, 0, 0, 0], [0, 0.5, 0.5, 0], [0, 0, 0, 1]])),
    ("scce probs", SparseCategoricalCrossentropy(), Tensor(randomUniform: [3, 4], lower: 0.1, upper: 0.9, seed: 5),
     Tensor([0, 3, 2])),
    ("scce logits", SparseCategoricalCrossentropy(fromLogits: true), Tensor(randomNormal: [2, 3, 4], seed: 6),
     Tensor([[0, 3, 2], [1, 1, 0]])),
    ("mse", MeanSquaredError(), Tensor(randomNormal: [4, 3], seed: 7), Tensor(randomNormal: [4, 3], seed: 8)),
    ("mse column", MeanSquaredError(), Tensor(randomNormal: [5, 1], seed: 9), Tensor(randomNormal: [5], seed: 10)),
  ]

  @Test(arguments: lossCases.indices)
  func lossGradientMatchesFiniteDifferences(index: Int) {
    let (name, loss, predictions, targets) = Self.lossCases[index]
    #expect(throws: Never.self, "\(name)") { try loss.validate(predictionShape: predictions.shape, targets: targets) }
    expectGradientsMatchFiniteDifferences(at: [predictions], eps: 1e-3) { loss($0[0], targets) }
  }

  /// Against a plain Double reference: the formulas Keras documents.
  @Test func lossValuesMatchADoubleReference() {
    let p: [Double] = [0.9, 0.2, 0.6, 0.4], y: [Double] = [1, 0, 0, 1]
    let bce = zip(p, y).map { -($1 * Foundation.log($0) + (1 - $1) * Foundation.log(1 - $0)) }.reduce(0, +) / 4
    let value = BinaryCrossentropy()(Tensor(shape: [4, 1], scalars: p.map(Float.init)), Tensor(y.map(Float.init)))
    #expect(Swift.abs(Double(value.scalar) - bce) < 1e-6)
    let logits: [Double] = [2, -1, 0.5]
    let lse = Foundation.log(logits.map { Foundation.exp($0) }.reduce(0, +))
    let scce = SparseCategoricalCrossentropy(fromLogits: true)(Tensor([[2, -1, 0.5]]), Tensor([2]))
    #expect(Swift.abs(Double(scce.scalar) - (lse - 0.5)) < 1e-6)
  }
}

// MARK: - Layers

@Suite struct LayerBehaviourTests {
  @Test func embeddingStartsUniformWithinKerasLimitsAndIsSeeded() {
    let a = Embedding(inputDim: 50, outputDim: 8, seed: 3), b = Embedding(inputDim: 50, outputDim: 8, seed: 3)
    #expect(a.embeddings.value == b.embeddings.value)
    #expect(a.embeddings.value.shape == [50, 8])
    #expect(a.embeddings.value.scalars.allSatisfy { Swift.abs($0) <= 0.05 })
    #expect(a.embeddings.value.scalars.contains { Swift.abs($0) > 0.04 })
    #expect(a.embeddings.name == "embeddings")
  }

  @Test func embeddingLooksUpRowsAndMasksZeros() throws {
    let table = Tensor(shape: [4, 2], scalars: [0, 0, 1, 1, 2, 2, 3, 3])
    let embedding = try Embedding(inputDim: 4, outputDim: 2, maskZero: true, weights: table)
    var context = LayerContext()
    let y = embedding.forward(Tensor([[3, 1, 0], [2, 0, 0]]), context: &context)
    #expect(y.shape == [2, 3, 2])
    #expect(y.scalars == [3, 3, 1, 1, 0, 0, 2, 2, 0, 0, 0, 0])
    #expect(context.mask == Tensor([[1, 1, 0], [1, 0, 0]]))
    var plain = LayerContext()
    _ = Embedding(inputDim: 4, outputDim: 2).forward(Tensor([[1, 0]]), context: &plain)
    #expect(plain.mask == nil)
  }

  @Test func frozenEmbeddingGetsNoGradient() throws {
    let embedding = try Embedding(inputDim: 3, outputDim: 2, weights: Tensor(ones: [3, 2]), trainable: false)
    #expect(embedding.trainableParameters.isEmpty && !embedding.trainable)
    let tape = GradientTape()
    let y = tape.record { embedding(Tensor([[1, 2]])).sum() }
    #expect(!y.isTracked)
    embedding.trainable = true
    let y2 = tape.record { embedding(Tensor([[1, 2]])).sum() }
    #expect(tape.gradient(of: y2, wrt: [embedding.embeddings])[0] == Tensor([[0, 0], [1, 1], [1, 1]]))
  }

  @Test func denseActsOnTheLastAxisAndPassesTheMask() {
    let dense = Dense(units: 2, activation: .relu, seed: 4)
    let x = Tensor(randomNormal: [2, 3, 5], seed: 1)
    var context = LayerContext(mask: Tensor([[1, 1, 0], [1, 0, 0]]))
    let y = dense.forward(x, context: &context)
    #expect(y.shape == [2, 3, 2])
    #expect(dense.inputSize == 5 && dense.parameters.map(\.name) == ["kernel", "bias"])
    #expect(context.mask == Tensor([[1, 1, 0], [1, 0, 0]]))
    let perStep = dense(x.reshaped(to: [6, 5]))
    #expect(isClose(y.scalars, perStep.scalars, absolute: 0, relative: 0))
    let limit = (6 / Float(5 + 2)).squareRoot()
    #expect(dense.kernel!.value.scalars.allSatisfy { Swift.abs($0) <= limit })
    #expect(dense.bias!.value == Tensor(zeros: [2]))
  }

  @Test func denseSoftmaxRowsSumToOne() {
    let y = Dense(units: 4, activation: .softmax, seed: 2)(Tensor(randomNormal: [3, 6], seed: 1))
    #expect(isClose(y.sum(alongAxes: 1).scalars, [1, 1, 1], absolute: 1e-6))
  }

  @Test func softmaxIsStableForHugeLogits() {
    let y = softmax(Tensor([[1000, 1000, -1000], [-1e30, 0, 0]]))
    #expect(isClose(y.scalars, [0.5, 0.5, 0, 0, 0.5, 0.5], absolute: 1e-7))
    #expect(Activation.softmax(Tensor([[0, 0]])) == Tensor([[0.5, 0.5]]))
  }

  @Test func dropoutScalesSurvivorsAndOnlyTrains() {
    let x = Tensor(ones: [100, 50])
    let dropout = Dropout(rate: 0.25, seed: 9)
    #expect(dropout(x) == x)
    let y = dropout(x, training: true)
    let kept = y.scalars.filter { $0 != 0 }
    #expect(kept.allSatisfy { Swift.abs($0 - 1 / 0.75) < 1e-6 })
    let droppedFraction = 1 - Double(kept.count) / 5000
    #expect(Swift.abs(droppedFraction - 0.25) < 0.03)
    #expect(Dropout(rate: 0.25, seed: 9)(x, training: true) == y)
    // The gradient is the same mask, scaled.
    let tape = GradientTape()
    let xt = tape.watching(x)
    let out = tape.record { Dropout(rate: 0.25, seed: 9)(xt, training: true) }
    #expect(tape.gradient(of: out, wrt: xt) == y)
    var context = LayerContext(training: true, mask: Tensor([[1, 0]]))
    _ = Dropout(rate: 0.5).forward(Tensor(ones: [1, 2, 3]), context: &context)
    #expect(context.mask == Tensor([[1, 0]]))
  }

  @Test func flattenKeepsTheBatchAxisAndDropsTheMask() {
    var context = LayerContext(mask: Tensor(ones: [4, 10]))
    #expect(Flatten().forward(Tensor(zeros: [4, 10, 8]), context: &context).shape == [4, 80])
    #expect(context.mask == nil)
    #expect(Flatten()(Tensor(zeros: [3])).shape == [3, 1])
  }

  @Test func activationLayerAppliesItsFunction() {
    let x = Tensor([[-1, 0.5, 2]])
    #expect(ActivationLayer(.relu)(x) == relu(x))
    #expect(ActivationLayer(.tanh)(x) == tanh(x))
    #expect(ActivationLayer(.softmax)(x) == softmax(x))
    #expect(ActivationLayer(.linear)(x) == x)
  }

  @Test func kerasStyleNamesResolve() {
    func lossName<L: Loss>(_ loss: L) -> String { loss.name }
    func metricName<M: Metric>(_ metric: M) -> String { metric.name }
    #expect(lossName(.binaryCrossentropy) == "binary_crossentropy")
    #expect(lossName(.binaryCrossentropy(fromLogits: true)) == "binary_crossentropy")
    #expect(lossName(.categoricalCrossentropy) == "categorical_crossentropy")
    #expect(lossName(.sparseCategoricalCrossentropy(fromLogits: true)) == "sparse_categorical_crossentropy")
    #expect(lossName(.meanSquaredError) == "mean_squared_error")
    #expect(metricName(.accuracy) == "accuracy")
    #expect(metricName(.binaryAccuracy(threshold: 0)) == "binary_accuracy")
    #expect(metricName(.sparseCategoricalAccuracy) == "sparse_categorical_accuracy")
    #expect(metricName(.categoricalAccuracy) == "categorical_accuracy")
  }

  @Test func accuracyDispatchesOnShapes() {
    #expect(Accuracy.resolved(predictionShape: [8, 1], targetShape: [8]) is BinaryAccuracy)
    #expect(Accuracy.resolved(predictionShape: [8, 1], targetShape: [8, 1]) is BinaryAccuracy)
    #expect(Accuracy.resolved(predictionShape: [8, 5], targetShape: [8]) is SparseCategoricalAccuracy)
    #expect(Accuracy.resolved(predictionShape: [8, 5], targetShape: [8, 1]) is SparseCategoricalAccuracy)
    #expect(Accuracy.resolved(predictionShape: [8, 5], targetShape: [8, 5]) is CategoricalAccuracy)
    #expect(Accuracy.resolved(predictionShape: [2, 3, 5], targetShape: [2, 3]) is SparseCategoricalAccuracy)
  }
}

// MARK: - Bad input

@Suite struct LayerBadInputTests {
  @Test func embeddingValidateRejectsOutOfRangeTokens() throws {
    let embedding = Embedding(inputDim: 10, outputDim: 2)
    try embedding.validate(Tensor([[0, 9, 3]]))
    #expect(throws: TrainingDataError.tokenOutOfRange(layer: "Embedding", token: 10, inputDim: 10)) {
      try embedding.validate(Tensor([[1, 10, 3]]))
    }
    #expect(throws: TrainingDataError.tokenOutOfRange(layer: "Embedding", token: -1, inputDim: 10)) {
      try embedding.validate(Tensor([[1, 2], [-1, 3]]))
    }
    #expect(throws: TrainingDataError.invalidArgument(
      name: "Embedding token ids", expected: "integers in 0..<10", actual: "2.5 at flat index 1")) {
      try embedding.validate(Tensor([[1, 2.5]]))
    }
    #expect(throws: TrainingDataError.self) { try embedding.validate(Tensor([Float.nan])) }
    #expect(throws: TrainingDataError.self) { try embedding.validate(Tensor([Float.infinity])) }
  }

  @Test func embeddingRejectsWeightsOfTheWrongShape() {
    #expect(throws: WeightsError.shapeMismatch(layer: "Embedding", weight: "embeddings", expected: [5, 3], actual: [5, 4])) {
      _ = try Embedding(inputDim: 5, outputDim: 3, weights: Tensor(zeros: [5, 4]))
    }
  }

  @Test func embeddingStopsOnABadIdInForward() async {
    await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Embedding(inputDim: 4, outputDim: 2)(Tensor([[1, 7]]))
    }.map { result in
      #expect(String(decoding: result.standardErrorContent, as: UTF8.self).contains("Embedding: token id 7.0 at flat index 1 is not an integer in 0..<4"))
    }
  }

  @Test func lossesRejectTargetsOfTheWrongShape() {
    #expect(throws: TrainingDataError.targetShape(loss: "binary_crossentropy", expected: "[3, 1] or [3]", actual: [3, 2])) {
      try BinaryCrossentropy().validate(predictionShape: [3, 1], targets: Tensor(zeros: [3, 2]))
    }
    #expect(throws: TrainingDataError.targetShape(loss: "categorical_crossentropy", expected: "[3, 4]", actual: [3])) {
      try CategoricalCrossentropy().validate(predictionShape: [3, 4], targets: Tensor(zeros: [3]))
    }
    #expect(throws: TrainingDataError.targetShape(
      loss: "sparse_categorical_crossentropy", expected: "[3] or [3, 1] (class indices)", actual: [3, 4])) {
      try SparseCategoricalCrossentropy().validate(predictionShape: [3, 4], targets: Tensor(zeros: [3, 4]))
    }
    #expect(throws: TrainingDataError.targetShape(loss: "mean_squared_error", expected: "[2, 3] or [2, 3, 1]", actual: [3, 2])) {
      try MeanSquaredError().validate(predictionShape: [2, 3], targets: Tensor(zeros: [3, 2]))
    }
    // The shapes Keras accepts.
    #expect(throws: Never.self) {
      try BinaryCrossentropy().validate(predictionShape: [3, 1], targets: Tensor(zeros: [3]))
      try SparseCategoricalCrossentropy().validate(predictionShape: [3, 4], targets: Tensor(zeros: [3, 1]))
    }
  }

  @Test func lossesRejectTargetsOutOfRange() {
    #expect(throws: TrainingDataError.targetValue(loss: "binary_crossentropy", expected: "a value in [0, 1]", actual: 1.5, index: 2)) {
      try BinaryCrossentropy(fromLogits: true).validate(predictionShape: [4, 1], targets: Tensor([0, 1, 1.5, 0]))
    }
    #expect(throws: TrainingDataError.targetValue(loss: "categorical_crossentropy", expected: "a value in [0, 1]", actual: -1, index: 1)) {
      try CategoricalCrossentropy().validate(predictionShape: [1, 2], targets: Tensor([[1, -1]]))
    }
    #expect(throws: TrainingDataError.targetValue(
      loss: "sparse_categorical_crossentropy", expected: "an integer class index in 0..<3", actual: 3, index: 1)) {
      try SparseCategoricalCrossentropy().validate(predictionShape: [2, 3], targets: Tensor([0, 3]))
    }
    #expect(throws: TrainingDataError.targetValue(
      loss: "sparse_categorical_crossentropy", expected: "an integer class index in 0..<3", actual: 0.5, index: 0)) {
      try SparseCategoricalCrossentropy().validate(predictionShape: [2, 3], targets: Tensor([0.5, 1]))
    }
    #expect(throws: TrainingDataError.self) {
      try MeanSquaredError().validate(predictionShape: [2, 1], targets: Tensor([0, .nan]))
    }
  }
}

// MARK: - Composition

@Suite struct LayerCompositionTests {
  @Test func embeddingMaskReachesTheLSTMAndGradientsReachTheEmbedding() {
    let embedding = Embedding(inputDim: 20, outputDim: 8, maskZero: true, seed: 1)
    let lstm = LSTM(units: 6, seed: 2)
    let head = Dense(units: 1, activation: .sigmoid, seed: 3)
    let model = Sequential { embedding; lstm; head }
    // Post-padded ids; 4, 6, 8…19 never appear.
    let ids = Tensor([[3, 5, 7, 0, 0], [1, 2, 3, 5, 0], [7, 7, 0, 0, 0]])
    let y = model(ids)
    #expect(y.shape == [3, 1])

    let mask = Tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 0], [1, 1, 0, 0, 0]])
    let explicit = head(lstm(embedding(ids), mask: mask))
    #expect(y == explicit)
    let unmasked = head(lstm(embedding(ids)))
    #expect(y != unmasked, "the mask must change the result")

    let tape = GradientTape()
    let loss = tape.record { BinaryCrossentropy()(model(ids, training: true), Tensor([1, 0, 1])) }
    let grads = tape.gradient(of: loss, wrt: model.parameters)
    #expect(model.parameters.map(\.name) == ["embeddings", "kernel", "recurrent_kernel", "bias", "kernel", "bias"])
    let dE = grads[0]
    for row in 0..<20 {
      let norm = dE[row].scalars.map { Swift.abs($0) }.max()!
      if [1, 2, 3, 5, 7].contains(row) {
        #expect(norm > 0, "row \(row) of an id that appears must get a gradient")
      } else if row != 0 {
        #expect(norm == 0, "row \(row) of an id that never appears must get no gradient")
      }
    }
    #expect(grads.allSatisfy { g in g.scalars.allSatisfy(\.isFinite) })
  }
}
