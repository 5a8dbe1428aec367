import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A file could not be written; `path` names it, `reason` says why.
///
/// ```swift
/// do {
///   try NPY.write(x, to: URL(fileURLWithPath: "/read-only/x.npy"))
/// } catch let error as FileWriteError {
///   print(error)   // /read-only/x.npy: cannot write the file: Permission denied
/// }
/// ```
public struct FileWriteError: Error, CustomStringConvertible, Equatable, Sendable {
  /// The destination file, as given.
  ///
  /// ```swift
  /// catch let error as FileWriteError { print("could not save", error.path) }
  /// ```
  public let path: String
  /// What went wrong.
  ///
  /// ```swift
  /// catch let error as FileWriteError { print(error.reason) }   // e.g. "Permission denied"
  /// ```
  public let reason: String

  /// `path: cannot write the file: reason`.
  ///
  /// ```swift
  /// catch let error as FileWriteError { print(error) }
  /// ```
  public var description: String { "\(path): cannot write the file: \(reason)" }
}

/// Writes `data` to `url` so that readers see either the old file or the whole new one:
/// the bytes go to a temporary file in the same directory (same file system), are flushed
/// to disk, and the temporary file is then renamed over `url`. On failure the temporary
/// file is removed and `url` is left untouched.
///
/// `beforeRename` runs after the data is on disk and before the rename: the last moment a
/// crash could strike (tests use it to simulate one).
package func writeAtomically(_ data: Data, to url: URL, beforeRename: () -> Void = {}) throws {
  let path = url.isFileURL ? url.relativePath : url.absoluteString
  guard url.isFileURL else { throw FileWriteError(path: path, reason: "not a file URL") }
  let directory = url.deletingLastPathComponent()
  let temporary = directory.appendingPathComponent(
    ".\(url.lastPathComponent).\(UUID().uuidString).tmp", isDirectory: false)
  do {
    guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
      throw FileWriteError(path: path, reason: "cannot create a temporary file in \(directory.path)")
    }
    let handle = try FileHandle(forWritingTo: temporary)
    do {
      try handle.write(contentsOf: data)
      try handle.synchronize()
      try handle.close()
    } catch {
      try? handle.close()
      throw error
    }
    beforeRename()
    guard rename(temporary.path, url.path) == 0 else {
      throw FileWriteError(path: path, reason: String(cString: strerror(errno)))
    }
  } catch {
    try? FileManager.default.removeItem(at: temporary)
    if let error = error as? FileWriteError { throw error }
    throw FileWriteError(path: path, reason: error.localizedDescription)
  }
}
