import RNNKit

// The workloads: which cells, which sizes, and the napkin math for each.
// Dims legend: B = batch, T = time, D = input features, H = units, G = gate blocks.

/// A recurrent cell type the bench times.
enum CellKind: String, CaseIterable, Codable, Sendable {
  case simple, lstm, gru

  /// G: gate blocks of H columns in W and U (SimpleRNN 1, LSTM 4, GRU 3).
  var gateCount: Int {
    switch self {
    case .simple: return 1
    case .lstm: return 4
    case .gru: return 3
    }
  }

  /// The name in the table.
  var displayName: String {
    switch self {
    case .simple: return "SimpleRNN"
    case .lstm: return "LSTM"
    case .gru: return "GRU(reset_after)"
    }
  }
}

/// A problem size: batch, time, input features, units.
struct ProblemSize: Codable, Sendable {
  let name: String
  let B: Int, T: Int, D: Int, H: Int

  static let seed = ProblemSize(name: "seed", B: 128, T: 80, D: 100, H: 64)
  static let mid = ProblemSize(name: "mid", B: 64, T: 100, D: 256, H: 256)
  static let large = ProblemSize(name: "large", B: 64, T: 50, D: 512, H: 1024)
  static let all = [seed, mid, large]

  static func named(_ name: String) -> ProblemSize? { all.first { $0.name == name } }

  var label: String { "B=\(B) T=\(T) D=\(D) H=\(H)" }
}

/// Forward (inference, no cache), a training step (forward with cache + backward), or
/// one epoch of the IMDB model (IMDBEpoch.swift).
enum Mode: String, Codable, Sendable {
  case forward, train, epoch
}

/// The napkin math: every step multiplies [B, D+H] by [D+H, G·H] once (2 FLOPs per
/// multiply-add); backward does the same product twice more (dZ·[W;U]ᵀ and
/// [x;h]ᵀ·dZ), so a training step is 3× the forward. Activations and elementwise work
/// are not counted (they are O(B·T·G·H), a factor D+H smaller).
func flops(cell: CellKind, size: ProblemSize, mode: Mode) -> Double {
  let s = size
  let forward = 2.0 * Double(s.B) * Double(s.T) * Double(s.D + s.H) * Double(cell.gateCount) * Double(s.H)
  return mode == .forward ? forward : 3 * forward
}

/// The formula with its numbers, printed beside the table.
func flopsFormula(cell: CellKind, size: ProblemSize) -> String {
  let s = size, g = cell.gateCount
  let gf = flops(cell: cell, size: size, mode: .forward) / 1e9
  return "2·B·T·(D+H)·G·H = 2·\(s.B)·\(s.T)·(\(s.D)+\(s.H))·\(g)·\(s.H) = \(format(gf, 3)) GFLOP forward, "
    + "\(format(3 * gf, 3)) GFLOP train (3×)"
}

/// One cell at one size: the weights and data both paths use, in Keras's layout.
///
/// x (B,T,D) and the loss weights P (B,T,H) are uniform in [-1, 1); W and U come from the
/// layer's own initialisers (glorot_uniform, orthogonal); the bias is replaced by
/// uniform(-0.5, 0.5) so that the bias path is validated too (Keras starts it at zero).
/// The loss is sum(y ⊙ P), so dL/dy = P.
struct Workload {
  let cell: CellKind
  let size: ProblemSize
  let layer: any Layer
  let x: Tensor
  let lossWeights: Tensor
  /// Keras order: kernel W (D, G·H), recurrent_kernel U (H, G·H), bias (G·H) or (2, 3H).
  let kernel: [Float], recurrentKernel: [Float], bias: [Float]

  init(cell: CellKind, size: ProblemSize, seed: UInt64 = 1) throws {
    self.cell = cell
    self.size = size
    let (B, T, D, H) = (size.B, size.T, size.D, size.H)
    let layer: any Layer
    switch cell {
    case .simple: layer = SimpleRNN(units: H, returnSequences: true, inputSize: D, seed: seed)
    case .lstm: layer = LSTM(units: H, returnSequences: true, inputSize: D, seed: seed)
    case .gru: layer = GRU(units: H, resetAfter: true, returnSequences: true, inputSize: D, seed: seed)
    }
    var weights = layer.getWeights()
    let biasShape = weights[2].shape
    weights[2] = Tensor(randomUniform: biasShape, lower: -0.5, upper: 0.5, seed: seed &+ 3)
    try layer.setWeights(weights)
    self.layer = layer
    kernel = weights[0].scalars
    recurrentKernel = weights[1].scalars
    bias = weights[2].scalars
    x = Tensor(randomUniform: [B, T, D], lower: -1, upper: 1, seed: seed &+ 1)
    lossWeights = Tensor(randomUniform: [B, T, H], lower: -1, upper: 1, seed: seed &+ 2)
  }
}
