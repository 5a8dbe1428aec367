import ArgumentParser
import RNNKit

/// `rnnkit adding`: trains recurrent cells on the adding problem and prints their test error.
struct AddingCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "adding",
    abstract: "Trains SimpleRNN, LSTM and GRU on the adding problem (a long-range memory task)."
  )

  @Option(help: "Sequence length.") var length = 50
  @Option(help: "Cells to train: simple, lstm, gru (comma-separated).") var cells = "simple,lstm,gru"
  @Option(help: "Units per recurrent layer.") var units = 32
  @Option(help: "Training epochs.") var epochs = 20
  @Option(help: "Training sequences.") var samples = 4000
  @Option(help: "Random seed.") var seed: UInt64 = 1

  func validate() throws {
    guard length >= 2 else { throw ValidationError("--length must be at least 2, got \(length)") }
    guard units > 0 else { throw ValidationError("--units must be positive, got \(units)") }
    guard epochs > 0 else { throw ValidationError("--epochs must be positive, got \(epochs)") }
    guard samples > 0 else { throw ValidationError("--samples must be positive, got \(samples)") }
    _ = try parsedCells()
  }

  func parsedCells() throws -> [AddingProblem.Cell] {
    try cells.split(separator: ",").map { name in
      guard let cell = AddingProblem.Cell(rawValue: String(name)) else {
        throw ValidationError("--cells: unknown cell '\(name)'; use simple, lstm or gru")
      }
      return cell
    }
  }

  func run() throws {
    print(try Self.report(cells: parsedCells(), length: length, units: units, epochs: epochs, samples: samples, seed: seed))
  }

  /// Trains each cell (showing the progress bar) and returns the results table.
  static func report(cells: [AddingProblem.Cell], length: Int, units: Int, epochs: Int, samples: Int, seed: UInt64) throws -> String {
    var rows: [[String]] = []
    for cell in cells {
      print("\(cell.rawValue): \(units) units, length \(length), \(epochs) epochs of \(samples) sequences")
      let model = AddingProblem.model(cell: cell, units: units, seed: seed)
      let mse = try AddingProblem.train(model, length: length, trainSamples: samples, epochs: epochs, verbose: .progressBar, seed: seed)
      rows.append([cell.rawValue, "\(length)", String(format: "%.4f", mse), mse < 0.01 ? "learned" : mse < AddingProblem.baselineMeanSquaredError * 0.5 ? "partly" : "no better than the mean"])
    }
    let baseline = String(format: "%.3f", AddingProblem.baselineMeanSquaredError)
    return "\nTest mean squared error (predicting the mean scores \(baseline)):\n"
      + Format.table(header: ["cell", "length", "test MSE", "verdict"], rows: rows)
  }
}
