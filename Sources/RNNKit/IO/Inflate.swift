// DEFLATE decompression (RFC 1951) and CRC-32 (ISO 3309), for reading `.npz` archives
// without a zlib dependency.
//
// Everything here reads untrusted bytes: every table is built from checked code lengths,
// every read is bounds-checked, and the output never grows past the size the caller
// declares, so a corrupt or hostile stream ends in a thrown `InflateFailure`, never in a
// crash or an unbounded allocation.

// MARK: - CRC-32

/// CRC-32 as used by zip (reflected polynomial 0xEDB88320), slice-by-4.
package enum CRC32 {
  static let tables: [[UInt32]] = {
    var t0 = [UInt32](repeating: 0, count: 256)
    for n in 0..<256 {
      var c = UInt32(n)
      for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
      t0[n] = c
    }
    var tables = [t0]
    for k in 1..<4 {
      let previous = tables[k - 1]
      tables.append((0..<256).map { n in (previous[n] >> 8) ^ t0[Int(previous[n] & 0xFF)] })
    }
    return tables
  }()

  /// The CRC-32 of `bytes`.
  package static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
    let t = tables.flatMap { $0 }
    return t.withUnsafeBufferPointer { t in
      var crc: UInt32 = 0xFFFF_FFFF
      var i = 0
      let n = bytes.count
      while i + 4 <= n {
        crc ^= UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24
        crc = t[768 + Int(crc & 0xFF)] ^ t[512 + Int((crc >> 8) & 0xFF)]
          ^ t[256 + Int((crc >> 16) & 0xFF)] ^ t[Int(crc >> 24)]
        i += 4
      }
      while i < n {
        crc = t[Int((crc ^ UInt32(bytes[i])) & 0xFF)] ^ (crc >> 8)
        i += 1
      }
      return ~crc
    }
  }
}

// MARK: - Inflate

/// Why a DEFLATE stream could not be decoded; `message` says what was found where.
struct InflateFailure: Error, Equatable {
  var message: String
}

/// A canonical Huffman code as a direct lookup table indexed by the next `bits` input bits
/// (LSB first): each entry is `symbol << 4 | length`, 0 for a bit pattern no code starts.
struct HuffmanTable {
  var entries: [UInt16]
  var bits: Int

  /// Builds the table from code lengths (0 = symbol unused), per RFC 1951 §3.2.2.
  /// An incomplete code is allowed (its unused patterns decode as errors); an
  /// over-subscribed one is not.
  init(lengths: ArraySlice<UInt8>, what: String) throws {
    var count = [Int](repeating: 0, count: 16)
    var maxLength = 0
    for length in lengths {
      count[Int(length)] += 1
      maxLength = Swift.max(maxLength, Int(length))
    }
    count[0] = 0
    var left = 1
    for length in 1..<16 {
      left = left << 1 - count[length]
      if left < 0 { throw InflateFailure(message: "over-subscribed \(what) code") }
    }
    bits = Swift.max(maxLength, 1)
    entries = [UInt16](repeating: 0, count: 1 << bits)
    var next = [Int](repeating: 0, count: 16)
    var code = 0
    for length in 1..<16 {
      code = (code + count[length - 1]) << 1
      next[length] = code
    }
    let size = 1 << bits
    var symbol = 0
    for length in lengths {
      defer { symbol += 1 }
      let l = Int(length)
      guard l > 0 else { continue }
      let c = next[l]
      next[l] += 1
      // Reverse the l-bit code: DEFLATE packs Huffman codes MSB first into an LSB-first stream.
      var reversed = 0
      for b in 0..<l where c & (1 << b) != 0 { reversed |= 1 << (l - 1 - b) }
      let entry = UInt16(symbol << 4 | l)
      var index = reversed
      while index < size {
        entries[index] = entry
        index += 1 << l
      }
    }
  }
}

/// Decodes a raw DEFLATE stream (no zlib or gzip wrapper).
///
/// - Parameters:
///   - input: the compressed bytes.
///   - expectedSize: the size the container declares; the output may not exceed it.
/// - Returns: the decompressed bytes (shorter than `expectedSize` only if the stream says so;
///   the caller compares).
func inflate(_ input: UnsafeRawBufferPointer, expectedSize: Int) throws -> [UInt8] {
  // DEFLATE never expands beyond 1032:1 (a 258-byte match in 2 bits), so a lying size
  // field cannot make us allocate more than that.
  let (plausible, overflow) = input.count.multipliedReportingOverflow(by: 1032)
  let capacity = Swift.max(0, Swift.min(expectedSize, overflow ? expectedSize : plausible))
  return try [UInt8](unsafeUninitializedCapacity: Swift.max(capacity, 1)) { buffer, initialized in
    var state = InflateState(input: input, output: buffer.baseAddress!, limit: capacity)
    defer { initialized = state.count }
    try state.run()
  }
}

struct InflateState {
  let input: UnsafeRawBufferPointer
  /// Room for `limit` bytes; `count` of them are written.
  let output: UnsafeMutablePointer<UInt8>
  let limit: Int
  var count = 0
  var position = 0  // next input byte to load into `buffer`
  var buffer: UInt64 = 0
  var bufferBits = 0

  init(input: UnsafeRawBufferPointer, output: UnsafeMutablePointer<UInt8>, limit: Int) {
    self.input = input
    self.output = output
    self.limit = limit
  }

  static let lengthBase: [Int] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258,
  ]
  static let lengthExtra: [Int] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
  static let distanceBase: [Int] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097,
    6145, 8193, 12289, 16385, 24577,
  ]
  static let distanceExtra: [Int] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
  ]
  static let fixedLiteral: HuffmanTable = {
    var lengths = [UInt8](repeating: 8, count: 288)
    for i in 144..<256 { lengths[i] = 9 }
    for i in 256..<280 { lengths[i] = 7 }
    return try! HuffmanTable(lengths: lengths[...], what: "fixed literal/length")
  }()
  static let fixedDistance: HuffmanTable = try! HuffmanTable(
    lengths: [UInt8](repeating: 5, count: 30)[...], what: "fixed distance")

  /// Tops the bit buffer up to at least 57 bits, or as many as the input has left.
  @inline(__always) mutating func refill() {
    while bufferBits <= 56 && position < input.count {
      buffer |= UInt64(input[position]) << UInt64(bufferBits)
      position += 1
      bufferBits += 8
    }
  }

  mutating func bits(_ n: Int) throws -> Int {
    if bufferBits < n {
      refill()
      if bufferBits < n { throw InflateFailure(message: "the stream ends early (at byte \(input.count))") }
    }
    let value = Int(buffer & ((1 << UInt64(n)) - 1))
    buffer >>= UInt64(n)
    bufferBits -= n
    return value
  }

  @inline(__always) mutating func decode(_ table: HuffmanTable, _ what: String) throws -> Int {
    if bufferBits < table.bits { refill() }
    let entry = Int(table.entries[Int(buffer & ((1 << UInt64(table.bits)) - 1))])
    let length = entry & 15
    if length == 0 || length > bufferBits {
      if length == 0 { throw InflateFailure(message: "invalid \(what) code near byte \(position)") }
      throw InflateFailure(message: "the stream ends early (at byte \(input.count))")
    }
    buffer >>= UInt64(length)
    bufferBits -= length
    return entry >> 4
  }

  mutating func run() throws {
    var last = false
    while !last {
      last = try bits(1) == 1
      switch try bits(2) {
      case 0: try stored()
      case 1: try block(literal: Self.fixedLiteral, distance: Self.fixedDistance)
      case 2:
        let (literal, distance) = try dynamicTables()
        try block(literal: literal, distance: distance)
      default: throw InflateFailure(message: "invalid block type 3 near byte \(position)")
      }
    }
  }

  mutating func stored() throws {
    // Drop to a byte boundary, then return whole unread bytes from the bit buffer to the input.
    let drop = bufferBits % 8
    buffer >>= UInt64(drop)
    bufferBits -= drop
    position -= bufferBits / 8
    buffer = 0
    bufferBits = 0
    guard position + 4 <= input.count else { throw InflateFailure(message: "the stream ends early (at byte \(input.count))") }
    let length = Int(input[position]) | Int(input[position + 1]) << 8
    let complement = Int(input[position + 2]) | Int(input[position + 3]) << 8
    guard length == ~complement & 0xFFFF else {
      throw InflateFailure(message: "stored block length \(length) does not match its complement near byte \(position)")
    }
    position += 4
    guard position + length <= input.count else { throw InflateFailure(message: "the stream ends early (at byte \(input.count))") }
    guard length <= limit - count else { throw tooLong() }
    if length > 0 { UnsafeMutableRawPointer(output + count).copyMemory(from: input.baseAddress! + position, byteCount: length) }
    count += length
    position += length
  }

  func tooLong() -> InflateFailure {
    InflateFailure(message: "the data inflates to more than the declared size (\(limit) bytes)")
  }

  mutating func dynamicTables() throws -> (HuffmanTable, HuffmanTable) {
    let literalCount = try bits(5) + 257
    let distanceCount = try bits(5) + 1
    let codeLengthCount = try bits(4) + 4
    guard literalCount <= 286, distanceCount <= 30 else {
      throw InflateFailure(message: "too many length or distance codes near byte \(position)")
    }
    let order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
    var codeLengthLengths = [UInt8](repeating: 0, count: 19)
    for i in 0..<codeLengthCount { codeLengthLengths[order[i]] = UInt8(try bits(3)) }
    let codeLengthTable = try HuffmanTable(lengths: codeLengthLengths[...], what: "code length")
    var lengths = [UInt8](repeating: 0, count: literalCount + distanceCount)
    var index = 0
    while index < lengths.count {
      let symbol = try decode(codeLengthTable, "code length")
      if symbol < 16 {
        lengths[index] = UInt8(symbol)
        index += 1
        continue
      }
      var value: UInt8 = 0
      let repeatCount: Int
      switch symbol {
      case 16:
        guard index > 0 else { throw InflateFailure(message: "repeat with no previous length near byte \(position)") }
        value = lengths[index - 1]
        repeatCount = 3 + (try bits(2))
      case 17: repeatCount = 3 + (try bits(3))
      default: repeatCount = 11 + (try bits(7))
      }
      guard index + repeatCount <= lengths.count else {
        throw InflateFailure(message: "code lengths overrun near byte \(position)")
      }
      for _ in 0..<repeatCount {
        lengths[index] = value
        index += 1
      }
    }
    guard lengths[256] != 0 else { throw InflateFailure(message: "no end-of-block code near byte \(position)") }
    return (
      try HuffmanTable(lengths: lengths[0..<literalCount], what: "literal/length"),
      try HuffmanTable(lengths: lengths[literalCount...], what: "distance")
    )
  }

  mutating func block(literal: HuffmanTable, distance: HuffmanTable) throws {
    while true {
      let symbol = try decode(literal, "literal/length")
      if symbol < 256 {
        guard count < limit else { throw tooLong() }
        output[count] = UInt8(symbol)
        count += 1
        continue
      }
      if symbol == 256 { return }
      let lengthIndex = symbol - 257
      guard lengthIndex < 29 else { throw InflateFailure(message: "invalid length symbol \(symbol) near byte \(position)") }
      let length = Self.lengthBase[lengthIndex] + (try bits(Self.lengthExtra[lengthIndex]))
      let distanceSymbol = try decode(distance, "distance")
      guard distanceSymbol < 30 else {
        throw InflateFailure(message: "invalid distance symbol \(distanceSymbol) near byte \(position)")
      }
      let back = Self.distanceBase[distanceSymbol] + (try bits(Self.distanceExtra[distanceSymbol]))
      guard back <= count else {
        throw InflateFailure(message: "distance \(back) reaches before the start of the data near byte \(position)")
      }
      guard length <= limit - count else { throw tooLong() }
      // Byte by byte: the source may overlap the bytes being written (back < length).
      let from = output + (count - back)
      let to = output + count
      for k in 0..<length { to[k] = from[k] }
      count += length
    }
  }
}
