/// A Keras or PyTorch file RNNKit cannot use: unreadable, malformed, or describing a layer
/// or option RNNKit does not have. The message names the file, the layer (its Keras name
/// and class) and the expected and actual values.
///
/// ```swift
/// do { _ = try loadKerasModel(url) } catch let error as KerasFileError {
///   print(error)   // model.keras: layer 'lstm' (LSTM): option activation: expected "tanh", got "relu"
/// }
/// ```
public struct KerasFileError: Error, CustomStringConvertible, Equatable, Sendable {
  /// The file (or archive member) concerned.
  public let file: String
  /// The layer concerned, as `'name' (Class)`, when the problem is one layer's.
  public let layer: String?
  /// What is wrong: the option or weight, the expected and the actual value.
  public let message: String

  /// An error about `file`, optionally about one `layer`.
  public init(file: String, layer: String? = nil, message: String) {
    self.file = file
    self.layer = layer
    self.message = message
  }

  public var description: String {
    if let layer { return "\(file): layer \(layer): \(message)" }
    return "\(file): \(message)"
  }
}
