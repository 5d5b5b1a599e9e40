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
