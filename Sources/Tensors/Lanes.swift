/// Sixteen-float chunks for elementwise loops that the compiler would not vectorize on
/// its own (buffers that may alias, selects that become branches). Arithmetic on lanes is
/// the same IEEE operation per element as the scalar code, so results are bit-identical;
/// the tail of a buffer is padded with zeros on load and only its real elements stored.
public enum Lanes {
    public typealias Vector = SIMD16<Float>
    @inlinable public static var width: Int { Vector.scalarCount }

    /// The 16 floats at `pointer[index...]`, or the `count - index` that remain, zero-padded.
    @inlinable @inline(__always)
    public static func load(_ pointer: UnsafePointer<Float>, _ index: Int, count: Int) -> Vector {
        if index + width <= count {
            return UnsafeRawPointer(pointer + index).loadUnaligned(as: Vector.self)
        }
        var vector = Vector()
        for lane in 0..<(count - index) { vector[lane] = pointer[index + lane] }
        return vector
    }

    /// Stores `vector` at `pointer[index...]`, only up to `count`.
    @inlinable @inline(__always)
    public static func store(_ vector: Vector, _ pointer: UnsafeMutablePointer<Float>, _ index: Int, count: Int) {
        if index + width <= count {
            UnsafeMutableRawPointer(pointer + index).storeBytes(of: vector, as: Vector.self)
            return
        }
        for lane in 0..<(count - index) { pointer[index + lane] = vector[lane] }
    }
}

/// Where an element-wise kernel reads its input lanes: one buffer, or the mean of several.
public protocol LaneSource {
    /// The 16 inputs at `index...` (zero-padded past `count`), as ``Lanes/load(_:_:count:)``.
    func load(_ index: Int, count: Int) -> Lanes.Vector
}

/// One buffer's elements.
public struct LaneBuffer: LaneSource {
    @usableFromInline let base: UnsafePointer<Float>

    @inlinable public init(_ base: UnsafePointer<Float>) { self.base = base }

    @inlinable @inline(__always)
    public func load(_ index: Int, count: Int) -> Lanes.Vector { Lanes.load(base, index, count: count) }
}

/// The element-wise mean of N ranks' buffers: the sum in rank order, divided by N the way
/// ``Communicator`` averages are (times 1/N when N is a power of two, where that is exact).
/// With another `divisor`, the sum divided by that instead (1: the plain sum).
public struct LaneMean: LaneSource {
    @usableFromInline let sources: [UnsafePointer<Float>]
    @usableFromInline let first: UnsafePointer<Float>
    @usableFromInline let second: UnsafePointer<Float>?
    @usableFromInline let exactReciprocal: Bool
    @usableFromInline let scale: Lanes.Vector

    @inlinable public init(_ sources: [UnsafePointer<Float>], divisor: Int? = nil) {
        precondition(!sources.isEmpty, "LaneMean of no buffers")
        let divisor = divisor ?? sources.count
        precondition(divisor > 0, "LaneMean divisor must be positive")
        self.sources = sources
        first = sources[0]
        second = sources.count == 2 ? sources[1] : nil
        exactReciprocal = divisor.nonzeroBitCount == 1
        scale = Lanes.Vector(repeating: exactReciprocal ? 1 / Float(divisor) : Float(divisor))
    }

    @inlinable @inline(__always)
    public func load(_ index: Int, count: Int) -> Lanes.Vector {
        // Two ranks, the common case on one node, without the loop over sources.
        if let second { return (Lanes.load(first, index, count: count) + Lanes.load(second, index, count: count)) * scale }
        var sum = Lanes.load(first, index, count: count)
        for source in sources.dropFirst() { sum += Lanes.load(source, index, count: count) }
        return exactReciprocal ? sum * scale : sum / scale
    }
}
