/// A reference to one version of a registered model: `NAME:VERSION` (a fixed version) or
/// `NAME@ALIAS` (whatever version the alias points at when it is resolved).
///
/// Names of models and aliases are letters, digits, `-`, `_` and `.`, starting with a letter
/// or digit, at most 128 characters; so neither `@`, `:` nor `/` can appear in a name and a
/// reference never looks like a file path.
public struct ModelVersionReference: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Selector: Sendable, Hashable, Codable {
        case version(Int)
        case alias(String)
    }

    public var model: String
    public var selector: Selector

    public init(model: String, selector: Selector) {
        self.model = model
        self.selector = selector
    }

    /// Parses `NAME:VERSION` or `NAME@ALIAS`; throws ``ModelRegistryError/invalidReference(_:reason:)``.
    public init(parsing text: String) throws {
        func fail(_ reason: String) -> ModelRegistryError { .invalidReference(text, reason: reason) }
        if let at = text.firstIndex(of: "@") {
            let name = String(text[..<at])
            let alias = String(text[text.index(after: at)...])
            guard Self.isValidName(name) else { throw fail(Self.nameRule("model name '\(name)'")) }
            guard Self.isValidName(alias) else { throw fail(Self.nameRule("alias '\(alias)'")) }
            self.init(model: name, selector: .alias(alias))
        } else if let colon = text.lastIndex(of: ":") {
            let name = String(text[..<colon])
            let number = String(text[text.index(after: colon)...])
            guard Self.isValidName(name) else { throw fail(Self.nameRule("model name '\(name)'")) }
            guard let version = Int(number), version >= 1, number.allSatisfy(\.isASCII) else {
                throw fail("the version after ':' must be a whole number from 1, not '\(number)'")
            }
            self.init(model: name, selector: .version(version))
        } else {
            throw fail("expected NAME@ALIAS (e.g. digits@production) or NAME:VERSION (e.g. digits:3)")
        }
    }

    /// Whether `text` is written as a model reference (has `@` or `:`, no `/`), as opposed to a
    /// file path or a run id. It may still fail to parse.
    public static func isSpelledAsReference(_ text: String) -> Bool {
        !text.contains("/") && (text.contains("@") || text.contains(":"))
    }

    /// `NAME:VERSION` or `NAME@ALIAS`.
    public var description: String {
        switch selector {
        case .version(let version): return "\(model):\(version)"
        case .alias(let alias): return "\(model)@\(alias)"
        }
    }

    /// Whether `name` may name a model or an alias.
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.unicodeScalars.count <= 128,
              ("0"..."9").contains(first) || ("a"..."z").contains(first) || ("A"..."Z").contains(first)
        else { return false }
        return name.unicodeScalars.allSatisfy { scalar in
            ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                || scalar == "-" || scalar == "_" || scalar == "."
        }
    }

    /// Throws ``StoreError/invalidModelName(_:)`` unless `name` may name a model or an alias.
    public static func validateName(_ name: String) throws {
        guard isValidName(name) else { throw StoreError.invalidModelName(name) }
    }

    private static func nameRule(_ what: String) -> String {
        "\(what) is not valid: use letters, digits, '-', '_' and '.', starting with a letter or digit"
    }
}
