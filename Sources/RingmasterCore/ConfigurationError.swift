/// An invalid specification — a training configuration, a sweep, a pipeline, a traffic
/// policy — naming the file (or other source), the line when known and the dotted key at
/// fault: `digits.yaml:7: optimizer.learning_rate: must be positive`.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Where the document came from: a path, `request body`, or empty for one built in code.
    public var file: String
    /// The 1-based line of the offending YAML node; nil when unknown (JSON, code, a whole file).
    public var line: Int?
    /// The dotted key at fault (`variants[1].weight`); empty for the whole document.
    public var key: String
    /// What is wrong and, where it helps, what would be right.
    public var reason: String

    public init(file: String, line: Int?, key: String, reason: String) {
        self.file = file
        self.line = line
        self.key = key
        self.reason = reason
    }

    public var description: String {
        let place = line.map { "\(file):\($0)" } ?? file
        let prefix = place.isEmpty ? "" : "\(place): "
        return key.isEmpty ? "\(prefix)\(reason)" : "\(prefix)\(key): \(reason)"
    }
}
