// swift-tools-version:6.0
import PackageDescription

let package = Package(
  name: "RNNKit",
  products: [
    // MARK: - Public API
    .library(name: "RNNKit", targets: ["RNNKit"]),
    // MARK: - Executables
    .executable(name: "rnnkit", targets: ["RNNKitCLI"]),
    .executable(name: "rnnkit-bench", targets: ["RNNBench"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
  ],
  targets: [
    // MARK: - Public API
    .target(
      name: "RNNKit",
      dependencies: ["CKernels"]
    ),

    // MARK: - Implementation details
    // OpenBLAS (cblas_sgemm) and LAPACKE, found through pkg-config.
    .systemLibrary(
      name: "CBLAS",
      path: "Sources/CBLAS",
      pkgConfig: "openblas lapacke",
      providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]
    ),
    // Pure C kernels on raw float buffers; see CKernels/include/ckernels.h.
    .target(
      name: "CKernels",
      dependencies: ["CBLAS"],
      path: "CKernels"
    ),

    // MARK: - Executables
    .executableTarget(
      name: "RNNKitCLI",
      dependencies: [
        "RNNKit",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      path: "Sources/rnnkit"
    ),
    .executableTarget(
      name: "RNNBench",
      dependencies: [
        "RNNKit", "CKernels",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      path: "Benchmarks/RNNBench"
    ),

    // MARK: - Tests
    .testTarget(name: "CKernelsTests", dependencies: ["CKernels"]),
    .testTarget(name: "RNNKitTests", dependencies: ["RNNKit", "RNNKitCLI", "CKernels"], exclude: ["Fixtures"]),
  ]
)
