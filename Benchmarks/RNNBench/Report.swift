import CKernels
import Foundation

// Report formatting: the machine header, the table (plain text and markdown), and JSON.

/// One line of the table: one cell, size and mode. A kernel row (forward, train) has every
/// field; an IMDB epoch row only the time (the reference and the FLOP count do not apply).
struct Row: Codable {
  let cell: String
  let size: String
  let B: Int, T: Int, D: Int, H: Int
  let mode: String
  let gflop: Double?
  let msFused: Double
  let msUnfused: Double?
  /// msUnfused / msFused.
  let speedup: Double?
  /// Of the fused path: gflop / seconds.
  let gflops: Double?
  /// Of the fused path, in percent of the sgemm ceiling's GFLOP/s.
  let percentOfSgemm: Double?
  let unfusedGflops: Double?
  /// The validation error of this cell and size (the worst tensor, scaled).
  let maxDiff: Float?
  /// Training rows: peak resident memory of one step and its growth over the process's
  /// resident set before the step, in MiB (see Memory.swift).
  let peakMiB: Double?
  let growthMiB: Double?
  /// Training rows: what BPTT must hold at the step's peak, in MiB — the kernel's cache of
  /// saved activations, the output sequence and its gradient, and the input gradient.
  let bpttMiB: Double?
}

/// The two medians of one cell, size and mode, before the ceiling is final.
struct Measurement {
  let cell: CellKind
  let size: ProblemSize
  let mode: Mode
  let msFused: Double, msUnfused: Double
  let maxDiff: Float
  var memory: StepMemory?

  var gflop: Double { flops(cell: cell, size: size, mode: mode) / 1e9 }
  var gflopsFused: Double { gflop / (msFused / 1e3) }

  func row(sgemmGflops: Double) -> Row {
    let train = mode == .train
    return Row(
      cell: cell.displayName, size: size.name, B: size.B, T: size.T, D: size.D, H: size.H,
      mode: mode.rawValue, gflop: gflop, msFused: msFused, msUnfused: msUnfused,
      speedup: msUnfused / msFused, gflops: gflopsFused, percentOfSgemm: 100 * gflopsFused / sgemmGflops,
      unfusedGflops: gflop / (msUnfused / 1e3), maxDiff: maxDiff,
      peakMiB: memory.map { mib($0.peak) }, growthMiB: memory.map { mib($0.growth) },
      bpttMiB: train ? mib(bpttBytes(cell: cell, size: size)) : nil)
  }
}

/// An IMDB epoch: the median of the timed epochs.
struct EpochMeasurement {
  let cell: CellKind
  let milliseconds: Double

  var row: Row {
    let s = IMDBEpochWorkload.size
    return Row(
      cell: cell.displayName, size: s.name, B: s.B, T: s.T, D: s.D, H: s.H, mode: Mode.epoch.rawValue,
      gflop: nil, msFused: milliseconds, msUnfused: nil, speedup: nil, gflops: nil, percentOfSgemm: nil,
      unfusedGflops: nil, maxDiff: nil, peakMiB: nil, growthMiB: nil, bpttMiB: nil)
  }
}

struct Machine: Codable {
  let cpu: String
  let cores: Int
  let openblasThreads: Int
  let sgemmN: Int
  let sgemmMilliseconds: Double
  let sgemmGflops: Double
  /// The same product on one OpenBLAS thread.
  let sgemmOneThreadGflops: Double

  static func cpuModel() -> String {
    guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown" }
    for line in info.split(separator: "\n") where line.hasPrefix("model name") {
      if let colon = line.firstIndex(of: ":") {
        return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
      }
    }
    return "unknown"
  }

  /// /proc/loadavg's first three fields: other work on a shared machine skews timings.
  static func loadAverage() -> String {
    guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return "unknown" }
    return text.split(separator: " ").prefix(3).joined(separator: " ")
  }

  var headerLines: [String] {
    [
      "machine: \(cpu), \(cores) cores, OpenBLAS threads \(openblasThreads)",
      "sgemm ceiling: ck_sgemm \(sgemmN)×\(sgemmN)×\(sgemmN) = \(format(2 * pow(Double(sgemmN), 3) / 1e9, 2)) GFLOP "
        + "in \(format(sgemmMilliseconds, 1)) ms (median) = \(format(sgemmGflops, 1)) GFLOP/s "
        + "(1 thread: \(format(sgemmOneThreadGflops, 1)) GFLOP/s)",
    ]
  }
}

func format(_ x: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", x) }

private let columns = ["cell", "size", "mode", "GFLOP", "ms fused", "ms unfused", "speed-up",
                       "GFLOP/s", "% sgemm", "unfused GFLOP/s", "max diff", "peak MiB", "step MiB", "BPTT MiB"]

private func cells(_ r: Row) -> [String] {
  func or(_ value: Double?, _ text: (Double) -> String) -> String { value.map(text) ?? "—" }
  return [r.cell, r.size, r.mode, or(r.gflop) { format($0, 2) }, format(r.msFused, 2),
          or(r.msUnfused) { format($0, 2) }, or(r.speedup) { format($0, 2) + "×" }, or(r.gflops) { format($0, 1) },
          or(r.percentOfSgemm) { format($0, 1) + "%" }, or(r.unfusedGflops) { format($0, 1) },
          or(r.maxDiff.map(Double.init)) { String(format: "%.1e", $0) }, or(r.peakMiB) { format($0, 1) },
          or(r.growthMiB) { format($0, 1) }, or(r.bpttMiB) { format($0, 1) }]
}

/// The table as aligned plain text.
func textTable(_ rows: [Row]) -> String {
  let body = rows.map(cells)
  let widths = columns.indices.map { i in ([columns[i]] + body.map { $0[i] }).map(\.count).max()! }
  func line(_ fields: [String]) -> String {
    zip(fields, widths).enumerated().map { i, fw in
      let pad = String(repeating: " ", count: fw.1 - fw.0.count)
      return i < 3 ? fw.0 + pad : pad + fw.0  // names left, numbers right
    }.joined(separator: "  ")
  }
  let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
  return ([line(columns), rule] + body.map(line)).joined(separator: "\n")
}

/// The table as markdown, with the machine lines above it.
func markdownTable(_ rows: [Row], machine: Machine, notes: [String]) -> String {
  var out = machine.headerLines.map { "- " + $0 } + notes.map { "- " + $0 } + [""]
  out.append("| " + columns.joined(separator: " | ") + " |")
  out.append("|" + columns.indices.map { $0 < 3 ? "---|" : "---:|" }.joined())
  out += rows.map { "| " + cells($0).joined(separator: " | ") + " |" }
  return out.joined(separator: "\n") + "\n"
}

struct JSONReport: Codable {
  let machine: Machine
  let runs: Int
  let warmup: Int
  let rows: [Row]
}

func jsonData(_ report: JSONReport) throws -> Data {
  let encoder = JSONEncoder()
  encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
  return try encoder.encode(report)
}
