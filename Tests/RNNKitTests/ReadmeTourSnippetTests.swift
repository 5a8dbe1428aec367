// The README's tour and training snippets, verbatim (checked line by line by
// ReadmeSnippetTests.readmeBlocksAppearInTests), followed by assertions on their promises.
import Foundation
import Testing

@testable import RNNKit

@Suite struct ReadmeTourSnippetTests {
  @Test func tour() throws {
    // A batch of 4 sequences of 80 steps with 100 features, as in the tutorial.
    let x = Tensor(randomNormal: [4, 80, 100], seed: 42)

    // The tutorial's hand-written SimpleRNNCell loop…
    let cell = SimpleRNNCell(units: 64, seed: 1)
    var h = cell.zeroState(batchSize: 4)
    var out = h[0]
    for xt in x.unstacked(alongAxis: 1) { (out, h) = cell(xt, h) }

    // …is the SimpleRNN layer: one fused kernel call, the same weights, the same result.
    let layer = SimpleRNN(units: 64, inputSize: 100)
    try layer.setWeights(cell.getWeights())
    let y = layer(x)                                   // [4, 64], equal to `out`

    // Stacked layers compile and train as in Keras.
    let model = Sequential {
      LSTM(units: 64, returnSequences: true)
      LSTM(units: 64)
      Dense(units: 1, activation: .sigmoid)
    }
    model.compile(optimizer: Adam(learningRate: 1e-3), loss: .binaryCrossentropy, metrics: [.accuracy])
    let labels = Tensor(shape: [4, 1], scalars: [1, 0, 1, 0])
    let history = try model.fit(x, labels, batchSize: 2, epochs: 3, verbose: .silent)
    print(history.history["loss"]!)                   // three falling values

    #expect(y.shape == [4, 64])
    #expect(isClose(y.scalars, out.scalars, absolute: 1e-6, relative: 1e-5))
    let losses = history.history["loss"]!
    #expect(losses.count == 3 && losses[2] < losses[0])
  }

  @Test func customTrainingLoop() throws {
    // Seeded, so the accuracy asserted below does not depend on a lucky draw.
    let model = Sequential {
      GRU(units: 16, seed: 1)
      Dense(units: 1, activation: .sigmoid, seed: 2)
    }
    let (x, _) = AddingProblem.make(samples: 32, length: 10, seed: 1)
    let labels = (x[.all, .all, 0].mean(alongAxes: 1, keepingDimensions: true) .> Tensor(0.5))

    let optimizer = Adam(learningRate: 1e-2)
    let loss = BinaryCrossentropy()
    let batches = try Dataset(tensorSlices: (x, labels)).shuffle(bufferSize: 32, seed: 1).batch(8)
    for epoch in 1...30 {
      var total: Float = 0
      for (xBatch, yBatch) in batches {
        let tape = GradientTape()
        let value = tape.record { loss(model(xBatch, training: true), yBatch) }
        let grads = tape.gradient(of: value, wrt: model.trainableParameters)
        let (clipped, _) = try clipByGlobalNorm(grads, clipNorm: 5)
        optimizer.apply(gradients: clipped, to: model.trainableParameters)
        total += value.scalar
      }
      if epoch % 10 == 0 { print("epoch \(epoch): loss \(total / 4)") }
    }

    let accuracy = BinaryAccuracy().batchTotal(model(x), labels)
    #expect(Double(accuracy.total) / Double(accuracy.count) > 0.9)
  }

  @Test func savingAndCallbacks() throws {
    let (x, y) = AddingProblem.make(samples: 64, length: 10, seed: 2)
    let runs = FileManager.default.temporaryDirectory.appendingPathComponent("rnnkit-runs")
    try FileManager.default.createDirectory(at: runs, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: runs) }

    let model = AddingProblem.model(cell: .lstm, units: 8, seed: 1)
    model.compile(optimizer: Adam(learningRate: 1e-2), loss: .meanSquaredError)
    let callbacks: [any Callback] = [
      EarlyStopping(monitor: "val_loss", patience: 3, restoreBestWeights: true),
      ModelCheckpoint(path: runs.appendingPathComponent("best.safetensors").path, saveBestOnly: true),
    ]
    let history = try model.fit(x, y, batchSize: 16, epochs: 20, verbose: .silent, validationSplit: 0.25, callbacks: callbacks)
    try history.plot(to: runs.appendingPathComponent("curves.svg"))
    try model.save(weights: runs.appendingPathComponent("adding.safetensors"))

    let restored = AddingProblem.model(cell: .lstm, units: 8, seed: 2)
    _ = restored(x[0..<1])                              // build the layers, then load
    try restored.load(weights: runs.appendingPathComponent("adding.safetensors"))

    #expect(restored.getWeights() == model.getWeights())
    #expect(FileManager.default.fileExists(atPath: runs.appendingPathComponent("best.safetensors").path))
    #expect(FileManager.default.fileExists(atPath: runs.appendingPathComponent("curves.svg").path))
    #expect(history.history["val_loss"]!.count >= 1)
  }

  /// Compiled, not run here: the full run is `rnnkit train` (see the Training section).
  func imdbSnippet() throws {
    let imdb = try IMDB.load(path: "../shared/data/imdb/imdb.npz", numWords: 10_000)
    let xTrain = padSequences(imdb.train.sequences, maxlen: 80)      // [25000, 80], Keras's pre-padding
    let yTrain = Tensor(shape: [25_000, 1], scalars: imdb.train.labels.map(Float.init))
    let classifier = SentimentClassifier(cell: .lstm, vocabulary: 10_000)
    classifier.compile(optimizer: Adam(learningRate: 1e-3), loss: .binaryCrossentropy, metrics: [.accuracy])
    try classifier.fit(xTrain, yTrain, batchSize: 128, epochs: 10, validationSplit: 0.2)
    print(classifier.summary(inputShape: [80]))
  }
}
