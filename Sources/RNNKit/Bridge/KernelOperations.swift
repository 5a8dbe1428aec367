internal import CKernels

// The operations the element-wise, reduction, norm and bias-activation kernels compute,
// named in Swift so that only the bridge sees CKernels' C enums.

/// An element-wise operation of one tensor (`ck_unary`).
enum UnaryOperation {
  case negate, exp, log, sqrt, tanh, sigmoid, relu, abs, square, sign

  var kernel: ck_unary_op {
    switch self {
    case .negate: return CK_NEG
    case .exp: return CK_EXP
    case .log: return CK_LOG
    case .sqrt: return CK_SQRT
    case .tanh: return CK_TANH
    case .sigmoid: return CK_SIGMOID
    case .relu: return CK_RELU
    case .abs: return CK_ABS
    case .square: return CK_SQUARE
    case .sign: return CK_SIGN
    }
  }
}

/// An element-wise operation of two broadcast tensors (`ck_binary`).
enum BinaryOperation {
  case add, subtract, multiply, divide, maximum, minimum, power, equal, greater, less

  var kernel: ck_binary_op {
    switch self {
    case .add: return CK_ADD
    case .subtract: return CK_SUB
    case .multiply: return CK_MUL
    case .divide: return CK_DIV
    case .maximum: return CK_MAXIMUM
    case .minimum: return CK_MINIMUM
    case .power: return CK_POW
    case .equal: return CK_EQUAL
    case .greater: return CK_GREATER
    case .less: return CK_LESS
    }
  }
}

/// A reduction along one axis (`ck_reduce`).
enum ReduceOperation {
  case sum, max, min

  var kernel: ck_reduce_op {
    switch self {
    case .sum: return CK_REDUCE_SUM
    case .max: return CK_REDUCE_MAX
    case .min: return CK_REDUCE_MIN
    }
  }
}

extension Activation {
  /// The fused bias-and-activation kernel's code; `nil` for softmax (not element-wise).
  var elementwiseKernel: ck_activation? {
    switch self {
    case .linear: return CK_ACT_LINEAR
    case .relu: return CK_ACT_RELU
    case .sigmoid: return CK_ACT_SIGMOID
    case .tanh: return CK_ACT_TANH
    case .softmax: return nil
    }
  }
}
