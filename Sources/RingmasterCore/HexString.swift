import Foundation

extension Sequence where Element == UInt8 {
    /// Lowercase hexadecimal digits of the bytes (a sha256 digest, a random id).
    public var hexString: String { map { String(format: "%02x", $0) }.joined() }
}
