import Foundation
import Testing

@testable import RNNKit
@testable import RNNKitKeras

/// The fixtures Tests/Reference/keras_models.py and torch_rnn_weights.py wrote.
enum KerasFixtures {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures")
  static let keras = root.appendingPathComponent("keras")
  static let torch = root.appendingPathComponent("torch")

  /// One case of `keras/manifest.json`.
  struct Case: Decodable, CustomStringConvertible, Sendable {
    struct Files: Decodable, Sendable {
      let keras: String?
      let h5: String?
      let weights_h5: String?
      let json: String?
      let input: String?
      let expected: String?
    }
    let name: String
    let files: Files
    var description: String { name }
  }

  struct Manifest: Decodable { let cases: [Case] }

  /// Every case of the manifest; an absent or unreadable manifest is an empty list, which
  /// the count guard in the tests turns into a failure.
  static let cases: [Case] = {
    guard let data = try? Data(contentsOf: keras.appendingPathComponent("manifest.json")),
      let manifest = try? JSONDecoder().decode(Manifest.self, from: data)
    else { return [] }
    return manifest.cases
  }()

  /// The cases with an input and Keras's predictions.
  static let predictionCases = cases.filter { $0.files.input != nil && $0.files.expected != nil }

  static func url(_ name: String) -> URL { keras.appendingPathComponent(name) }

  static func array(_ url: URL) throws -> Tensor { try NPY.read(contentsOf: url).tensor() }

  /// The PyTorch case names (a `.json` beside each `.safetensors`).
  static let torchCases: [String] = {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: torch.path)) ?? []
    return names.filter { $0.hasSuffix(".safetensors") }.map { String($0.dropLast(".safetensors".count)) }.sorted()
  }()

  /// A fresh temporary directory, removed by the caller's `defer`.
  static func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("rnnkit-keras-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }
}

/// The largest absolute difference between two tensors of one shape.
func maxDifference(_ a: Tensor, _ b: Tensor) -> Float {
  precondition(a.shape == b.shape, "shapes \(a.shape) and \(b.shape)")
  return zip(a.scalars, b.scalars).map { Swift.abs($0 - $1) }.max() ?? 0
}

extension KerasFixtures {
  /// A path under `../shared/data` beside the repository.
  static func sharedData(_ relative: String) -> String {
    root.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("../shared/data/\(relative)").standardizedFileURL.path
  }
}
