import ArgumentParser
import CKernels
import Foundation

// rnnkit-bench: times RNNKit's fused recurrent layers against an unfused reference path,
// validating every result first. See Workloads.swift for the sizes and FLOP count.

struct RNNBenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rnnkit-bench",
    abstract: "Time fused SimpleRNN / LSTM / GRU layers (inference and a training step) against an unfused reference.",
    discussion: """
      Every fused result (output, loss, dx and all weight gradients) is validated against the unfused \
      reference before timing; a mismatch exits with status 1 without timing. Times are medians of \
      --runs runs after --warmup untimed runs. GFLOP/s use FLOPs = 2·B·T·(D+H)·G·H forward and 3× that \
      for a training step; the ceiling is ck_sgemm on n×n×n measured in the same run.
      """)

  @Option(help: "Comma-separated sizes: seed, mid, large.")
  var sizes = "seed,mid,large"

  @Option(help: "Comma-separated cells: simple, lstm, gru.")
  var cells = "simple,lstm,gru"

  @Option(help: "Timed runs per measurement (the median is reported).")
  var runs = 10

  @Option(help: "Timed runs for the large size (default: --runs).")
  var largeRuns: Int?

  @Option(help: "Untimed warm-up runs before each measurement.")
  var warmup = 2

  @Option(help: "OpenBLAS threads (ck_set_num_threads); 0 keeps the library's choice.")
  var threads = 0

  @Option(help: "Matrix order n of the sgemm ceiling (halved while one call takes over 2 s).")
  var sgemmSize = 2048

  @Option(help: "Also write the table as markdown to this file.")
  var markdown: String?

  @Option(help: "Also write the rows as JSON to this file.")
  var json: String?

  @Flag(help: "Print where the time goes: raw kernel calls vs the layer, and the reference's GEMM / activation / elementwise split.")
  var phases = false

  @Flag(help: "Let the unfused reference use the vectorised ck_sigmoid_forward / ck_tanh_forward (and backward) instead of ck_unary.")
  var vectorisedReference = false

  @Flag(help: "Skip the peak-memory probe of each training step (a child process per cell and size).")
  var skipMemory = false

  @Option(help: "Comma-separated cells for the IMDB epoch rows (simple, lstm, gru); empty for none.")
  var imdbCells = "simple,lstm,gru"

  @Option(help: "Samples in the synthetic IMDB epoch (IMDB's training set has 25,000).")
  var imdbSamples = 25_000

  @Option(help: "Timed IMDB epochs per cell (the median is reported).")
  var epochRuns = 2

  @Option(help: "Also time Tokenizer.fit on the 20 Newsgroups posts and loading GloVe, from this data folder (../shared/data).")
  var textData: String?

  @Option(help: ArgumentHelp("Internal: print one training step's memory as JSON (CELL:SIZE).", visibility: .hidden))
  var memoryProbe: String?

  func validate() throws {
    guard runs >= 1 else { throw ValidationError("--runs must be at least 1, got \(runs)") }
    if let largeRuns, largeRuns < 1 { throw ValidationError("--large-runs must be at least 1, got \(largeRuns)") }
    guard warmup >= 0 else { throw ValidationError("--warmup must be at least 0, got \(warmup)") }
    guard threads >= 0 else { throw ValidationError("--threads must be at least 0, got \(threads)") }
    guard sgemmSize >= 64 else { throw ValidationError("--sgemm-size must be at least 64, got \(sgemmSize)") }
    guard imdbSamples >= 1 else { throw ValidationError("--imdb-samples must be at least 1, got \(imdbSamples)") }
    guard epochRuns >= 1 else { throw ValidationError("--epoch-runs must be at least 1, got \(epochRuns)") }
    _ = try parsedSizes()
    _ = try parsedCells()
    _ = try parsedCells(imdbCells, option: "--imdb-cells")
    if let memoryProbe { _ = try parsedProbe(memoryProbe) }
  }

  func parsedSizes() throws -> [ProblemSize] {
    try sizes.split(separator: ",").map { name in
      guard let s = ProblemSize.named(String(name)) else {
        throw ValidationError("--sizes: unknown size '\(name)', expected seed, mid or large")
      }
      return s
    }
  }

  func parsedCells() throws -> [CellKind] { try parsedCells(cells, option: "--cells") }

  func parsedCells(_ list: String, option: String) throws -> [CellKind] {
    try list.split(separator: ",").map { name in
      guard let c = CellKind(rawValue: String(name)) else {
        throw ValidationError("\(option): unknown cell '\(name)', expected simple, lstm or gru")
      }
      return c
    }
  }

  func parsedProbe(_ text: String) throws -> (CellKind, ProblemSize) {
    let parts = text.split(separator: ":").map(String.init)
    guard parts.count == 2, let cell = CellKind(rawValue: parts[0]), let size = ProblemSize.named(parts[1]) else {
      throw ValidationError("--memory-probe: expected CELL:SIZE such as lstm:seed, got '\(text)'")
    }
    return (cell, size)
  }

  func run() throws {
    if threads > 0 { ck_set_num_threads(Int32(threads)) }
    if let memoryProbe {
      let (cell, size) = try parsedProbe(memoryProbe)
      guard let memory = try ProcessMemory.probe(cell: cell, size: size) else { throw ExitCode.failure }
      print(String(decoding: try JSONEncoder().encode(memory), as: UTF8.self))
      return
    }
    let threadCount = ck_get_num_threads()
    ck_set_num_threads(1)
    let oneThread = SgemmCeiling.measure(runs: 5, startingAt: sgemmSize)
    ck_set_num_threads(threadCount)
    let ceiling = SgemmCeiling.measure(runs: 5, startingAt: sgemmSize)
    let first = Machine(
      cpu: Machine.cpuModel(), cores: ProcessInfo.processInfo.activeProcessorCount,
      openblasThreads: Int(ck_get_num_threads()), sgemmN: ceiling.n,
      sgemmMilliseconds: ceiling.milliseconds, sgemmGflops: ceiling.gflops,
      sgemmOneThreadGflops: oneThread.gflops)
    var notes = [
      "runs \(runs) (large: \(largeRuns ?? runs)), warm-up \(warmup); ms = median wall clock, fused and unfused runs alternating, each after a 0.2 s pause",
      "load average at start (1/5/15 min): \(Machine.loadAverage())",
      "unfused reference activations: " + (vectorisedReference
        ? "ck_sigmoid_forward / ck_tanh_forward (vectorised)" : "ck_unary (libm expf / tanhf)"),
    ]
    if ceiling.n != sgemmSize { notes.append("sgemm ceiling measured at n = \(ceiling.n): \(sgemmSize) took over 2 s") }
    for line in first.headerLines + notes { print(line) }

    var measurements: [Measurement] = []
    for size in try parsedSizes() {
      for cell in try parsedCells() {
        print("\n\(cell.displayName) \(size.name) (\(size.label)): \(flopsFormula(cell: cell, size: size))")
        let workload = try Workload(cell: cell, size: size)
        let fused = FusedPath(workload)
        let reference = UnfusedReference(workload, vectorisedActivations: vectorisedReference)

        let check = validateAgainstReference(fused: fused, reference: reference)
        let detail = check.errors.map { "\($0.name) \(String(format: "%.1e", Double($0.error)))" }.joined(separator: ", ")
        print("  validation (max |fused − unfused| / max(1, |unfused|)): \(detail)")
        guard check.passed else {
          print("  MISMATCH: \(check.worst.name) differs by \(check.worst.error) > \(validationTolerance); not timing.")
          throw ExitCode.failure
        }

        let n = size.name == "large" ? (largeRuns ?? runs) : runs
        for mode in [Mode.forward, .train] {
          let times = measureAlternating(runs: n, warmup: warmup) {
            if mode == .forward { _ = fused.forward() } else { fused.trainStep() }
          } _: {
            if mode == .forward { reference.forward() } else { reference.trainStep() }
          }
          let (msFused, msUnfused) = (median(times.a), median(times.b))
          var measurement = Measurement(
            cell: cell, size: size, mode: mode, msFused: msFused, msUnfused: msUnfused, maxDiff: check.worst.error)
          var line = "  \(mode.rawValue): fused \(format(msFused, 2)) ms, unfused \(format(msUnfused, 2)) ms, "
            + "\(format(msUnfused / msFused, 2))×, \(format(measurement.gflopsFused, 1)) GFLOP/s"
          if mode == .train && !skipMemory {
            measurement.memory = ProcessMemory.measureInChild(cell: cell, size: size)
            line += measurement.memory.map {
              "; step peak RSS \(format(mib($0.peak), 1)) MiB, growth \(format(mib($0.growth), 1)) MiB"
            } ?? "; memory probe failed"
          }
          print(line)
          measurements.append(measurement)
        }
        if phases { printPhases(fused: fused, reference: reference, runs: n) }
      }
    }

    var epochs: [EpochMeasurement] = []
    for cell in try parsedCells(imdbCells, option: "--imdb-cells") {
      let workload = IMDBEpochWorkload(cell: cell, samples: imdbSamples)
      let result = try workload.measure(epochs: epochRuns)
      print("\nIMDB epoch, \(cell.displayName) (\(imdbSamples) × \(IMDBEpochWorkload.time) synthetic ids): "
            + result.milliseconds.map { format($0 / 1e3, 2) + " s" }.joined(separator: ", ")
            + "; last loss \(format(Double(result.lastLoss), 4)), accuracy \(format(Double(result.lastAccuracy), 4))")
      epochs.append(EpochMeasurement(cell: cell, milliseconds: median(result.milliseconds)))
    }

    if let textData {
      let text = try TextLoadingTimes.measure(data: textData)
      print("")
      for line in text.lines { print(line) }
      notes += text.lines
    }

    // The machine is shared: measure the ceiling again and take the better of the two,
    // so that load during one measurement does not flatter the percentages.
    let after = SgemmCeiling.measure(runs: 5, startingAt: ceiling.n)
    let best = after.gflops > ceiling.gflops ? after : ceiling
    let machine = Machine(
      cpu: Machine.cpuModel(), cores: ProcessInfo.processInfo.activeProcessorCount,
      openblasThreads: Int(ck_get_num_threads()), sgemmN: best.n,
      sgemmMilliseconds: best.milliseconds, sgemmGflops: best.gflops,
      sgemmOneThreadGflops: oneThread.gflops)
    notes.append("sgemm ceiling at the start \(format(ceiling.gflops, 1)), at the end \(format(after.gflops, 1)) GFLOP/s; "
                 + "% sgemm uses the better; load average at the end: \(Machine.loadAverage())")
    let rows = measurements.map { $0.row(sgemmGflops: best.gflops) } + epochs.map(\.row)
    print("")
    for line in machine.headerLines + notes { print(line) }
    print(textTable(rows))
    if let markdown {
      try markdownTable(rows, machine: machine, notes: notes).write(toFile: markdown, atomically: true, encoding: .utf8)
    }
    if let json {
      try jsonData(JSONReport(machine: machine, runs: runs, warmup: warmup, rows: rows))
        .write(to: URL(fileURLWithPath: json), options: .atomic)
    }
  }
}

RNNBenchCommand.main()
