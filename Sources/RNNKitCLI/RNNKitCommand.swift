import ArgumentParser

/// `rnnkit`: the command-line face of RNNKit. Each subcommand lives in its own file and
/// only formats what the library computes.
@main
struct RNNKitCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rnnkit",
    abstract: "Recurrent neural networks on the CPU: demos and tools.",
    subcommands: [
      TourCommand.self, EigenCommand.self, ClipCommand.self, AddingCommand.self, TrainCommand.self, PredictCommand.self, ConvertCommand.self,
      MPICheckCommand.self,
      NewsgroupsCommand.self,
    ]
  )
}
