// MARK: - Binary operators with broadcasting

extension Tensor {
  /// Applies a broadcasting binary kernel and records its pullback.
  ///
  /// `gradientA` and `gradientB` map (g, a, b, out) to the gradient of `a` or `b` before
  /// unbroadcasting; each runs only when its operand is tracked.
  static func binaryOperation(
    _ op: BinaryOperation, _ a: Tensor, _ b: Tensor, name: String,
    gradientA: @escaping (_ g: Tensor, _ a: Tensor, _ b: Tensor, _ out: Tensor) -> Tensor,
    gradientB: @escaping (_ g: Tensor, _ a: Tensor, _ b: Tensor, _ out: Tensor) -> Tensor
  ) -> Tensor {
    let shape = broadcastShape(a.shape, b.shape, operation: name)
    let out = Kernels.binary(op, a, b, shape: shape)
    let (ad, bd, outd) = (a.detached, b.detached, out)
    let (needA, needB) = (a.isTracked, b.isTracked)
    return .recorded(out, inputs: [a, b]) { g in
      [needA ? gradientA(g, ad, bd, outd).unbroadcast(to: ad.shape) : nil,
       needB ? gradientB(g, ad, bd, outd).unbroadcast(to: bd.shape) : nil]
    }
  }

  /// Element-wise sum with broadcasting.
  ///
  /// ```swift
  /// let y = matmul(x, w) + b     // b: [units] is added to every row
  /// ```
  public static func + (a: Tensor, b: Tensor) -> Tensor {
    binaryOperation(.add, a, b, name: "+", gradientA: { g, _, _, _ in g }, gradientB: { g, _, _, _ in g })
  }

  /// Element-wise difference with broadcasting.
  ///
  /// ```swift
  /// let d = prediction - target
  /// ```
  public static func - (a: Tensor, b: Tensor) -> Tensor {
    binaryOperation(.subtract, a, b, name: "-", gradientA: { g, _, _, _ in g }, gradientB: { g, _, _, _ in -g })
  }

  /// Element-wise product with broadcasting.
  ///
  /// ```swift
  /// let masked = x * mask
  /// ```
  public static func * (a: Tensor, b: Tensor) -> Tensor {
    binaryOperation(.multiply, a, b, name: "*", gradientA: { g, _, b, _ in g * b }, gradientB: { g, a, _, _ in g * a })
  }

  /// Element-wise quotient with broadcasting.
  ///
  /// ```swift
  /// let normalised = x / x.sum()
  /// ```
  public static func / (a: Tensor, b: Tensor) -> Tensor {
    binaryOperation(
      .divide, a, b, name: "/", gradientA: { g, _, b, _ in g / b }, gradientB: { g, _, b, out in -(g * out) / b })
  }

  /// Adds a scalar to every element: `x + 1`.
  public static func + (a: Tensor, b: Float) -> Tensor { a + Tensor(b) }
  /// Adds every element to a scalar: `1 + x`.
  public static func + (a: Float, b: Tensor) -> Tensor { Tensor(a) + b }
  /// Subtracts a scalar from every element: `x - 1`.
  public static func - (a: Tensor, b: Float) -> Tensor { a - Tensor(b) }
  /// Subtracts every element from a scalar: `1 - x`.
  public static func - (a: Float, b: Tensor) -> Tensor { Tensor(a) - b }
  /// Scales every element: `x * 0.5`.
  public static func * (a: Tensor, b: Float) -> Tensor { a * Tensor(b) }
  /// Scales every element: `0.5 * x`.
  public static func * (a: Float, b: Tensor) -> Tensor { Tensor(a) * b }
  /// Divides every element by a scalar: `x / 2`.
  public static func / (a: Tensor, b: Float) -> Tensor { a / Tensor(b) }
  /// Divides a scalar by every element: `1 / x`.
  public static func / (a: Float, b: Tensor) -> Tensor { Tensor(a) / b }

  /// `a = a + b`, with broadcasting.
  public static func += (a: inout Tensor, b: Tensor) { a = a + b }
  /// `a = a - b`, with broadcasting.
  public static func -= (a: inout Tensor, b: Tensor) { a = a - b }
  /// `a = a * b`, with broadcasting.
  public static func *= (a: inout Tensor, b: Tensor) { a = a * b }
  /// `a = a / b`, with broadcasting.
  public static func /= (a: inout Tensor, b: Tensor) { a = a / b }

  /// Element-wise negation.
  public static prefix func - (x: Tensor) -> Tensor { unaryOperation(.negate, x) }

  /// 1 where `a > b`, else 0 (broadcasting). Not differentiable.
  ///
  /// ```swift
  /// let positive = x .> Tensor(0)
  /// ```
  public static func .> (a: Tensor, b: Tensor) -> Tensor {
    Kernels.binary(.greater, a, b, shape: broadcastShape(a.shape, b.shape, operation: ".>"))
  }

  /// 1 where `a < b`, else 0 (broadcasting). Not differentiable.
  public static func .< (a: Tensor, b: Tensor) -> Tensor {
    Kernels.binary(.less, a, b, shape: broadcastShape(a.shape, b.shape, operation: ".<"))
  }

  /// 1 where `a == b`, else 0 (broadcasting). Not differentiable.
  public static func .== (a: Tensor, b: Tensor) -> Tensor {
    Kernels.binary(.equal, a, b, shape: broadcastShape(a.shape, b.shape, operation: ".=="))
  }
}

/// The element-wise larger of `a` and `b` (broadcasting); the gradient goes to `a` on ties.
///
/// ```swift
/// let y = maximum(x, Tensor(0))
/// ```
public func maximum(_ a: Tensor, _ b: Tensor) -> Tensor {
  Tensor.binaryOperation(
    .maximum, a, b, name: "maximum", gradientA: { g, a, b, _ in g * (1 - (b .> a)) },
    gradientB: { g, a, b, _ in g * (b .> a) })
}

/// The element-wise smaller of `a` and `b` (broadcasting); the gradient goes to `a` on ties.
///
/// ```swift
/// let y = minimum(x, Tensor(6))
/// ```
public func minimum(_ a: Tensor, _ b: Tensor) -> Tensor {
  Tensor.binaryOperation(
    .minimum, a, b, name: "minimum", gradientA: { g, a, b, _ in g * (1 - (b .< a)) },
    gradientB: { g, a, b, _ in g * (b .< a) })
}

/// `base` raised to `exponent`, element-wise with broadcasting (`base` > 0 where the
/// gradient with respect to `exponent` is wanted).
///
/// ```swift
/// let cube = pow(x, Tensor(3))
/// ```
public func pow(_ base: Tensor, _ exponent: Tensor) -> Tensor {
  Tensor.binaryOperation(
    .power, base, exponent, name: "pow", gradientA: { g, a, b, _ in g * b * pow(a, b - 1) },
    gradientB: { g, a, _, out in g * out * log(a) })
}

// MARK: - Unary functions

extension Tensor {
  /// Applies a unary kernel and records its pullback (dx = dy · op'(x)).
  static func unaryOperation(_ op: UnaryOperation, _ x: Tensor) -> Tensor {
    let y = Kernels.unary(op, x)
    let (xd, yd) = (x.detached, y)
    return .recorded(y, inputs: [x]) { g in [Kernels.unaryBackward(op, dy: g, x: xd, y: yd)] }
  }

  /// Each element squared.
  ///
  /// ```swift
  /// let mse = (prediction - target).squared().mean()
  /// ```
  public func squared() -> Tensor { Tensor.unaryOperation(.square, self) }

  /// Each element clipped to `[lower, upper]`; the gradient passes where the value was inside.
  ///
  /// ```swift
  /// let p = probabilities.clamped(lower: 1e-7, upper: 1 - 1e-7)
  /// ```
  public func clamped(lower: Float, upper: Float) -> Tensor {
    precondition(lower <= upper, "Tensor.clamped: lower \(lower) is above upper \(upper)")
    let y = Kernels.clamp(self, lower: lower, upper: upper)
    let x = detached
    return .recorded(y, inputs: [self]) { g in
      [g * (1 - (x .< Tensor(lower))) * (1 - (x .> Tensor(upper)))]
    }
  }
}

/// e raised to each element.
///
/// ```swift
/// let y = exp(x)
/// ```
public func exp(_ x: Tensor) -> Tensor { Tensor.unaryOperation(.exp, x) }
/// The natural logarithm of each element.
public func log(_ x: Tensor) -> Tensor { Tensor.unaryOperation(.log, x) }
/// The square root of each element.
public func sqrt(_ x: Tensor) -> Tensor { Tensor.unaryOperation(.sqrt, x) }
/// The hyperbolic tangent of each element.
///
/// ```swift
/// let h = tanh(matmul(x, w) + matmul(hPrev, u) + b)
/// ```
public func tanh(_ x: Tensor) -> Tensor { Tensor.unaryOperation(.tanh, x) }
/// The logistic sigmoid 1 / (1 + e^-x) of each element.
public func sigmoid(_ x: Tensor) -> Tensor { Tensor.unaryOperation(.sigmoid, x) }
/// max(x, 0) for each element.
public func relu(_ x: Tensor) -> Tensor { Tensor.unaryOperation(.relu, x) }
/// The absolute value of each element.
public func abs(_ x: Tensor) -> Tensor { Tensor.unaryOperation(.abs, x) }
/// -1, 0 or 1 for each element by its sign (zero gradient).
public func sign(_ x: Tensor) -> Tensor { Tensor.unaryOperation(.sign, x) }
