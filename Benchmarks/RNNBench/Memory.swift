import CKernels
import Foundation

// Peak resident memory of a training step. Each probe runs in a fresh child process
// (`rnnkit-bench --memory-probe CELL:SIZE`), so memory the allocator kept from earlier
// rows cannot hide a step's growth: the child builds the workload, notes its resident
// set, resets the kernel's high-water mark (/proc/self/clear_refs), runs one fused
// training step and reads the high-water mark (VmHWM) again.

/// The memory of one training step, in bytes.
struct StepMemory: Codable {
  /// Resident set after building the layer, inputs and loss weights.
  let baseline: Int
  /// Peak resident set during the step.
  let peak: Int
  /// peak − baseline: what the step itself needed.
  var growth: Int { peak - baseline }
}

enum ProcessMemory {
  /// VmRSS and VmHWM from /proc/self/status, in bytes.
  static func status() -> (resident: Int, peak: Int)? {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
    func kilobytes(_ key: String) -> Int? {
      guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(key + ":") }) else { return nil }
      return line.split(separator: " ").compactMap { Int($0) }.first
    }
    guard let rss = kilobytes("VmRSS"), let hwm = kilobytes("VmHWM") else { return nil }
    return (rss * 1024, hwm * 1024)
  }

  /// Sets VmHWM back to the current resident set; `false` where the kernel refuses.
  static func resetPeak() -> Bool {
    (try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)) != nil
  }

  /// In the child: one training step of `cell` at `size`, measured as above.
  static func probe(cell: CellKind, size: ProblemSize) throws -> StepMemory? {
    let fused = FusedPath(try Workload(cell: cell, size: size))
    guard let before = status(), resetPeak() else { return nil }
    let result = fused.trainStep()
    guard let after = status() else { return nil }
    withExtendedLifetime(result) {}
    return StepMemory(baseline: before.resident, peak: after.peak)
  }

  /// In the parent: runs the probe in a child process; `nil` (and a note) if it fails.
  static func measureInChild(cell: CellKind, size: ProblemSize) -> StepMemory? {
    let child = Process()
    child.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    child.arguments = ["--memory-probe", "\(cell.rawValue):\(size.name)"]
    let pipe = Pipe()
    child.standardOutput = pipe
    do {
      try child.run()
    } catch {
      return nil
    }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    child.waitUntilExit()
    guard child.terminationStatus == 0 else { return nil }
    return try? JSONDecoder().decode(StepMemory.self, from: data)
  }
}

/// Bytes in MiB.
func mib(_ bytes: Int) -> Double { Double(bytes) / 1_048_576 }

/// What BPTT must hold at a training step's peak, in bytes: the kernel's cache of saved
/// activations (LSTM: gates, the rows [1, x_t, h_{t-1}], c_{t-1}, tanh c_t), the output
/// sequence y and its gradient, and the input gradient.
func bpttBytes(cell: CellKind, size: ProblemSize) -> Int {
  let (b, t, d, h) = (Int32(size.B), Int32(size.T), Int32(size.D), Int32(size.H))
  let cache: Int
  switch cell {
  case .simple: cache = ck_simple_rnn_cache_size(b, t, d, h)
  case .lstm: cache = ck_lstm_cache_size(b, t, d, h)
  case .gru: cache = ck_gru_cache_size(b, t, d, h)
  }
  let sequence = size.B * size.T * size.H
  return 4 * (cache + 2 * sequence + size.B * size.T * size.D)
}
