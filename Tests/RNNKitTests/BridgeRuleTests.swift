import Foundation
import Testing

/// The bridge rule of the architecture article ("How the kernels run"): only the files in
/// Sources/RNNKit/Bridge import CKernels, with `internal import`, so no other Swift file
/// can name a C kernel or its enums — the compiler refuses them.
@Suite struct BridgeRuleTests {
  static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Sources/RNNKit")

  @Test func onlyTheBridgeImportsCKernels() throws {
    let files = try #require(FileManager.default.enumerator(atPath: Self.sources.path)).compactMap { $0 as? String }
      .filter { $0.hasSuffix(".swift") }
    #expect(files.count > 50)
    for file in files {
      let text = try String(contentsOf: Self.sources.appendingPathComponent(file), encoding: .utf8)
      let imports = text.components(separatedBy: "\n").filter { $0.contains("import CKernels") }
      if file.hasPrefix("Bridge/") {
        #expect(imports.allSatisfy { $0 == "internal import CKernels" }, "\(file): \(imports)")
      } else {
        #expect(imports.isEmpty, "\(file) imports CKernels outside the bridge")
      }
    }
  }
}
