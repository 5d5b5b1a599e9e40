import Foundation

/// A fragment of HTML. Interpolating a `String` (or anything printable) escapes it;
/// interpolating an `HTML` inserts it as is. Pages are built only from `HTML` literals, so
/// text from the store — run names, tags, parameters, error messages — can never become markup.
public struct HTML: Sendable, Equatable, ExpressibleByStringInterpolation, CustomStringConvertible {
    public private(set) var text: String

    public init(stringLiteral value: String) { text = value }

    public init(stringInterpolation: Interpolation) { text = stringInterpolation.text }

    /// Markup the caller vouches for (generated here, never from stored or requested text).
    public static func trusted(_ markup: String) -> HTML { HTML(stringLiteral: markup) }

    public static let empty: HTML = ""

    public var description: String { text }

    public struct Interpolation: StringInterpolationProtocol {
        var text = ""

        public init(literalCapacity: Int, interpolationCount: Int) {
            text.reserveCapacity(literalCapacity + interpolationCount * 16)
        }

        public mutating func appendLiteral(_ literal: String) { text += literal }

        public mutating func appendInterpolation(_ html: HTML) { text += html.text }

        public mutating func appendInterpolation(_ fragments: [HTML]) {
            for fragment in fragments { text += fragment.text }
        }

        public mutating func appendInterpolation(_ value: String) { text += HTML.escape(value) }

        public mutating func appendInterpolation<T: CustomStringConvertible>(_ value: T) {
            text += HTML.escape(value.description)
        }

        public mutating func appendInterpolation(_ value: String?) { text += HTML.escape(value ?? "") }
    }

    /// Escapes the five characters that matter in text and in quoted attribute values.
    public static func escape(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else {
            return text
        }
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for character in text.unicodeScalars {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    public static func + (a: HTML, b: HTML) -> HTML { HTML(stringLiteral: a.text + b.text) }

    public static func += (a: inout HTML, b: HTML) { a.text += b.text }
}

extension Array where Element == HTML {
    public func joined(separator: HTML = .empty) -> HTML {
        .trusted(map(\.text).joined(separator: separator.text))
    }
}

/// Percent-encodes a query parameter value or a path segment.
func urlComponent(_ text: String) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
}
