import ArgumentParser
import RNNKit

/// `rnnkit tour`: the demos one after another, each under a numbered heading.
struct TourCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "tour",
    abstract: "Runs every demo in order: eigen, clip, the adding problem, and (with --imdb) IMDB."
  )

  @Option(help: "Keras's imdb.npz: also train the tutorial's sentiment classifier (2 epochs).")
  var imdb: String?

  /// One stop of the tour: a heading and the text it prints.
  struct Section: Sendable {
    let heading: String
    let text: @Sendable () throws -> String
  }

  /// The tour, in order. Adding a demo is one line here.
  static let sections: [Section] = [
    Section(heading: "Exploding and vanishing gradients (rnnkit eigen)") {
      EigenCommand.report(try EigenCommand.cases(matrixPath: nil, steps: NormGrowth.tutorialSteps))
    },
    Section(heading: "Gradient clipping (rnnkit clip)") { ClipCommand.report(try ClippingDemo(seed: 42)) },
    Section(heading: "Long-range memory: the adding problem (rnnkit adding)") {
      try AddingCommand.report(cells: AddingProblem.Cell.allCases, length: 50, units: 32, epochs: 20, samples: 4000, seed: 1)
    },
  ]

  func run() throws {
    var sections = Self.sections
    if let imdb {
      sections.append(Section(heading: "Sentiment of IMDB reviews (rnnkit train)") {
        let train = try TrainCommand.parse(["--data", imdb, "--epochs", "2"])
        try train.validate()
        return try train.train()
      })
    }
    for (i, section) in sections.enumerated() {
      // The heading first: a section may print progress while it computes its text.
      print((i == 0 ? "" : "\n") + Self.heading(of: section, number: i + 1))
      print(try section.text())
    }
  }

  /// A section's heading, boxed in `=`, and a blank line.
  static func heading(of section: Section, number: Int) -> String {
    let heading = "\(number). \(section.heading)"
    let rule = String(repeating: "=", count: heading.count)
    return [rule, heading, rule, ""].joined(separator: "\n")
  }
}
