#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Parses numbers straight from a file's bytes, so the text readers never build a `String`
/// per field: one reusable NUL-terminated scratch buffer and `strtof`, which rounds the
/// decimal text to the nearest Float exactly once (going through Double would round twice).
struct NumberParser {
    private var scratch = [CChar](repeating: 0, count: 64)

    /// The finite Float spelled by `bytes` (ASCII spaces and tabs around it allowed), or nil
    /// when the bytes are not entirely one finite number (`abc`, `1.5x`, `nan`, `inf`, empty).
    mutating func float(_ bytes: UnsafeBufferPointer<UInt8>) -> Float? {
        var start = 0, end = bytes.count
        while start < end, Self.isBlank(bytes[start]) { start += 1 }
        while end > start, Self.isBlank(bytes[end - 1]) { end -= 1 }
        let length = end - start
        guard length > 0 else { return nil }
        if scratch.count <= length { scratch = [CChar](repeating: 0, count: length + 1) }
        return scratch.withUnsafeMutableBufferPointer { buffer -> Float? in
            let text = buffer.baseAddress!
            for i in 0..<length { text[i] = CChar(bitPattern: bytes[start + i]) }
            text[length] = 0
            var stop: UnsafeMutablePointer<CChar>? = nil
            let value = strtof(text, &stop)
            guard stop == text + length, value.isFinite else { return nil }
            return value
        }
    }

    /// The non-negative decimal integer spelled by `bytes`, or nil (no sign, no spaces, and
    /// at most 9 digits so that it cannot overflow).
    static func index(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 9 else { return nil }
        var value = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    @inline(__always)
    static func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
}
