import ArgumentParser
import RNNKit

/// `rnnkit clip`: clip_by_value, clip_by_norm and clip_by_global_norm on seeded random
/// tensors. All numbers come from ``ClippingDemo``; this file only formats them.
struct ClipCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "clip",
    abstract: "Gradient clipping by value, by norm and by global norm, on seeded random tensors."
  )

  @Option(help: "The seed the random tensors are drawn with.")
  var seed: UInt64 = 42

  func run() throws {
    print(ClipCommand.report(try ClippingDemo(seed: seed)))
  }

  // MARK: - Formatting

  /// The printed text: each clipping function's input, output and norms.
  static func report(_ demo: ClippingDemo) -> String {
    let t = { (x: Tensor, indent: Int) in Format.tensor(x, indent: indent) { Format.fixed($0) } }
    let lo = Format.number(demo.valueRange.lowerBound), hi = Format.number(demo.valueRange.upperBound)
    var lines = [Format.heading("Gradient clipping (seed \(demo.seed))"), ""]

    lines.append("clip_by_value(t, \(lo), \(hi)): every element limited to [\(lo), \(hi)]")
    lines.append("  t       = " + t(demo.valueInput, 12))
    lines.append("  clipped = " + t(demo.valueClipped, 12))
    lines.append("")

    let clip = Format.number(demo.clipNorm)
    lines.append("clip_by_norm(t, \(clip)): t * \(clip) / max(‖t‖, \(clip))")
    lines.append("  t       = " + t(demo.normInput, 12))
    lines.append("  clipped = " + t(demo.normClipped, 12))
    lines.append(normLine("L2-norm", before: demo.normBefore, after: demo.normAfter))
    lines.append("")

    let globalClip = Format.number(demo.globalClipNorm)
    lines.append("clip_by_global_norm([t1, t2], \(globalClip)): each t * \(globalClip) / max(global_norm, \(globalClip))")
    for (i, (x, y)) in zip(demo.globalInputs, demo.globalClipped).enumerated() {
      lines.append("  t\(i + 1)         = " + t(x, 15))
      lines.append("  clipped t\(i + 1) = " + t(y, 15))
    }
    lines.append(normLine("global norm", before: demo.globalNormBefore, after: demo.globalNormAfter))
    return lines.joined(separator: "\n")
  }

  static func normLine(_ what: String, before: Float, after: Float) -> String {
    "  \(what): \(Format.number(before)) before, \(Format.number(after)) after"
  }
}
