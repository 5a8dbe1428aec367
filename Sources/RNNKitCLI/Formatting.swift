import Foundation
import RNNKit

/// Text helpers shared by the subcommands: numbers, vectors and matrices in aligned columns.
enum Format {
  /// Six significant digits, like NumPy's default print: 2, 0.8, 0.0858993, 1.2e-07.
  static func number(_ x: Float) -> String {
    if x.isNaN { return "nan" }
    if x.isInfinite { return x > 0 ? "inf" : "-inf" }
    return String(format: "%.6g", Double(x))
  }

  /// A fixed number of decimals, for tensors whose columns should line up.
  static func fixed(_ x: Float, decimals: Int = 4) -> String {
    if x.isNaN { return "nan" }
    if x.isInfinite { return x > 0 ? "inf" : "-inf" }
    return String(format: "%.\(decimals)f", Double(x))
  }

  /// `s` padded on the left to `width` characters.
  static func right(_ s: String, _ width: Int) -> String {
    String(repeating: " ", count: max(0, width - s.count)) + s
  }

  /// Rows under a header, each column padded to its widest entry and separated by two spaces.
  static func table(header: [String], rows: [[String]]) -> String {
    let widths = header.indices.map { c in ([header] + rows).map { $0[c].count }.max() ?? 0 }
    let line = { (cells: [String]) in
      String(("  " + zip(cells, widths).map { left($0, $1) }.joined(separator: "  ")).reversed().drop { $0 == " " }.reversed())
    }
    return ([line(header), line(widths.map { String(repeating: "-", count: $0) })] + rows.map(line)).joined(separator: "\n")
  }

  /// `s` padded on the right to `width` characters.
  static func left(_ s: String, _ width: Int) -> String {
    s + String(repeating: " ", count: max(0, width - s.count))
  }

  /// A vector or matrix the way NumPy prints it, every column right-aligned:
  /// `[[1 1]` / ` [1 1]]`, each line after the first indented by `indent` spaces.
  /// Matrices with more than `maxRows` rows show the first and last rows around `...`;
  /// vectors are padded to equal widths only when `alignVector` is true.
  static func tensor(
    _ t: Tensor, indent: Int = 0, maxRows: Int = 8, alignVector: Bool = true, _ entry: (Float) -> String = number
  ) -> String {
    let values = t.scalars.map(entry)
    let width = values.map(\.count).max() ?? 0
    let cells = values.map { right($0, width) }
    switch t.rank {
    case 0: return cells.first ?? ""
    case 1: return "[" + (alignVector ? cells : values).joined(separator: " ") + "]"
    case 2:
      let (rows, columns) = (t.shape[0], t.shape[1])
      if rows == 0 { return "[]" }
      var shown = Array(0..<rows)
      if rows > maxRows { shown = Array(0..<(maxRows / 2)) + [-1] + Array((rows - maxRows / 2)..<rows) }
      let pad = String(repeating: " ", count: indent + 1)
      let lines = shown.map { r -> String in
        r < 0 ? "..." : "[" + cells[(r * columns)..<((r + 1) * columns)].joined(separator: " ") + "]"
      }
      return "[" + lines.joined(separator: "\n" + pad) + "]"
    default:
      return "\(t)"
    }
  }

  /// A heading underlined with dashes.
  static func heading(_ title: String) -> String {
    title + "\n" + String(repeating: "-", count: title.count)
  }
}
