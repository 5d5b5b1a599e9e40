import Foundation
import RingmasterCore

/// Every sampler works in the unit cube: a coordinate u in [0, 1) per parameter is mapped to a
/// value of its distribution here, and back for models that learn from past trials. Log
/// distributions are uniform in log space; integers and choices split [0, 1) into equal bins.
extension Distribution {
    /// The value at unit coordinate `u` (clamped into [0, 1)).
    public func value(unit u: Double) -> ParameterValue {
        let u = Swift.min(Swift.max(u, 0), 1 - 0x1p-53)
        switch self {
        case .uniform(let low, let high):
            return .real(Swift.min(low + u * (high - low), high))
        case .logUniform(let low, let high):
            return .real(Swift.min(Foundation.exp(Foundation.log(low) + u * (Foundation.log(high) - Foundation.log(low))), high))
        case .integer(let low, let high, let step, let log):
            let count = (high - low) / step + 1
            if log {
                // Log-uniform over the real interval [low - 0.5, high + 0.5], then rounded to the grid.
                let a = Foundation.log(Double(low) - 0.5 + 1e-9), b = Foundation.log(Double(high) + 0.5)
                let real = Foundation.exp(a + u * (b - a))
                let index = Int(((real - Double(low)) / Double(step)).rounded())
                return .integer(low + Swift.min(Swift.max(index, 0), count - 1) * step)
            }
            return .integer(low + Swift.min(Int(u * Double(count)), count - 1) * step)
        case .choice(let values):
            return values[Swift.min(Int(u * Double(values.count)), values.count - 1)]
        }
    }

    /// The unit coordinate of `value` (the centre of its bin for integers and choices),
    /// or nil when the value does not belong to the distribution.
    public func unit(of value: ParameterValue) -> Double? {
        switch (self, value) {
        case (.uniform(let low, let high), _):
            guard let x = value.number, x >= low, x <= high, high > low else { return nil }
            return (x - low) / (high - low)
        case (.logUniform(let low, let high), _):
            guard let x = value.number, x >= low, x <= high, high > low else { return nil }
            return (Foundation.log(x) - Foundation.log(low)) / (Foundation.log(high) - Foundation.log(low))
        case (.integer(let low, let high, let step, let log), .integer(let x)):
            guard x >= low, x <= high, (x - low) % step == 0 else { return nil }
            if log {
                let a = Foundation.log(Double(low) - 0.5 + 1e-9), b = Foundation.log(Double(high) + 0.5)
                return (Foundation.log(Double(x)) - a) / (b - a)
            }
            let count = (high - low) / step + 1
            return (Double((x - low) / step) + 0.5) / Double(count)
        case (.choice(let values), _):
            guard let index = values.firstIndex(of: value) else { return nil }
            return (Double(index) + 0.5) / Double(values.count)
        default:
            return nil
        }
    }

    /// Whether the distribution is a set of categories (no order between values).
    public var isCategorical: Bool {
        if case .choice = self { return true }
        return false
    }

    /// Values for a grid search: every integer or choice, or `resolution` evenly spaced
    /// points (ends included, log-spaced for log distributions) of a continuous range.
    public func gridValues(resolution: Int) -> [ParameterValue] {
        switch self {
        case .choice(let values): return values
        case .integer(let low, let high, let step, _): return stride(from: low, through: high, by: step).map { .integer($0) }
        case .uniform(let low, let high):
            guard resolution > 1 else { return [.real(low)] }
            return (0..<resolution).map { .real(low + Double($0) * (high - low) / Double(resolution - 1)) }
        case .logUniform(let low, let high):
            guard resolution > 1 else { return [.real(low)] }
            // exp(log(x)) can land an ulp outside [low, high]; keep the ends exact so every grid
            // value maps back into the unit interval.
            let a = Foundation.log(low), b = Foundation.log(high)
            return (0..<resolution).map { index in
                let x = Foundation.exp(a + Double(index) * (b - a) / Double(resolution - 1))
                return .real(index == 0 ? low : index == resolution - 1 ? high : Swift.min(Swift.max(x, low), high))
            }
        }
    }
}
