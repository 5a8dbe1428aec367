// The README's foundation snippets (tensors, gradients, linear algebra, clipping), verbatim,
// followed by assertions on what their comments promise. `readmeBlocksAppearInTests` checks
// that every line of every ```swift block in README.md occurs in one of the
// Readme*SnippetTests.swift files, so the README cannot drift from code that compiles.
import Foundation
import Testing

@testable import RNNKit

@Suite struct ReadmeSnippetTests {
  static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  static let readme = testsDirectory.deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("README.md")

  @Test func readmeBlocksAppearInTests() throws {
    // The README and the DocC articles that came out of it.
    let articles = Self.readme.deletingLastPathComponent().appendingPathComponent("Sources/RNNKit/RNNKit.docc")
    var markdown = try String(contentsOf: ReadmeSnippetTests.readme, encoding: .utf8)
    for article in ["FromKerasToRNNKit", "TrainingModels", "TextData", "TensorsAndGradients", "Performance"] {
      markdown += try String(contentsOf: articles.appendingPathComponent(article + ".md"), encoding: .utf8)
    }
    // The core's snippets live here, the Keras files' beside RNNKitKerasTests.
    let directories = [Self.testsDirectory, Self.testsDirectory.deletingLastPathComponent().appendingPathComponent("RNNKitKerasTests")]
    var snippetFiles: [URL] = []
    for directory in directories {
      snippetFiles += try FileManager.default.contentsOfDirectory(atPath: directory.path)
        .filter { $0.hasPrefix("Readme") && $0.hasSuffix("SnippetTests.swift") }.map { directory.appendingPathComponent($0) }
    }
    #expect(snippetFiles.count >= 3)
    var sourceLines: Set<String> = []
    for file in snippetFiles {
      let source = try String(contentsOf: file, encoding: .utf8)
      sourceLines.formUnion(source.components(separatedBy: "\n").map { $0.trimmingCharacters(in: .whitespaces) })
    }
    // Package manifests are not library code; every other block must compile in a test.
    let blocks = markdown.components(separatedBy: "```swift\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
      .filter { !$0.hasPrefix("// Package.swift") }
    #expect(blocks.count >= 8)
    for block in blocks {
      for line in block.components(separatedBy: "\n") {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { continue }
        #expect(sourceLines.contains(trimmed), "README line not in ReadmeSnippetTests.swift: \(trimmed)")
      }
    }
  }

  @Test func tensorBasics() {
    let x = Tensor(randomNormal: [4, 80, 100], seed: 42)   // the same seed, the same values
    let m = Tensor([[1, 2], [3, 4]])                        // shape [2, 2]
    let w = Tensor(ones: [2, 2])
    let v = Tensor(repeating: 0.4, shape: [2, 2])

    let firstStep = x[.all, 0, .all]                        // [4, 100], like x[:, 0, :]
    let steps = x.unstacked(alongAxis: 1)                   // 80 tensors of shape [4, 100]
    let restacked = Tensor(stacking: steps, alongAxis: 1)   // [4, 80, 100] again

    let shifted = m + Tensor([10, 20])                      // broadcasting: [[11, 22], [13, 24]]
    let product = matmul(m, w)                              // [[3, 3], [7, 7]]
    let total = m.sum().scalar                              // 10
    let rowMeans = m.mean(alongAxes: 1)                     // [1.5, 3.5]
    let largest = m.max().scalar                            // 4

    #expect(x == Tensor(randomNormal: [4, 80, 100], seed: 42))
    #expect(x != Tensor(randomNormal: [4, 80, 100], seed: 43))
    #expect(m.shape == [2, 2])
    #expect(v.scalars == [0.4, 0.4, 0.4, 0.4])
    #expect(firstStep.shape == [4, 100])
    #expect(firstStep.scalars[0..<100] == x.scalars[0..<100])           // x[0, 0, :]
    #expect(firstStep.scalars[100..<200] == x.scalars[8000..<8100])     // x[1, 0, :]
    #expect(steps.count == 80 && steps.allSatisfy { $0.shape == [4, 100] })
    #expect(steps[0] == firstStep)
    #expect(restacked == x)
    #expect(shifted == Tensor([[11, 22], [13, 24]]))
    #expect(product == Tensor([[3, 3], [7, 7]]))
    #expect(total == 10)
    #expect(rowMeans == Tensor([1.5, 3.5]))
    #expect(largest == 4)
  }

  @Test func randomGenerator() {
    var rng = RandomGenerator(seed: 0)
    let a = Tensor(randomUniform: [2, 3], lower: -1, upper: 1, using: &rng)
    let b = Tensor(randomNormal: [3], standardDeviation: 0.5, using: &rng)

    #expect(a.shape == [2, 3] && a.scalars.allSatisfy { $0 >= -1 && $0 < 1 })
    #expect(b.shape == [3])
    var again = RandomGenerator(seed: 0)
    #expect(Tensor(randomUniform: [2, 3], lower: -1, upper: 1, using: &again) == a)
    #expect(Tensor(randomNormal: [3], standardDeviation: 0.5, using: &again) == b)
  }

  @Test func gradientTape() {
    let tape = GradientTape()
    var weights = Tensor([[1, 2], [3, 4]])
    tape.watch(&weights)
    let loss = tape.record { (weights * weights).sum() }
    let dw = tape.gradient(of: loss, wrt: weights)          // 2·w: [[2, 4], [6, 8]]

    #expect(loss.scalar == 30)
    #expect(dw == Tensor([[2, 4], [6, 8]]))
  }

  @Test func valueWithGradientInOneCall() {
    let (y, dy) = valueWithGradient(at: Tensor([1, 2, 3])) { ($0 * $0).sum() }
    // y = 14, dy = [2, 4, 6]

    #expect(y.scalar == 14)
    #expect(dy == Tensor([2, 4, 6]))
  }

  @Test func linearAlgebra() throws {
    let (values, vectors) = try eigh(Tensor(ones: [2, 2]))        // [0, 2], eigenvectors as columns
    let rotation = try eigenvalues(Tensor([[0, -1], [1, 0]]))     // ±i
    // rotation.real = [0, 0], rotation.imaginary = [1, -1], rotation.moduli = [1, 1]
    let rho = try spectralRadius(Tensor(repeating: 0.4, shape: [2, 2]))   // 0.8
    let sigma = try singularValues(Tensor([[3, 0], [0, 4]]))      // [4, 3]
    let twoNorm = try spectralNorm(Tensor(ones: [2, 2]))          // 2
    let l2 = try norm(Tensor([3, 4]))                             // 5 (Frobenius for a matrix)
    let l1 = try norm(Tensor([3, 4]), .l1)                        // 7
    let maxAbs = try norm(Tensor([3, 4]), .infinity)              // 4
    let cube = try matrixPower(Tensor(ones: [2, 2]), 3)           // [[4, 4], [4, 4]]

    do {
      _ = try eigh(Tensor(zeros: [2, 3]))
    } catch let error as LinearAlgebraError {
      print(error)   // eigh: expected a square matrix, got shape [2, 3]
      #expect("\(error)" == "eigh: expected a square matrix, got shape [2, 3]")
    }

    #expect(isClose(values.scalars, [0, 2], absolute: 1e-6, relative: 0))
    #expect(isClose(matmul(Tensor(ones: [2, 2]), vectors).scalars, (vectors * values.reshaped(to: [1, 2])).scalars, absolute: 1e-6, relative: 0))
    #expect(isClose(rotation.real.scalars, [0, 0], absolute: 1e-6, relative: 0))
    #expect(isClose(rotation.imaginary.scalars, [1, -1], absolute: 1e-6, relative: 0))
    #expect(isClose(rotation.moduli.scalars, [1, 1], absolute: 1e-6, relative: 0))
    #expect(rho == 0.8)
    #expect(sigma == Tensor([4, 3]))
    #expect(Swift.abs(twoNorm - 2) < 1e-6)
    #expect(l2 == 5 && l1 == 7 && maxAbs == 4)
    #expect(cube == Tensor([[4, 4], [4, 4]]))
  }

  @Test func clipping() throws {
    let limited = try clipByValue(Tensor([-2, 0.5, 3]), lower: -1, upper: 1)   // [-1, 0.5, 1]
    let unit = try clipByNorm(Tensor([3, 4]), clipNorm: 1)                     // [0.6, 0.8]
    let joint = globalNorm([Tensor([3, 4]), Tensor([12])])                     // 13
    let (clipped, before) = try clipByGlobalNorm([Tensor([3, 4]), Tensor([12])], clipNorm: 6.5)
    // clipped = [[1.5, 2], [6]], before = 13

    #expect(limited == Tensor([-1, 0.5, 1]))
    #expect(unit == Tensor([0.6, 0.8]))
    #expect(joint == 13)
    #expect(clipped == [Tensor([1.5, 2]), Tensor([6])])
    #expect(before == 13)
  }

  @Test func normGrowth() throws {
    let exploding = try NormGrowth(matrix: Tensor(ones: [2, 2]))
    // exploding.eigenvalues.real = [0, 2], spectralRadius = 2
    // exploding.norms = [2, 4, 8, …, 2048] (n = 1…11), verdict = .explodes
    let vanishing = try NormGrowth(matrix: Tensor(repeating: 0.4, shape: [2, 2]), steps: 11)
    // vanishing.spectralRadius = 0.8, norms = 0.8ⁿ, verdict = .vanishes

    #expect(isClose(exploding.eigenvalues.real.scalars, [0, 2], absolute: 1e-6, relative: 0))
    #expect(exploding.spectralRadius == 2)
    #expect(exploding.norms == (1...11).map { Float(1 << $0) })
    #expect(exploding.verdict == .explodes)
    #expect(vanishing.spectralRadius == 0.8)
    #expect(isClose(vanishing.norms, (1...11).map { Float(pow(0.8, Double($0))) }, absolute: 0, relative: 1e-6))
    #expect(vanishing.verdict == .vanishes)
  }

  @Test func clippingDemo() throws {
    let demo = try ClippingDemo(seed: 42)
    // demo.normBefore ≈ 10.99 → demo.normAfter ≈ 5 (clip_by_norm to 5)
    // demo.globalNormBefore ≈ 4.20 → demo.globalNormAfter ≈ 2 (clip_by_global_norm to 2)

    #expect(Swift.abs(demo.normBefore - 10.99) < 0.005)
    #expect(Swift.abs(demo.normAfter - 5) < 1e-5)
    #expect(Swift.abs(demo.globalNormBefore - 4.20) < 0.005)
    #expect(Swift.abs(demo.globalNormAfter - 2) < 1e-5)
  }
}
