import Foundation

/// A seeded, portable pseudo-random generator (xoshiro256**, seeded through SplitMix64).
///
/// Every rank that starts from the same seed draws the same sequence on every
/// platform, which is what makes permutations, initialisation and dropout
/// reproducible and lets a checkpoint capture the exact generator state.
public struct RandomGenerator: RandomNumberGenerator, Codable, Sendable, Equatable {
    /// The four 64-bit words of xoshiro256** state.
    public private(set) var state: [UInt64]

    /// Creates a generator from `seed`; distinct `stream` values give independent
    /// sequences for the same seed (e.g. one per epoch or per purpose).
    public init(seed: UInt64, stream: UInt64 = 0) {
        var mix = seed ^ (stream &* 0x9E37_79B9_7F4A_7C15) ^ (stream << 17 | stream >> 47)
        func splitMix() -> UInt64 {
            mix &+= 0x9E37_79B9_7F4A_7C15
            var z = mix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = [splitMix(), splitMix(), splitMix(), splitMix()]
    }

    /// Restores a generator from a state captured earlier.
    public init(state: [UInt64]) {
        precondition(state.count == 4, "xoshiro256** state has four words")
        self.state = state
    }

    @inline(__always)
    private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    public mutating func next() -> UInt64 {
        let result = Self.rotl(state[1] &* 5, 7) &* 9
        let t = state[1] << 17
        state[2] ^= state[0]
        state[3] ^= state[1]
        state[1] ^= state[2]
        state[0] ^= state[3]
        state[2] ^= t
        state[3] = Self.rotl(state[3], 45)
        return result
    }

    /// A uniform value in [0, 1) with 53 bits of precision.
    public mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A uniform value in [0, 1) with 24 bits of precision.
    public mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) * 0x1.0p-24
    }

    /// A standard normal value (Box–Muller; draws two uniforms per call).
    public mutating func nextNormal() -> Double {
        var u1 = nextUnitDouble()
        if u1 < Double.leastNormalMagnitude { u1 = Double.leastNormalMagnitude }
        let u2 = nextUnitDouble()
        return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
    }

    /// A uniform integer in `0..<bound` without modulo bias (Lemire's method,
    /// written out so the sequence does not depend on the standard library's version).
    public mutating func nextIndex(below bound: Int) -> Int {
        precondition(bound > 0)
        let b = UInt64(bound)
        var m = next().multipliedFullWidth(by: b)
        if m.low < b {
            let threshold = (0 &- b) % b
            while m.low < threshold { m = next().multipliedFullWidth(by: b) }
        }
        return Int(m.high)
    }

    /// The permutation of `0..<count` given by a Fisher–Yates shuffle.
    public mutating func permutation(_ count: Int) -> [Int] {
        var indices = Array(0..<count)
        if count < 2 { return indices }
        for i in stride(from: count - 1, to: 0, by: -1) {
            let j = nextIndex(below: i + 1)
            indices.swapAt(i, j)
        }
        return indices
    }
}
