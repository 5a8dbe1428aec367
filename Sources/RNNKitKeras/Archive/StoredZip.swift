import Foundation
import RNNKit

/// Writes a zip archive of uncompressed ("stored") members, as Keras 3 itself writes
/// `.keras` files. Written by hand because it is forty lines: a local header before each
/// member, a central directory and its end record (PKWARE APPNOTE 4.3); reading goes
/// through RNNKit's zip reader (`NPZ`), which also inflates compressed members.
enum StoredZip {
  /// The archive of `members`, in order.
  static func archive(_ members: [(name: String, data: Data)]) -> Data {
    var out = Data()
    var central = Data()
    // 1980-01-01 00:00, the zip epoch: the same model writes the same bytes.
    let (time, date): (UInt16, UInt16) = (0, 0x21)
    for (name, data) in members {
      let nameBytes = Data(name.utf8)
      let crc = data.withUnsafeBytes { CRC32.checksum($0) }
      let offset = UInt32(out.count)
      out.append(le32: 0x0403_4B50)
      out.append(le16: 20, 0, 0, time, date)
      out.append(le32: crc, UInt32(data.count), UInt32(data.count))
      out.append(le16: UInt16(nameBytes.count), 0)
      out.append(nameBytes)
      out.append(data)
      central.append(le32: 0x0201_4B50)
      central.append(le16: 20, 20, 0, 0, time, date)
      central.append(le32: crc, UInt32(data.count), UInt32(data.count))
      central.append(le16: UInt16(nameBytes.count), 0, 0, 0, 0)
      central.append(le32: 0, offset)
      central.append(nameBytes)
    }
    let directoryOffset = UInt32(out.count)
    out.append(central)
    out.append(le32: 0x0605_4B50)
    out.append(le16: 0, 0, UInt16(members.count), UInt16(members.count))
    out.append(le32: UInt32(central.count), directoryOffset)
    out.append(le16: 0)
    return out
  }
}

extension Data {
  fileprivate mutating func append(le16 values: UInt16...) {
    for v in values { append(contentsOf: [UInt8(v & 0xFF), UInt8(v >> 8)]) }
  }

  fileprivate mutating func append(le32 values: UInt32...) {
    for v in values { append(contentsOf: (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) }) }
  }
}
