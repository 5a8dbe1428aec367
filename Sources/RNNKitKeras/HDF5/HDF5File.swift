import CHDF5
import Foundation
import Synchronization

/// A file libhdf5 could not read or write, or whose content is outside what RNNKit reads.
public struct HDF5Error: Error, CustomStringConvertible, Equatable, Sendable {
  /// The file (or archive member) concerned.
  public let file: String
  /// What went wrong, with the object's path inside the file.
  public let message: String

  public var description: String { "\(file): \(message)" }
}

/// Reads and writes whole HDF5 files through libhdf5, in memory: a file's bytes become an
/// ``HDF5Group`` tree and back, with HDF5's core driver, so a `.keras` archive's
/// `model.weights.h5` is read without a temporary file.
///
/// Every call holds one process-wide lock: libhdf5 builds without thread safety exist, and
/// its error-printing switch is per thread where it has it.
enum HDF5File {
  /// Bounds on what a file may make RNNKit allocate: Keras files are far inside them.
  static let maximumDepth = 64
  static let maximumObjects = 1 << 20
  static let maximumRank = 32
  /// The attributes read: a legacy file's model and training configs and weight indexes.
  static let attributeNames = ["model_config", "training_config", "layer_names", "weight_names"]

  private static let lock = Mutex(0)

  /// The tree of the HDF5 file whose bytes are `image`; `name` labels errors.
  static func read(image: Data, name: String) throws -> HDF5Group {
    try lock.withLock { counter in
      counter += 1
      rk_h5_silence_errors()
      let file = image.withUnsafeBytes { raw in
        rk_h5_open_image(raw.baseAddress, raw.count, "rnnkit-read-\(counter)")
      }
      guard file >= 0 else {
        throw HDF5Error(file: name, message: "not an HDF5 file libhdf5 can open (\(image.count) bytes)")
      }
      defer { H5Fclose(file) }
      var reader = Reader(name: name, byteLimit: 64 * image.count + (1 << 20))
      return try reader.group(file, path: "/", depth: 0)
    }
  }

  /// The bytes of an HDF5 file holding `tree`.
  static func image(of tree: HDF5Group, name: String) throws -> Data {
    try lock.withLock { counter in
      counter += 1
      rk_h5_silence_errors()
      let file = rk_h5_create_in_memory("rnnkit-write-\(counter)")
      guard file >= 0 else { throw HDF5Error(file: name, message: "libhdf5 could not create a file in memory") }
      var closed = false
      defer { if !closed { H5Fclose(file) } }
      let writer = Writer(name: name)
      try writer.fill(file, with: tree, path: "")
      guard H5Fflush(file, H5F_SCOPE_GLOBAL) >= 0 else { throw HDF5Error(file: name, message: "libhdf5 could not flush the file") }
      let size = H5Fget_file_image(file, nil, 0)
      guard size > 0 else { throw HDF5Error(file: name, message: "libhdf5 returned no file image") }
      var data = Data(count: size)
      let copied = data.withUnsafeMutableBytes { H5Fget_file_image(file, $0.baseAddress, size) }
      guard copied == size else { throw HDF5Error(file: name, message: "libhdf5 returned a short file image") }
      closed = true
      guard H5Fclose(file) >= 0 else { throw HDF5Error(file: name, message: "libhdf5 could not close the file") }
      return data
    }
  }
}

// MARK: - Reading

extension HDF5File {
  /// Walks a file, counting objects and bytes against the limits.
  fileprivate struct Reader {
    let name: String
    let byteLimit: Int
    var objects = 0
    var bytes = 0

    init(name: String, byteLimit: Int) {
      self.name = name
      self.byteLimit = byteLimit
    }

    func fail(_ path: String, _ message: String) -> HDF5Error {
      HDF5Error(file: name, message: "\(path): \(message)")
    }

    mutating func count(_ path: String) throws {
      objects += 1
      guard objects <= HDF5File.maximumObjects else {
        throw fail(path, "more than \(HDF5File.maximumObjects) objects")
      }
    }

    mutating func group(_ location: hid_t, path: String, depth: Int) throws -> HDF5Group {
      guard depth <= HDF5File.maximumDepth else { throw fail(path, "groups nested deeper than \(HDF5File.maximumDepth)") }
      try count(path)
      var result = HDF5Group()
      result.attributes = try attributes(location, path: path)
      var info = H5G_info_t()
      guard H5Gget_info(location, &info) >= 0 else { throw fail(path, "libhdf5 cannot list the group") }
      guard info.nlinks <= UInt64(HDF5File.maximumObjects) else { throw fail(path, "\(info.nlinks) links") }
      for index in 0..<info.nlinks {
        let child = try linkName(location, index: index, path: path)
        let childPath = path == "/" ? "/" + child : path + "/" + child
        switch rk_h5_object_kind(location, child) {
        case 0:
          let g = H5Gopen2(location, child, rk_h5p_default())
          guard g >= 0 else { throw fail(childPath, "libhdf5 cannot open the group") }
          defer { H5Gclose(g) }
          result.groups[child] = try group(g, path: childPath, depth: depth + 1)
        case 1:
          let d = H5Dopen2(location, child, rk_h5p_default())
          guard d >= 0 else { throw fail(childPath, "libhdf5 cannot open the dataset") }
          defer { H5Dclose(d) }
          try count(childPath)
          result.datasets[child] = try dataset(d, path: childPath)
        case 2:
          continue  // a named datatype: nothing Keras stores
        default:
          throw fail(childPath, "libhdf5 cannot open the object (a dangling or external link?)")
        }
      }
      return result
    }

    func linkName(_ location: hid_t, index: hsize_t, path: String) throws -> String {
      let length = H5Lget_name_by_idx(location, ".", H5_INDEX_NAME, H5_ITER_INC, index, nil, 0, rk_h5p_default())
      guard length >= 0, length < 1 << 16 else { throw fail(path, "libhdf5 cannot name link \(index)") }
      var buffer = [CChar](repeating: 0, count: length + 1)
      guard H5Lget_name_by_idx(location, ".", H5_INDEX_NAME, H5_ITER_INC, index, &buffer, buffer.count, rk_h5p_default()) >= 0
      else { throw fail(path, "libhdf5 cannot name link \(index)") }
      return decodeCString(buffer)
    }

    /// The shape of a dataspace, checked against the limits; the element count second.
    mutating func extent(_ space: hid_t, path: String) throws -> (shape: [Int], count: Int) {
      let rank = H5Sget_simple_extent_ndims(space)
      guard rank >= 0, rank <= HDF5File.maximumRank else { throw fail(path, "rank \(rank) is outside 0...\(HDF5File.maximumRank)") }
      var dims = [hsize_t](repeating: 0, count: Int(rank))
      guard H5Sget_simple_extent_dims(space, &dims, nil) >= 0 else { throw fail(path, "libhdf5 cannot read the shape") }
      var count = 1
      for d in dims {
        let (product, overflow) = count.multipliedReportingOverflow(by: Int(clamping: d))
        guard !overflow, d <= UInt64(Int.max), product <= Int(Int32.max) else { throw fail(path, "shape \(dims) is too large") }
        count = product
      }
      return (dims.map { Int($0) }, count)
    }

    mutating func charge(_ byteCount: Int, path: String) throws {
      bytes += byteCount
      guard bytes <= byteLimit else {
        throw fail(path, "the datasets hold more than \(byteLimit) bytes, more than a file of this size can store")
      }
    }

    mutating func dataset(_ d: hid_t, path: String) throws -> HDF5Dataset {
      let space = H5Dget_space(d)
      guard space >= 0 else { throw fail(path, "libhdf5 cannot read the dataspace") }
      defer { H5Sclose(space) }
      let (shape, count) = try extent(space, path: path)
      let type = H5Dget_type(d)
      guard type >= 0 else { throw fail(path, "libhdf5 cannot read the datatype") }
      defer { H5Tclose(type) }
      switch H5Tget_class(type) {
      case H5T_FLOAT:
        return HDF5Dataset(shape: shape, values: .float32(try read(d, as: rk_h5t_native_float(), count: count, path: path)))
      case H5T_INTEGER:
        return HDF5Dataset(shape: shape, values: .int64(try read(d, as: rk_h5t_native_int64(), count: count, path: path)))
      default:
        return HDF5Dataset(shape: shape, values: .unsupported("datatype class \(H5Tget_class(type).rawValue)"))
      }
    }

    /// A dataset's `count` values converted by libhdf5 to `memoryType` (Float or Int64).
    mutating func read<Element: Numeric>(_ d: hid_t, as memoryType: hid_t, count: Int, path: String) throws -> [Element] {
      try charge(count * MemoryLayout<Element>.stride, path: path)
      var values = [Element](repeating: 0, count: count)
      if count > 0 {
        guard H5Dread(d, memoryType, rk_h5s_all(), rk_h5s_all(), rk_h5p_default(), &values) >= 0 else {
          throw fail(path, "libhdf5 cannot read the values (\(count) of \(Element.self))")
        }
      }
      return values
    }

    mutating func attributes(_ object: hid_t, path: String) throws -> [String: HDF5Attribute] {
      var result: [String: HDF5Attribute] = [:]
      for name in HDF5File.attributeNames where H5Aexists(object, name) > 0 {
        let attribute = H5Aopen(object, name, rk_h5p_default())
        guard attribute >= 0 else { throw fail(path, "libhdf5 cannot open attribute \(name)") }
        defer { H5Aclose(attribute) }
        result[name] = try value(of: attribute, path: path + "@" + name)
      }
      return result
    }

    mutating func value(of attribute: hid_t, path: String) throws -> HDF5Attribute {
      let space = H5Aget_space(attribute)
      guard space >= 0 else { throw fail(path, "libhdf5 cannot read the dataspace") }
      defer { H5Sclose(space) }
      let isScalar = H5Sget_simple_extent_type(space) == H5S_SCALAR
      let (_, count) = try extent(space, path: path)
      let type = H5Aget_type(attribute)
      guard type >= 0 else { throw fail(path, "libhdf5 cannot read the datatype") }
      defer { H5Tclose(type) }
      switch H5Tget_class(type) {
      case H5T_STRING:
        let strings = try readStrings(attribute, type: type, space: space, count: count, path: path)
        return isScalar && strings.count == 1 ? .string(strings[0]) : .strings(strings)
      case H5T_FLOAT, H5T_INTEGER:
        try charge(count * 8, path: path)
        var values = [Double](repeating: 0, count: count)
        if count > 0 {
          guard H5Aread(attribute, rk_h5t_native_double(), &values) >= 0 else { throw fail(path, "libhdf5 cannot read the values") }
        }
        return .numbers(values)
      default:
        return .unsupported("datatype class \(H5Tget_class(type).rawValue)")
      }
    }

    mutating func readStrings(_ attribute: hid_t, type: hid_t, space: hid_t, count: Int, path: String) throws -> [String] {
      let memoryType = H5Tcopy(rk_h5t_c_s1())
      guard memoryType >= 0 else { throw fail(path, "libhdf5 cannot make a string type") }
      defer { H5Tclose(memoryType) }
      H5Tset_cset(memoryType, H5Tget_cset(type))
      if H5Tis_variable_str(type) > 0 {
        try charge(count * 8, path: path)
        H5Tset_size(memoryType, rk_h5t_variable())
        var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
        guard H5Aread(attribute, memoryType, &pointers) >= 0 else { throw fail(path, "libhdf5 cannot read the strings") }
        defer { rk_h5_reclaim_strings(memoryType, space, &pointers) }
        var strings: [String] = []
        for pointer in pointers {
          let text = pointer.map { String(cString: $0) } ?? ""
          try charge(text.utf8.count, path: path)
          strings.append(text)
        }
        return strings
      }
      let width = H5Tget_size(type)
      guard width > 0, width < 1 << 24 else { throw fail(path, "string width \(width)") }
      let (total, overflow) = width.multipliedReportingOverflow(by: count)
      guard !overflow else { throw fail(path, "\(count) strings of \(width) bytes") }
      try charge(total, path: path)
      H5Tset_size(memoryType, width)
      var bytes = [CChar](repeating: 0, count: Swift.max(total, 1))
      guard H5Aread(attribute, memoryType, &bytes) >= 0 else { throw fail(path, "libhdf5 cannot read the strings") }
      return (0..<count).map { i in decodeCString(Array(bytes[i * width..<(i + 1) * width]) + [0]) }
    }
  }
}

/// The text before the first NUL of `buffer`, with invalid UTF-8 repaired.
private func decodeCString(_ buffer: [CChar]) -> String {
  let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
  return String(decoding: bytes, as: UTF8.self)
}

// MARK: - Writing

extension HDF5File {
  /// Creates a tree's groups, datasets and attributes, in name order so the same tree gives
  /// the same file.
  fileprivate struct Writer {
    let name: String

    func fail(_ path: String, _ message: String) -> HDF5Error {
      HDF5Error(file: name, message: "\(path.isEmpty ? "/" : path): \(message)")
    }

    func fill(_ location: hid_t, with group: HDF5Group, path: String) throws {
      for (key, attribute) in group.attributes.sorted(by: { $0.key < $1.key }) {
        try write(attribute, named: key, on: location, path: path)
      }
      for (key, child) in group.groups.sorted(by: { $0.key < $1.key }) {
        let untimed = rk_h5_untimed_creation(0)
        defer { H5Pclose(untimed) }
        let g = H5Gcreate2(location, key, rk_h5p_default(), untimed, rk_h5p_default())
        guard g >= 0 else { throw fail(path + "/" + key, "libhdf5 cannot create the group") }
        defer { H5Gclose(g) }
        try fill(g, with: child, path: path + "/" + key)
      }
      for (key, dataset) in group.datasets.sorted(by: { $0.key < $1.key }) {
        try write(dataset, named: key, in: location, path: path + "/" + key)
      }
    }

    func makeSpace(_ shape: [Int], path: String) throws -> hid_t {
      let space = shape.isEmpty
        ? H5Screate(H5S_SCALAR) : H5Screate_simple(Int32(shape.count), shape.map { hsize_t($0) }, nil)
      guard space >= 0 else { throw fail(path, "libhdf5 cannot make a dataspace of shape \(shape)") }
      return space
    }

    func write(_ dataset: HDF5Dataset, named key: String, in location: hid_t, path: String) throws {
      let space = try makeSpace(dataset.shape, path: path)
      defer { H5Sclose(space) }
      switch dataset.values {
      case .float32(let values):
        try create(key, in: location, space: space, fileType: rk_h5t_ieee_f32le(), memoryType: rk_h5t_native_float(), values, path: path)
      case .int64(let values):
        try create(key, in: location, space: space, fileType: rk_h5t_std_i64le(), memoryType: rk_h5t_native_int64(), values, path: path)
      case .unsupported(let what):
        throw fail(path, "cannot write a dataset of \(what)")
      }
    }

    /// Creates dataset `key` of `fileType` holding `values` (given as `memoryType`).
    func create<Element>(
      _ key: String, in location: hid_t, space: hid_t, fileType: hid_t, memoryType: hid_t, _ values: [Element], path: String
    ) throws {
      let untimed = rk_h5_untimed_creation(1)
      defer { H5Pclose(untimed) }
      let d = H5Dcreate2(location, key, fileType, space, rk_h5p_default(), untimed, rk_h5p_default())
      guard d >= 0 else { throw fail(path, "libhdf5 cannot create the dataset") }
      defer { H5Dclose(d) }
      guard values.isEmpty || H5Dwrite(d, memoryType, rk_h5s_all(), rk_h5s_all(), rk_h5p_default(), values) >= 0
      else { throw fail(path, "libhdf5 cannot write the values") }
    }

    func write(_ attribute: HDF5Attribute, named key: String, on object: hid_t, path: String) throws {
      guard case .string(let text) = attribute else { throw fail(path + "@" + key, "only string attributes are written") }
      let type = H5Tcopy(rk_h5t_c_s1())
      guard type >= 0 else { throw fail(path, "libhdf5 cannot make a string type") }
      defer { H5Tclose(type) }
      H5Tset_size(type, rk_h5t_variable())
      H5Tset_cset(type, H5T_CSET_UTF8)
      let space = try makeSpace([], path: path)
      defer { H5Sclose(space) }
      let a = H5Acreate2(object, key, type, space, rk_h5p_default(), rk_h5p_default())
      guard a >= 0 else { throw fail(path + "@" + key, "libhdf5 cannot create the attribute") }
      defer { H5Aclose(a) }
      let status = text.withCString { pointer -> herr_t in
        var pointers: [UnsafePointer<CChar>?] = [pointer]
        return H5Awrite(a, type, &pointers)
      }
      guard status >= 0 else { throw fail(path + "@" + key, "libhdf5 cannot write the attribute") }
    }
  }
}
