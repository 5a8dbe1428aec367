import ArgumentParser
import Foundation
import RNNKit
import RNNKitKeras

/// `rnnkit convert`: rewrites a Keras model file as a Keras 3 `.keras` archive.
struct ConvertCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "convert",
    abstract: "Rewrites a Keras model (legacy .h5, JSON + weights, or .keras) as a Keras 3 .keras archive.",
    discussion: """
      Reads the model as `rnnkit predict` does and writes it with RNNKit's .keras writer:
      the architecture, the weights and, for a model compiled with Adam, the optimizer state.
      """
  )

  @Option(help: "The model: a .keras archive, a legacy .h5, or a model.to_json() architecture.") var model: String
  @Option(help: "The weights for a JSON architecture (a .weights.h5 or legacy .h5).") var weights: String?
  @Option(help: "Where to write the .keras archive.") var output: String

  func run() throws { try printReportingErrors(convert) }

  /// Reads, writes and returns what to print.
  func convert() throws -> String {
    let file = try KerasModelFile(contentsOf: URL(fileURLWithPath: model), weights: weights.map { URL(fileURLWithPath: $0) })
    try file.model.saveKeras(URL(fileURLWithPath: output), inputShape: file.inputShape)
    return "\(file.model.layers.count) layers, \(file.model.parameterCount) weights written to \(output)"
  }
}
