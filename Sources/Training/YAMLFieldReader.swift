import RingmasterCore
import Yams

/// Typed reads from a YAML document, each failing with a ``ConfigurationError`` that names the
/// file, the line and the dotted field at fault. Sweep specifications and pipeline files read
/// their fields through it; a conforming type supplies only the file name.
public protocol YAMLFieldReader {
    /// The file the document came from, as errors name it.
    var file: String { get }
}

extension YAMLFieldReader {
    public func error(_ key: String, _ reason: String, _ node: Node? = nil) -> ConfigurationError {
        ConfigurationError(file: file, line: node?.mark?.line, key: key, reason: reason)
    }

    /// Refuses any key of `mapping` not in `allowed`, naming it under `section`.
    public func onlyKeys(_ mapping: Node.Mapping, _ allowed: [String], in section: String) throws {
        for key in mapping.keys where !allowed.contains(key.string ?? "") {
            let path = section.isEmpty ? (key.string ?? "") : "\(section).\(key.string ?? "")"
            throw error(path, "unknown key (expected one of: \(allowed.joined(separator: ", ")))", key)
        }
    }

    public func string(_ node: Node, _ key: String) throws -> String {
        guard case .scalar(let scalar) = node else { throw error(key, "expected a single value", node) }
        return scalar.string
    }

    /// A finite number: YAML's int and float forms, and anything Swift reads as a Double (`1e-3`).
    public func number(_ node: Node, _ key: String) throws -> Double {
        guard case .scalar(let scalar) = node,
              let value = node.float ?? node.int.map(Double.init) ?? Double(scalar.string), value.isFinite
        else {
            throw error(key, "expected a number, got '\(node.string ?? "a collection")'", node)
        }
        return value
    }

    public func positive(_ node: Node, _ key: String) throws -> Double {
        let value = try number(node, key)
        guard value > 0 else { throw error(key, "must be positive", node) }
        return value
    }

    public func int(_ node: Node, _ key: String, minimum: Int = Int.min) throws -> Int {
        guard case .scalar = node, let value = node.int else {
            throw error(key, "expected an integer, got '\(node.string ?? "a collection")'", node)
        }
        guard value >= minimum else { throw error(key, "must be at least \(minimum)", node) }
        return value
    }

    public func bool(_ node: Node, _ key: String) throws -> Bool {
        guard case .scalar = node, let value = node.bool else { throw error(key, "expected true or false", node) }
        return value
    }

    public func enumeration<T: RawRepresentable & CaseIterable>(_ node: Node, _ key: String) throws -> T
    where T.RawValue == String {
        let text = try string(node, key)
        guard let value = T(rawValue: text) else {
            throw error(key, "'\(text)' is not one of: \(T.allCases.map(\.rawValue).joined(separator: ", "))", node)
        }
        return value
    }
}
