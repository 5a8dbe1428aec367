internal import CKernels

/// The threads RNNKit's kernels use: OpenBLAS's, and the recurrent kernels' thread teams
/// (at most this many). By default the library's own choice, the machine's cores; set it
/// when several processes share a machine — two MPI ranks on two cores want one each.
///
/// ```swift
/// setThreadCount(1)      // one thread per rank
/// print(threadCount)     // 1
/// ```
public func setThreadCount(_ count: Int) {
  precondition(count >= 1, "setThreadCount: count must be at least 1, got \(count)")
  ck_set_num_threads(Int32(clamping: count))
}

/// The threads RNNKit's kernels use (see ``setThreadCount(_:)``).
public var threadCount: Int { Int(ck_get_num_threads()) }
