import RingmasterCore

/// The Sobol' low-discrepancy sequence in up to ``maxDimensions`` dimensions, 32 bits per
/// coordinate, optionally scrambled.
///
/// Direction numbers follow Joe & Kuo, "Constructing Sobol sequences with better
/// two-dimensional projections" (SIAM J. Sci. Comput. 30, 2008), table new-joe-kuo-6.21201:
/// each dimension after the first is given by the degree `s` and coefficients `a` of a
/// primitive polynomial over GF(2) and its first `s` odd initial numbers `m`; the rest follow
/// the Bratley–Fox recurrence. Points are produced in Gray-code order (Antonov–Saleev), so
/// point `n` is the XOR of the direction numbers picked by the set bits of `n ^ (n >> 1)`.
///
/// Scrambling is Matoušek's linear matrix scramble followed by a random digital shift: each
/// dimension's direction numbers are multiplied by a random lower-triangular binary matrix with
/// a unit diagonal and every point is XORed with a random word. Both keep the (t, s)-net
/// structure, so balance over dyadic boxes survives, while the lattice artefacts of the raw
/// sequence (point 0 at the origin, coordinates repeating across dimensions) do not.
public struct SobolSequence: Sendable {
    /// Dimensions with published direction numbers here.
    public static let maxDimensions = 1 + polynomials.count

    /// directions[d * 32 + k]: direction number k of dimension d, most significant bit = 1/2.
    private let directions: [UInt32]
    /// shifts[d]: the digital shift of dimension d (0 when unscrambled).
    private let shifts: [UInt32]
    public let dimensions: Int

    /// The raw (unscrambled) sequence, as published.
    public init(dimensions: Int) throws {
        guard dimensions >= 1, dimensions <= Self.maxDimensions else {
            throw TuningError.invalidSetting(
                field: "dimensions", reason: "Sobol' directions are tabulated for 1…\(Self.maxDimensions), got \(dimensions)")
        }
        self.dimensions = dimensions
        var directions = [UInt32](repeating: 0, count: dimensions * 32)
        for k in 0..<32 { directions[k] = 1 << (31 - k) }
        for d in 1..<dimensions {
            let (s, a, m) = Self.polynomials[d - 1]
            for k in 0..<32 {
                let v: UInt32
                if k < s {
                    v = m[k] << (31 - k)
                } else {
                    let back = directions[d * 32 + k - s]
                    var w = back ^ (back >> s)
                    for i in 1..<s where (a >> (s - 1 - i)) & 1 == 1 { w ^= directions[d * 32 + k - i] }
                    v = w
                }
                directions[d * 32 + k] = v
            }
        }
        self.directions = directions
        shifts = [UInt32](repeating: 0, count: dimensions)
    }

    /// The scrambled sequence fixed by `seed`: the same seed always gives the same points.
    public init(dimensions: Int, scrambleSeed seed: UInt64) throws {
        let raw = try SobolSequence(dimensions: dimensions)
        var generator = RandomGenerator(seed: seed, stream: 0x50B0_1)
        var directions = raw.directions
        var shifts = [UInt32](repeating: 0, count: dimensions)
        for d in 0..<dimensions {
            // Row p of the lower-triangular matrix (p = 0 is the 1/2 bit): which of the bits
            // 0…p of the input feed output bit p; bit p itself always does.
            var rows = [UInt32](repeating: 0, count: 32)
            for p in 0..<32 {
                let above: UInt32 = p == 0 ? 0 : ~UInt32(0) << (32 - p)
                rows[p] = (UInt32(truncatingIfNeeded: generator.next()) & above) | (1 << (31 - p))
            }
            for k in 0..<32 {
                let v = directions[d * 32 + k]
                var scrambled: UInt32 = 0
                for p in 0..<32 where (v & rows[p]).nonzeroBitCount & 1 == 1 { scrambled |= 1 << (31 - p) }
                directions[d * 32 + k] = scrambled
            }
            shifts[d] = UInt32(truncatingIfNeeded: generator.next())
        }
        self.directions = directions
        self.shifts = shifts
        self.dimensions = dimensions
    }

    /// Coordinate `dimension` of point `index` (0-based), in [0, 1).
    public func coordinate(_ dimension: Int, ofPoint index: Int) -> Double {
        precondition(dimension >= 0 && dimension < dimensions && index >= 0 && index < 1 << 32)
        var gray = UInt32(truncatingIfNeeded: index ^ (index >> 1))
        var x = shifts[dimension]
        var k = dimension * 32
        while gray != 0 {
            if gray & 1 == 1 { x ^= directions[k] }
            gray >>= 1
            k += 1
        }
        return Double(x) * 0x1p-32
    }

    /// Point `index` (0-based).
    public func point(_ index: Int) -> [Double] {
        (0..<dimensions).map { coordinate($0, ofPoint: index) }
    }

    /// (s, a, m) for dimensions 2…40 of new-joe-kuo-6.21201: polynomial degree, the middle
    /// coefficients as bits (highest first), and the first s initial direction integers.
    private static let polynomials: [(Int, UInt32, [UInt32])] = [
        (1, 0, [1]), (2, 1, [1, 3]), (3, 1, [1, 3, 1]), (3, 2, [1, 1, 1]), (4, 1, [1, 1, 3, 3]),
        (4, 4, [1, 3, 5, 13]), (5, 2, [1, 1, 5, 5, 17]), (5, 4, [1, 1, 5, 5, 5]), (5, 7, [1, 1, 7, 11, 19]),
        (5, 11, [1, 1, 5, 1, 1]), (5, 13, [1, 1, 1, 3, 11]), (5, 14, [1, 3, 5, 5, 31]),
        (6, 1, [1, 3, 3, 9, 7, 49]), (6, 13, [1, 1, 1, 15, 21, 21]), (6, 16, [1, 3, 1, 13, 27, 49]),
        (6, 19, [1, 1, 1, 15, 7, 5]), (6, 22, [1, 3, 1, 15, 13, 25]), (6, 25, [1, 1, 5, 5, 19, 61]),
        (7, 1, [1, 3, 7, 11, 23, 15, 103]), (7, 4, [1, 3, 7, 13, 13, 15, 69]), (7, 7, [1, 1, 3, 13, 7, 35, 63]),
        (7, 8, [1, 3, 5, 9, 1, 25, 53]), (7, 14, [1, 3, 1, 13, 9, 35, 107]), (7, 19, [1, 3, 1, 5, 27, 61, 31]),
        (7, 21, [1, 1, 5, 11, 19, 41, 61]), (7, 28, [1, 3, 5, 3, 3, 13, 69]), (7, 31, [1, 1, 7, 13, 1, 19, 1]),
        (7, 32, [1, 3, 7, 5, 13, 19, 59]), (7, 37, [1, 1, 3, 9, 25, 29, 41]), (7, 41, [1, 3, 5, 13, 23, 1, 55]),
        (7, 42, [1, 3, 7, 3, 13, 59, 17]), (7, 50, [1, 3, 1, 3, 5, 53, 69]), (7, 55, [1, 1, 5, 5, 23, 33, 13]),
        (7, 56, [1, 1, 7, 7, 1, 61, 123]), (7, 59, [1, 1, 7, 9, 13, 61, 49]), (7, 62, [1, 3, 3, 5, 3, 55, 33]),
        (8, 14, [1, 3, 1, 15, 31, 13, 49, 245]), (8, 21, [1, 3, 5, 15, 31, 59, 63, 97]),
        (8, 22, [1, 3, 1, 11, 11, 11, 77, 249]),
    ]
}
