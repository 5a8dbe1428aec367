// swift-tools-version:6.0
import PackageDescription

let package = Package(
  name: "RNNKit",
  products: [
    // MARK: - Public API
    .library(name: "RNNKit", targets: ["RNNKit"]),
    // Keras .keras / .h5 / .weights.h5 files and PyTorch weights; adds libhdf5.
    .library(name: "RNNKitKeras", targets: ["RNNKitKeras"]),
    // Data-parallel training across processes and machines on Open MPI; adds libmpi.
    .library(name: "RNNKitDistributed", targets: ["RNNKitDistributed"]),
    // MARK: - Executables
    .executable(name: "rnnkit", targets: ["RNNKitCLI"]),
    .executable(name: "rnnkit-bench", targets: ["RNNBench"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    // `swift package generate-documentation --target RNNKitKeras` (DocC catalogs in Sources/*/*.docc).
    .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
  ],
  targets: [
    // MARK: - Public API
    .target(
      name: "RNNKit",
      dependencies: ["CKernels"]
    ),

    .target(
      name: "RNNKitKeras",
      dependencies: ["RNNKit", "CHDF5"]
    ),

    .target(
      name: "RNNKitDistributed",
      dependencies: ["RNNKit", "CMPI"]
    ),

    // MARK: - Implementation details
    // OpenBLAS (cblas_sgemm) and LAPACKE, found through pkg-config.
    .systemLibrary(
      name: "CBLAS",
      path: "Sources/CBLAS",
      pkgConfig: "openblas lapacke",
      providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]
    ),
    // libhdf5 (Debian's serial build), found through pkg-config; shim.h wraps the macros
    // Swift cannot import (H5P_DEFAULT, H5T_NATIVE_FLOAT, the in-memory file driver).
    .systemLibrary(
      name: "CHDF5",
      path: "Sources/CHDF5",
      pkgConfig: "hdf5-serial",
      providers: [.apt(["libhdf5-dev"])]
    ),
    // Open MPI (Debian's libopenmpi-dev), found through pkg-config; shim.h wraps MPI's
    // handle and constant macros (MPI_COMM_WORLD, MPI_FLOAT, ...).
    .systemLibrary(
      name: "CMPI",
      path: "Sources/CMPI",
      pkgConfig: "ompi-c",
      providers: [.apt(["libopenmpi-dev"])]
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
        "RNNKit", "RNNKitKeras", "RNNKitDistributed",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      path: "Sources/RNNKitCLI"
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
    .testTarget(
      name: "RNNKitKerasTests", dependencies: ["RNNKitKeras", "RNNKit", "RNNKitCLI", "CKernels"], exclude: ["Fixtures"]),
  ]
)
