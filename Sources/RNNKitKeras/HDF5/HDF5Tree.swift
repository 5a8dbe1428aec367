/// An HDF5 file's content held in memory: the groups, numeric datasets and attributes that
/// Keras files use. ``HDF5File/read(image:name:)`` fills one from a file's bytes and
/// ``HDF5File/image(of:)`` writes one back, so the rest of RNNKitKeras never touches
/// libhdf5 handles.
struct HDF5Group: Equatable, Sendable {
  var groups: [String: HDF5Group] = [:]
  var datasets: [String: HDF5Dataset] = [:]
  var attributes: [String: HDF5Attribute] = [:]

  /// The group at a `/`-separated path below this one, if every step exists.
  func group(at path: String) -> HDF5Group? {
    var current = self
    for step in path.split(separator: "/") {
      guard let next = current.groups[String(step)] else { return nil }
      current = next
    }
    return current
  }

  /// The dataset at a `/`-separated path below this one.
  func dataset(at path: String) -> HDF5Dataset? {
    var steps = path.split(separator: "/").map(String.init)
    guard let last = steps.popLast() else { return nil }
    return group(at: steps.joined(separator: "/"))?.datasets[last]
  }

  /// Sets the group at `path`, creating the groups on the way.
  mutating func setGroup(_ group: HDF5Group, at path: [String]) {
    guard let first = path.first else {
      self = group
      return
    }
    groups[first, default: HDF5Group()].setGroup(group, at: Array(path.dropFirst()))
  }
}

/// A dataset's shape and values. Float datasets are read as float32 (Keras stores weights
/// so); integer ones as Int64 (an optimizer's iteration count).
struct HDF5Dataset: Equatable, Sendable {
  enum Values: Equatable, Sendable {
    case float32([Float])
    case int64([Int64])
    /// A dataset of another type (strings, compounds): kept by name only.
    case unsupported(String)
  }

  var shape: [Int]
  var values: Values
}

/// An attribute: a string, an array of strings, or numbers.
enum HDF5Attribute: Equatable, Sendable {
  case string(String)
  case strings([String])
  case numbers([Double])
  case unsupported(String)

  /// The strings of a string or string-array attribute.
  var strings: [String]? {
    switch self {
    case .string(let s): return [s]
    case .strings(let list): return list
    default: return nil
    }
  }
}
