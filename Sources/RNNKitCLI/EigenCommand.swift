import ArgumentParser
import Foundation
import RNNKit

/// `rnnkit eigen`: why gradients explode or vanish, from the eigenvalues of W and the
/// norms of its powers. All numbers come from ``NormGrowth``; this file only formats them.
struct EigenCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "eigen",
    abstract: "Eigenvalues, spectral radius and ‖Wⁿ‖: exploding and vanishing gradients.",
    discussion: """
      Without --matrix, prints the tutorial's two cases: W = ones(2, 2) (exploding) and \
      W = 0.4·ones(2, 2) (vanishing). With --matrix, measures your own square matrix \
      from a .npy file (float32 or float64).
      """
  )

  /// One matrix to measure, with the title its table is printed under.
  struct Case {
    let title: String
    let growth: NormGrowth
  }

  @Option(help: "The largest power n in the table (1…10000).")
  var steps: Int = NormGrowth.tutorialSteps

  @Option(help: ArgumentHelp("A square matrix W in a .npy file, instead of the tutorial's.", valueName: "W.npy"))
  var matrix: String?

  @Option(help: ArgumentHelp("Also write the L2-norm-vs-n chart as an SVG file.", valueName: "FILE.svg"))
  var plot: String?

  func validate() throws {
    guard (1...10_000).contains(steps) else {
      throw ValidationError("--steps must be between 1 and 10000, got \(steps)")
    }
  }

  func run() throws {
    let cases = try EigenCommand.cases(matrixPath: matrix, steps: steps)
    print(EigenCommand.report(cases))
    if let plot {
      try EigenCommand.chart(cases).write(to: URL(fileURLWithPath: plot))
      print("\nwrote the L2-norm chart to \(plot)")
    }
  }

  // MARK: - Computation (delegated to the library)

  /// The tutorial's two cases, or the user's matrix read from `matrixPath`.
  ///
  /// Errors are the library's: ``NPYError`` for the file (it names the file), and
  /// ``LinearAlgebraError`` for the matrix, prefixed with the file's path.
  static func cases(matrixPath: String?, steps: Int) throws -> [Case] {
    guard let path = matrixPath else {
      return [
        Case(title: "Exploding gradients: W = ones(2, 2)",
             growth: try NormGrowth(matrix: NormGrowth.explodingExample, steps: steps)),
        Case(title: "Vanishing gradients: W = 0.4 * ones(2, 2)",
             growth: try NormGrowth(matrix: NormGrowth.vanishingExample, steps: steps)),
      ]
    }
    let array = try NPY.read(contentsOf: URL(fileURLWithPath: path))
    let w = try array.tensor()
    do {
      return [Case(title: "W from \(path) (\(array.dtype), shape \(array.shape))", growth: try NormGrowth(matrix: w, steps: steps))]
    } catch let error as LinearAlgebraError {
      throw MatrixFileError(file: path, reason: error)
    }
  }

  // MARK: - Formatting

  /// The printed text for all cases, separated by blank lines.
  static func report(_ cases: [Case]) -> String {
    cases.map(report).joined(separator: "\n\n")
  }

  /// One case: W, its eigenvalues, spectral radius, the table of ‖Wⁿ‖, and the verdict.
  static func report(_ c: Case) -> String {
    let g = c.growth
    var lines = [Format.heading(c.title)]
    lines.append("W = " + Format.tensor(g.matrix, indent: 4))
    if g.isSymmetric {
      lines.append("eigenvalues (symmetric, ascending): " + Format.tensor(g.eigenvalues.real, alignVector: false))
    } else if g.eigenvalues.areReal {
      lines.append("eigenvalues: " + Format.tensor(g.eigenvalues.real, alignVector: false))
      lines.append("moduli |λ|:  " + Format.tensor(g.eigenvalues.moduli, alignVector: false))
      lines.append("note: W is not symmetric; its eigenvalues come from the general solver")
    } else {
      let parts = zip(g.eigenvalues.real.scalars, g.eigenvalues.imaginary.scalars).map(complex)
      lines.append("eigenvalues: " + parts.joined(separator: ", "))
      lines.append("moduli |λ|:  " + Format.tensor(g.eigenvalues.moduli, alignVector: false))
      lines.append("note: W is not symmetric and has complex eigenvalues; growth depends on their moduli")
    }
    lines.append("spectral radius: " + Format.number(g.spectralRadius))
    lines.append("")
    lines.append(normTable(g))
    lines.append("")
    lines.append("verdict: " + verdict(g))
    return lines.joined(separator: "\n")
  }

  /// The table of n and ‖Wⁿ‖, right-aligned under its headers.
  static func normTable(_ g: NormGrowth) -> String {
    let header = ("n", "L2-norm")
    let rows = zip(g.steps, g.norms).map { (String($0), Format.number($1)) }
    let w0 = max(header.0.count, rows.map(\.0.count).max() ?? 0)
    let w1 = max(header.1.count, rows.map(\.1.count).max() ?? 0)
    let line = { (a: String, b: String) in "  " + Format.right(a, w0) + "  " + Format.right(b, w1) }
    return ([line(header.0, header.1), line(String(repeating: "-", count: w0), String(repeating: "-", count: w1))]
      + rows.map(line)).joined(separator: "\n")
  }

  /// The verdict and the reason for it, following ``NormGrowth/verdict(spectralRadius:norms:tolerance:)``.
  static func verdict(_ g: NormGrowth) -> String {
    let rho = Format.number(g.spectralRadius)
    let first = Format.number(g.norms.first ?? 0), last = Format.number(g.norms.last ?? 0)
    let n = g.norms.count
    if g.spectralRadius > 1 + g.tolerance {
      return "\(g.verdict) (spectral radius \(rho) > 1: ‖Wⁿ‖ grows like \(rho)ⁿ)"
    }
    if g.spectralRadius < 1 - g.tolerance {
      return "\(g.verdict) (spectral radius \(rho) < 1: ‖Wⁿ‖ shrinks like \(rho)ⁿ)"
    }
    let series = "‖W¹‖ = \(first), ‖W^\(n)‖ = \(last)"
    switch g.verdict {
    case .explodes: return "explodes (spectral radius \(rho) ≈ 1, but the norms grow: \(series))"
    case .vanishes: return "vanishes (spectral radius \(rho) ≈ 1, but the norms shrink: \(series))"
    case .neither: return "neither (spectral radius \(rho) ≈ 1 and the norms stay level: \(series))"
    }
  }

  /// `a+bi` / `a-bi`.
  static func complex(_ re: Float, _ im: Float) -> String {
    im == 0 ? Format.number(re) : Format.number(re) + (im < 0 ? "-" : "+") + Format.number(Swift.abs(im)) + "i"
  }

  /// ‖Wⁿ‖ against n for every case on one chart, log y scale (2048 and 0.09 on one axis).
  static func chart(_ cases: [Case]) -> LineChart {
    var chart = LineChart(title: "Norm of W^n", xLabel: "n times", yLabel: "L2-norm", logScaleY: true)
    for c in cases {
      let name = c.title.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? c.title
      chart.addSeries("\(name) (\(c.growth.verdict))", x: c.growth.steps.map(Double.init), y: c.growth.norms.map(Double.init))
    }
    return chart
  }
}

/// A matrix file that was read but cannot be measured: the library's message, prefixed
/// with the file's path.
struct MatrixFileError: Error, CustomStringConvertible {
  let file: String
  let reason: LinearAlgebraError
  var description: String { "\(file): \(reason)" }
}
