import Foundation
import RingmasterCore

/// A standard optimisation test function with its box domain and known minimum, for measuring
/// samplers: parameters `x0`, `x1`, … are uniform over the domain.
public struct BenchmarkFunction: Sendable {
    public let name: String
    public let space: SearchSpace
    /// The global minimum value.
    public let optimum: Double
    /// Points where the minimum is attained (to the precision they are published with).
    public let minimizers: [[Double]]
    private let function: @Sendable ([Double]) -> Double

    public init(
        name: String, bounds: [(low: Double, high: Double)], optimum: Double, minimizers: [[Double]],
        function: @escaping @Sendable ([Double]) -> Double
    ) {
        self.name = name
        space = SearchSpace(parameters: bounds.enumerated().map {
            ParameterSpec(name: "x\($0.offset)", distribution: .uniform(low: $0.element.low, high: $0.element.high))
        })
        self.optimum = optimum
        self.minimizers = minimizers
        self.function = function
    }

    public var dimensions: Int { space.parameters.count }

    /// The function at `x` (one coordinate per dimension).
    public func callAsFunction(_ x: [Double]) -> Double { function(x) }

    /// The function at a sampled assignment of `x0`, `x1`, …
    public func value(at assignment: ParameterAssignment) -> Double {
        function(space.parameters.map { assignment[$0.name]?.number ?? .nan })
    }

    /// The five functions of the sampler benchmark.
    public static let all: [BenchmarkFunction] = [branin, hartmann6, rosenbrock4, styblinskiTang5, ackley5]

    public static func named(_ name: String) -> BenchmarkFunction? { all.first { $0.name == name } }

    /// Branin–Hoo on [−5, 10] × [0, 15]: three global minima of 5/(4π) ≈ 0.397887.
    public static let branin = BenchmarkFunction(
        name: "branin", bounds: [(-5, 10), (0, 15)], optimum: 5 / (4 * Double.pi),
        minimizers: [[-Double.pi, 12.275], [Double.pi, 2.275], [3 * Double.pi, 2.475]]
    ) { x in
        let b = 5.1 / (4 * Double.pi * Double.pi), c = 5 / Double.pi, t = 1 / (8 * Double.pi)
        let inner = x[1] - b * x[0] * x[0] + c * x[0] - 6
        return inner * inner + 10 * (1 - t) * cos(x[0]) + 10
    }

    /// Hartmann 6-d on [0, 1]^6: minimum −3.32237.
    public static let hartmann6 = BenchmarkFunction(
        name: "hartmann6", bounds: Array(repeating: (0, 1), count: 6), optimum: -3.322368011415515,
        minimizers: [[0.20168952, 0.15001069, 0.47687398, 0.27533243, 0.31165162, 0.65730054]]
    ) { x in
        let alpha = [1.0, 1.2, 3.0, 3.2]
        let a: [[Double]] = [
            [10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14],
        ]
        let p: [[Double]] = [
            [1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991],
            [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381],
        ]
        var sum = 0.0
        for i in 0..<4 {
            var exponent = 0.0
            for j in 0..<6 {
                let d = x[j] - p[i][j] * 1e-4
                exponent += a[i][j] * d * d
            }
            sum += alpha[i] * exp(-exponent)
        }
        return -sum
    }

    /// Rosenbrock 4-d on [−5, 10]^4: minimum 0 at (1, 1, 1, 1), at the end of a long curved valley.
    public static let rosenbrock4 = BenchmarkFunction(
        name: "rosenbrock", bounds: Array(repeating: (-5, 10), count: 4), optimum: 0, minimizers: [[1, 1, 1, 1]]
    ) { x in
        var sum = 0.0
        for i in 0..<(x.count - 1) {
            let valley = x[i + 1] - x[i] * x[i], offset = 1 - x[i]
            sum += 100 * valley * valley + offset * offset
        }
        return sum
    }

    /// Styblinski–Tang 5-d on [−5, 5]^5: minimum −39.16617 × 5 at x_i = −2.903534.
    public static let styblinskiTang5 = BenchmarkFunction(
        name: "styblinski_tang", bounds: Array(repeating: (-5, 5), count: 5), optimum: -39.16616570377142 * 5,
        minimizers: [Array(repeating: -2.903534027771177, count: 5)]
    ) { x in
        0.5 * x.reduce(0) { $0 + $1 * $1 * $1 * $1 - 16 * $1 * $1 + 5 * $1 }
    }

    /// Ackley 5-d on [−32.768, 32.768]^5: minimum 0 at the origin, amid a regular field of local minima.
    public static let ackley5 = BenchmarkFunction(
        name: "ackley", bounds: Array(repeating: (-32.768, 32.768), count: 5), optimum: 0,
        minimizers: [Array(repeating: 0, count: 5)]
    ) { x in
        let n = Double(x.count)
        let squares = x.reduce(0) { $0 + $1 * $1 }, cosines = x.reduce(0) { $0 + cos(2 * Double.pi * $1) }
        return -20 * exp(-0.2 * (squares / n).squareRoot()) - exp(cosines / n) + 20 + M_E
    }
}
