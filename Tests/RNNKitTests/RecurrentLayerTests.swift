import Foundation
import Testing

@testable import RNNKit

/// The cells and layers against each other and against the seeds' hand-written loops.
@Suite struct RecurrentLayerTests {
  let x = Tensor(randomNormal: [3, 6, 4], seed: 21)

  /// Each kind of layer with its cell: a loop over the cell gives the layer's outputs and
  /// the same gradients with respect to the input and every weight.
  @Test(arguments: ["simple", "lstm", "gru", "gruResetBefore"])
  func cellLoopMatchesTheLayer(kind: String) {
    let layer: any RecurrentRunnable
    let cell: RecurrentCell
    switch kind {
    case "simple": let l = SimpleRNN(units: 5, returnSequences: true, inputSize: 4, seed: 3); (layer, cell) = (l, l.cell)
    case "lstm": let l = LSTM(units: 5, returnSequences: true, inputSize: 4, seed: 3); (layer, cell) = (l, l.cell)
    case "gru": let l = GRU(units: 5, returnSequences: true, inputSize: 4, seed: 3); (layer, cell) = (l, l.cell)
    default: let l = GRU(units: 5, resetAfter: false, returnSequences: true, inputSize: 4, seed: 3); (layer, cell) = (l, l.cell)
    }
    let projection = Tensor(randomUniform: [3, 6, 5], lower: -1, upper: 1, seed: 4)

    let tapeA = GradientTape()
    let xa = tapeA.watching(x)
    let (ya, lossA) = tapeA.record { () -> (Tensor, Tensor) in
      let y = layer.run(xa, nil, nil).output
      return (y, (y * projection).sum())
    }
    let tapeB = GradientTape()
    let xb = tapeB.watching(x)
    let (yb, lossB) = tapeB.record { () -> (Tensor, Tensor) in
      var state = cell.zeroState(batchSize: 3)
      var outputs: [Tensor] = []
      for xt in xb.unstacked(alongAxis: 1) {
        let (out, next) = cell(xt, state)
        outputs.append(out)
        state = next
      }
      let y = Tensor(stacking: outputs, alongAxis: 1)
      return (y, (y * projection).sum())
    }
    #expect(isClose(ya.scalars, yb.scalars, absolute: 1e-6, relative: 1e-5), "outputs differ by \(maxDifference(ya.scalars, yb.scalars))")
    let ga = tapeA.gradient(of: lossA, wrt: [xa]) + tapeA.gradient(of: lossA, wrt: cell.parameters)
    let gb = tapeB.gradient(of: lossB, wrt: [xb]) + tapeB.gradient(of: lossB, wrt: cell.parameters)
    #expect(ga.count == 4 && gb.count == 4)
    for (a, b) in zip(ga, gb) {
      #expect(isClose(a.scalars, b.scalars, absolute: 1e-5, relative: 1e-4), "gradients differ by \(maxDifference(a.scalars, b.scalars))")
    }
  }

  /// The layer's gradients against central finite differences (float32, eps 1e-2).
  @Test func layerGradientsMatchFiniteDifferences() {
    let lstm = LSTM(units: 3, returnSequences: true, inputSize: 2, seed: 5)
    let xs = Tensor(randomNormal: [2, 4, 2], seed: 6)
    let h0 = Tensor(randomNormal: [2, 3], seed: 7), c0 = Tensor(randomNormal: [2, 3], seed: 8)
    let mask = Tensor([[1, 1, 1, 0], [0, 1, 1, 1]])
    expectGradientsMatchFiniteDifferences(at: [xs, h0, c0]) { p in
      lstm(p[0], initialState: [p[1], p[2]], mask: mask)
    }
    let weights = lstm.getWeights()
    // The weights as tracked inputs of the fused op itself.
    expectGradientsMatchFiniteDifferences(at: weights) { w in
      RecurrentOperation.lstm.sequence(
        x: xs, initialStates: nil, mask: mask, recurrentDropoutMask: nil,
        kernel: w[0], recurrentKernel: w[1], bias: w[2], workspace: KernelWorkspace()
      ).outputs
    }
  }

  /// The tutorial's two cells stacked in one loop, and the two-pass variant that keeps the
  /// first layer's outputs, give the same result as a stack of two layers.
  @Test func stackedCellsInOneLoopAndInTwoPassesMatchTheLayerStack() {
    let first = SimpleRNN(units: 4, returnSequences: true, inputSize: 4, seed: 9)
    let second = SimpleRNN(units: 4, inputSize: 4, seed: 10)
    let stack = Sequential { first; second }
    let expected = stack(x)

    var h1 = first.cell.zeroState(batchSize: 3), h2 = second.cell.zeroState(batchSize: 3)
    var out = h2[0]
    for xt in x.unstacked(alongAxis: 1) {
      let (o1, s1) = first.cell(xt, h1)
      h1 = s1
      (out, h2) = second.cell(o1, h2)
    }
    #expect(isClose(out.scalars, expected.scalars, absolute: 1e-6, relative: 1e-5))

    var state = first.cell.zeroState(batchSize: 3)
    var firstOutputs: [Tensor] = []
    for xt in x.unstacked(alongAxis: 1) {
      let (o, s) = first.cell(xt, state)
      firstOutputs.append(o)
      state = s
    }
    var state2 = second.cell.zeroState(batchSize: 3)
    var last = state2[0]
    for o in firstOutputs { (last, state2) = second.cell(o, state2) }
    #expect(isClose(last.scalars, expected.scalars, absolute: 1e-6, relative: 1e-5))
  }

  /// A hand-written cell loop trained with plain gradient descent learns: the seeds' loops
  /// must train, not only run.
  @Test func aHandWrittenCellLoopTrains() {
    let cell = LSTMCell(units: 8, inputSize: 1, seed: 11)
    let readout = Parameter(Tensor(randomNormal: [8, 1], standardDeviation: 0.3, seed: 12), name: "readout")
    // Target: the mean of the sequence, a task the loop can learn in a few dozen steps.
    let inputs = Tensor(randomUniform: [16, 5, 1], lower: -1, upper: 1, seed: 13)
    let targets = inputs.mean(alongAxes: [1])
    func loss() -> (GradientTape, Tensor) {
      let tape = GradientTape()
      let value = tape.record { () -> Tensor in
        var state = cell.zeroState(batchSize: 16)
        var out = state[0]
        for xt in inputs.unstacked(alongAxis: 1) { (out, state) = cell(xt, state) }
        return (matmul(out, readout.forForward) - targets).squared().mean()
      }
      return (tape, value)
    }
    let parameters = cell.parameters + [readout]
    let initial = loss().1.scalar
    for _ in 0..<150 {
      let (tape, value) = loss()
      for (p, g) in zip(parameters, tape.gradient(of: value, wrt: parameters)) { p.value = p.value - 0.5 * g }
    }
    let final = loss().1.scalar
    #expect(final < initial * 0.1, "loss went from \(initial) to \(final)")
  }

  @Test func dropoutIsOnlyActiveInTrainingAndReusesOneMaskPerSequence() {
    let layer = SimpleRNN(units: 4, recurrentDropout: 0, returnSequences: true, inputSize: 4, seed: 14)
    let noisy = SimpleRNN(units: 4, dropout: 0.5, returnSequences: true, inputSize: 4, seed: 14)
    try! noisy.setWeights(layer.getWeights())
    #expect(noisy(x) == layer(x))
    let a = noisy(x, training: true), b = noisy(x, training: true)
    #expect(a != layer(x))
    #expect(a != b)
    // One input mask per sequence: a feature dropped at one step is dropped at all steps.
    // With identical steps, the first step's output then repeats the same pre-activation,
    // which a zero-recurrent-kernel layer shows directly.
    let steady = SimpleRNN(units: 4, recurrentInitializer: .zeros, dropout: 0.5, returnSequences: true, inputSize: 4, seed: 15)
    let repeated = Tensor(stacking: Array(repeating: x[.all, 0, .all], count: 6), alongAxis: 1)
    let y = steady(repeated, training: true)
    let steps = y.unstacked(alongAxis: 1)
    for step in steps.dropFirst() { #expect(step == steps[0]) }
  }

  @Test func setWeightsRejectsWrongShapesAndCounts() {
    let lstm = LSTM(units: 3, inputSize: 2)
    #expect(throws: WeightsError.shapeMismatch(layer: "LSTM", weight: "recurrent_kernel", expected: [3, 12], actual: [3, 3])) {
      try lstm.setWeights([Tensor(zeros: [2, 12]), Tensor(zeros: [3, 3]), Tensor(zeros: [12])])
    }
    #expect(throws: WeightsError.countMismatch(layer: "LSTM", expected: 3, actual: 2)) {
      try lstm.setWeights([Tensor(zeros: [2, 12]), Tensor(zeros: [3, 12])])
    }
    #expect(throws: WeightsError.notBuilt(layer: "GRU")) { try GRU(units: 3).setWeights([Tensor(zeros: [2, 9])]) }
    #expect(lstm.getWeights().map(\.shape) == [[2, 12], [3, 12], [12]])
    #expect(GRU(units: 3, inputSize: 2).getWeights().map(\.shape) == [[2, 9], [3, 9], [2, 9]])
    #expect(GRU(units: 3, resetAfter: false, inputSize: 2).getWeights().map(\.shape) == [[2, 9], [3, 9], [9]])
    #expect(Bidirectional(LSTM(units: 3, inputSize: 2)).getWeights().count == 6)
    #expect(WeightsError.shapeMismatch(layer: "LSTM", weight: "bias", expected: [12], actual: [4]).description
      == "LSTM.setWeights: weight 'bias' has shape [12], got [4]")
  }

  @Test func initializersFollowKeras() {
    var rng = RandomGenerator(seed: 1)
    let q = Initializer.orthogonal().tensor(shape: [6, 24], using: &rng)
    // Rows of a wide orthogonal matrix are orthonormal: Q·Qᵀ = I.
    #expect(isClose(matmul(q, q, transposeB: true).scalars, Tensor(eye: 6).scalars, absolute: 1e-5))
    let tall = Initializer.orthogonal(gain: 2).tensor(shape: [10, 4], using: &rng)
    #expect(isClose(matmul(tall, tall, transposeA: true).scalars, (Tensor(eye: 4) * 4).scalars, absolute: 1e-4))
    let g = Initializer.glorotUniform.tensor(shape: [100, 50], using: &rng)
    let limit = (6.0 / 150.0).squareRoot()
    #expect(g.scalars.allSatisfy { Swift.abs(Double($0)) <= limit })
    #expect(Double(g.max().scalar) > limit * 0.95)
  }

  @Test func theSameSeedGivesTheSameModel() {
    setRandomSeed(7)
    let a = LSTM(units: 4, inputSize: 3).getWeights()
    setRandomSeed(7)
    let b = LSTM(units: 4, inputSize: 3).getWeights()
    #expect(a == b)
    #expect(LSTM(units: 4, inputSize: 3).getWeights() != a)
  }

  @Test func trainableFalseFreezesEveryParameter() {
    let layer = Bidirectional(GRU(units: 2, inputSize: 3))
    layer.trainable = false
    #expect(layer.trainableParameters.isEmpty)
    #expect(!layer.trainable)
    let tape = GradientTape()
    let loss = tape.record { layer(Tensor(ones: [1, 2, 3])).sum() }
    #expect(!loss.isTracked)
  }
}

/// Misuse by the programmer stops with a message naming the layer and both shapes.
@Suite struct RecurrentLayerMisuseTests {
  @Test func wrongRankStops() async {
    await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = LSTM(units: 2)(Tensor(zeros: [3, 4]))
    }.map { result in
      #expect(String(decoding: result.standardErrorContent, as: UTF8.self).contains("LSTM: input must be [batch, time, features], got [3, 4]"))
    }
  }

  @Test func wrongFeatureSizeStops() async {
    await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = GRU(units: 2, inputSize: 5)(Tensor(zeros: [1, 3, 4]))
    }.map { result in
      #expect(String(decoding: result.standardErrorContent, as: UTF8.self).contains("GRUCell: built for 5 input features, called with 4"))
    }
  }

  @Test func mismatchedInitialStateStops() async {
    await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = LSTM(units: 2)(Tensor(zeros: [1, 3, 4]), initialState: [Tensor(zeros: [1, 2])])
    }.map { result in
      #expect(String(decoding: result.standardErrorContent, as: UTF8.self).contains("LSTM: initialState must be 2 tensor(s) of shape [1, 2], got [[1, 2]]"))
    }
  }

  @Test func wrongMaskShapeStops() async {
    await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = SimpleRNN(units: 2)(Tensor(zeros: [2, 3, 4]), mask: Tensor(ones: [2, 4]))
    }.map { result in
      #expect(String(decoding: result.standardErrorContent, as: UTF8.self).contains("SimpleRNN: mask must be [2, 3], got [2, 4]"))
    }
  }
}
