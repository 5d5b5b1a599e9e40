import Foundation
import RingmasterCore

extension RandomGenerator {
    /// A Gamma(`shape`, 1) draw (Marsaglia and Tsang, 2000); shapes below 1 use
    /// Gamma(shape + 1) · U^(1/shape).
    mutating func nextGamma(shape: Double) -> Double {
        if shape < 1 {
            let u = 1 - nextUnitDouble()
            return nextGamma(shape: shape + 1) * pow(u, 1 / shape)
        }
        let d = shape - 1.0 / 3.0
        let c = 1 / (9 * d).squareRoot()
        while true {
            let x = nextNormal()
            var v = 1 + c * x
            if v <= 0 { continue }
            v = v * v * v
            let u = nextUnitDouble()
            if u < 1 - 0.0331 * x * x * x * x { return d * v }
            if log(u) < 0.5 * x * x + d * (1 - v + log(v)) { return d * v }
        }
    }

    /// A Beta(`alpha`, `beta`) draw as X / (X + Y) with X ~ Gamma(alpha), Y ~ Gamma(beta).
    mutating func nextBeta(alpha: Double, beta: Double) -> Double {
        let x = nextGamma(shape: alpha)
        let y = nextGamma(shape: beta)
        return x + y > 0 ? x / (x + y) : 0.5
    }
}
