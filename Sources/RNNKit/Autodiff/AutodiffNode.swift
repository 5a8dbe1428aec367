/// One recorded operation: which tracked values it read and how to send a gradient back.
///
/// Nodes form a DAG from a result back to the watched leaves. Parents never point to
/// children, so a graph is freed as soon as the last tensor holding its result goes.
///
/// An operation with several outputs (a recurrent layer's sequence and final states) is
/// one `.multiple` node plus one `.output` node per result, whose only input is the
/// operation: each result's gradient is handed to the operation as it is, with no
/// packing or copying, and a result nobody used reaches it as `nil`.
final class AutodiffNode: @unchecked Sendable {
  /// How a node sends the gradient of its value back to its inputs.
  enum Backward {
    /// A watched tensor or parameter: gradients stop here.
    case leaf
    /// Maps the gradient of the output to one gradient per input (`nil`: none, or not needed).
    case single((Tensor) -> [Tensor?])
    /// Result `index` of the `.multiple` node that is this node's only input.
    case output(index: Int)
    /// An operation with `outputCount` results: maps their gradients (`nil` for a result
    /// no gradient reached) to one gradient per input.
    case multiple(outputCount: Int, ([Tensor?]) -> [Tensor?])
  }

  /// The nodes of the operation's inputs, aligned with its inputs; `nil` for an untracked one.
  let inputs: [AutodiffNode?]
  let backward: Backward
  /// The shape of the value this node produced (`[]` for a `.multiple` node, which holds none).
  let shape: [Int]

  init(inputs: [AutodiffNode?], shape: [Int], backward: Backward) {
    self.inputs = inputs
    self.shape = shape
    self.backward = backward
  }

  /// A leaf: a value gradients are asked for.
  static func leaf(shape: [Int]) -> AutodiffNode {
    AutodiffNode(inputs: [], shape: shape, backward: .leaf)
  }

  /// Every node reachable from `self`, children before their inputs (reverse topological
  /// order), found without recursion so that long unrolled loops cannot overflow the stack.
  func reverseTopologicalOrder() -> [AutodiffNode] {
    var order: [AutodiffNode] = []
    var visited: Set<ObjectIdentifier> = [ObjectIdentifier(self)]
    var stack: [(node: AutodiffNode, nextInput: Int)] = [(self, 0)]
    while let top = stack.last {
      if top.nextInput < top.node.inputs.count {
        stack[stack.count - 1].nextInput += 1
        if let input = top.node.inputs[top.nextInput],
          visited.insert(ObjectIdentifier(input)).inserted
        {
          stack.append((input, 0))
        }
      } else {
        order.append(top.node)
        stack.removeLast()
      }
    }
    return order.reversed()
  }
}

extension Tensor {
  /// `output`, recorded as computed from `inputs` when a tape is recording and any input
  /// is tracked; otherwise `output` unchanged.
  ///
  /// `pullback` receives the gradient of `output` and returns one gradient per input, each
  /// of that input's shape (or `nil`). It runs with recording off.
  static func recorded(
    _ output: Tensor, inputs: [Tensor], pullback: @escaping (Tensor) -> [Tensor?]
  ) -> Tensor {
    guard GradientTape.current != nil, inputs.contains(where: { $0.node != nil }) else {
      return output
    }
    var tracked = output
    tracked.node = AutodiffNode(inputs: inputs.map(\.node), shape: output.shape, backward: .single(pullback))
    return tracked
  }
}

/// Runs reverse-mode differentiation from `target` seeded with `seed`; returns the
/// accumulated gradient of every node reached, keyed by node identity.
func backpropagate(from target: AutodiffNode, seed: Tensor) -> [ObjectIdentifier: Tensor] {
  var gradients: [ObjectIdentifier: Tensor] = [ObjectIdentifier(target): seed]
  // The results' gradients of each multi-output operation, gathered from its `.output`
  // nodes (which the order visits before the operation).
  var resultGradients: [ObjectIdentifier: [Tensor?]] = [:]
  GradientTape.$current.withValue(nil) {
    for node in target.reverseTopologicalOrder() {
      let key = ObjectIdentifier(node)
      let inputGradients: [Tensor?]
      switch node.backward {
      case .leaf:
        continue
      case .single(let pullback):
        guard let upstream = gradients[key] else { continue }
        inputGradients = pullback(upstream)
      case .output(let index):
        guard let upstream = gradients[key], let operation = node.inputs[0],
          case .multiple(let count, _) = operation.backward
        else { continue }
        resultGradients[ObjectIdentifier(operation), default: Array(repeating: nil, count: count)][index] = upstream
        continue
      case .multiple(_, let pullback):
        guard let results = resultGradients.removeValue(forKey: key) else { continue }
        inputGradients = pullback(results)
      }
      precondition(
        inputGradients.count == node.inputs.count,
        "autodiff: a pullback returned \(inputGradients.count) gradients for \(node.inputs.count) inputs")
      for (input, gradient) in zip(node.inputs, inputGradients) {
        guard let input, let gradient else { continue }
        precondition(
          gradient.shape == input.shape,
          "autodiff: gradient of shape \(gradient.shape) for a value of shape \(input.shape)")
        let inputKey = ObjectIdentifier(input)
        if let existing = gradients[inputKey] {
          gradients[inputKey] = existing + gradient
        } else {
          gradients[inputKey] = gradient
        }
      }
    }
  }
  return gradients
}

extension Tensor {
  /// Several outputs of one operation, recorded together when a tape is recording and any
  /// input is tracked (otherwise `outputs` unchanged).
  ///
  /// `pullback` receives one gradient per output, in the order of `outputs`, `nil` for an
  /// output no gradient reached, and returns one gradient per input (or `nil`).
  static func recorded(
    outputs: [Tensor], inputs: [Tensor], pullback: @escaping ([Tensor?]) -> [Tensor?]
  ) -> [Tensor] {
    guard GradientTape.current != nil, inputs.contains(where: { $0.node != nil }) else {
      return outputs
    }
    let operation = AutodiffNode(
      inputs: inputs.map(\.node), shape: [], backward: .multiple(outputCount: outputs.count, pullback))
    return outputs.indices.map { index in
      var tracked = outputs[index]
      tracked.node = AutodiffNode(inputs: [operation], shape: tracked.shape, backward: .output(index: index))
      return tracked
    }
  }
}
