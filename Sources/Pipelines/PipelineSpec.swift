import Foundation

/// A continuous-training pipeline as read from its YAML file: named steps whose `needs:`
/// form a directed acyclic graph, and the triggers `pipeline watch` reacts to.
///
/// Relative paths in `with:` values are relative to the pipeline file's folder, as a
/// training configuration's data path is relative to the configuration's folder.
public struct PipelineSpec: Sendable {
    /// `name:`; runs are recorded, and cached steps found, under this name.
    public var name: String
    /// The file it was read from (for messages) and its folder (for relative paths).
    public var file: String
    public var folder: URL
    /// sha256 of the file's text.
    public var sha256: String
    /// `triggers:`; nil when the pipeline only runs by hand.
    public var triggers: PipelineTriggers?
    /// The steps in the order they are declared.
    public var steps: [PipelineStep]
    /// The steps in the order they run: every step after all the steps it needs, ties in declaration order.
    public var order: [String]

    public func step(_ id: String) -> PipelineStep? { steps.first { $0.id == id } }

    /// The steps `id` needs, directly or through other steps.
    public func ancestors(of id: String) -> Set<String> {
        var seen = Set<String>()
        var stack = step(id)?.needs ?? []
        while let next = stack.popLast() {
            if seen.insert(next).inserted { stack += step(next)?.needs ?? [] }
        }
        return seen
    }
}

/// One entry under `steps:`.
public struct PipelineStep: Sendable {
    /// Its key under `steps:`.
    public var id: String
    /// `uses:`.
    public var uses: PipelineStepType
    /// `needs:`: steps that must finish first.
    public var needs: [String]
    /// `with:`: the step's settings, possibly holding `${{ steps.ID.outputs.KEY }}` references.
    public var with: [String: PipelineValue]
    /// Line of the step in the file.
    public var line: Int?
}

/// What a step does.
public enum PipelineStepType: String, Sendable, CaseIterable, Codable {
    case importData = "import-data"
    case validateData = "validate-data"
    case train
    case sweep
    case evaluate
    case gate
    case register
    case promote
    case custom
}

/// A `with:` value: text (every YAML scalar is kept as its text), a list or a mapping.
public indirect enum PipelineValue: Sendable, Hashable {
    case text(String)
    case list([PipelineValue])
    case mapping([String: PipelineValue])

    /// A canonical one-line form: what the cache key hashes and the store records.
    public var canonical: String {
        switch self {
        case .text(let text): return text
        case .list(let items): return "[" + items.map(\.quotedCanonical).joined(separator: ", ") + "]"
        case .mapping(let fields):
            return "{" + fields.keys.sorted().map { "\($0): \(fields[$0]!.quotedCanonical)" }.joined(separator: ", ") + "}"
        }
    }

    private var quotedCanonical: String {
        if case .text(let text) = self, text.contains(where: { ",[]{}:".contains($0) }) || text.isEmpty {
            return "\"" + text.replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        return canonical
    }

    public var text: String? {
        if case .text(let text) = self { return text }
        return nil
    }

    /// Replaces every `${{ steps.ID.outputs.KEY }}` in text with `lookup(ID, KEY)`.
    func resolved(_ lookup: (String, String) throws -> String) throws -> PipelineValue {
        switch self {
        case .text(let text): return .text(try PipelineReference.substitute(text, lookup))
        case .list(let items): return .list(try items.map { try $0.resolved(lookup) })
        case .mapping(let fields): return .mapping(try fields.mapValues { try $0.resolved(lookup) })
        }
    }

    /// Every reference in the value.
    var references: [PipelineReference] {
        switch self {
        case .text(let text): return (try? PipelineReference.all(in: text)) ?? []
        case .list(let items): return items.flatMap(\.references)
        case .mapping(let fields): return fields.values.flatMap(\.references)
        }
    }
}

/// `${{ steps.ID.outputs.KEY }}`: an output of an earlier step, substituted into a `with:` value.
public struct PipelineReference: Sendable, Hashable {
    public var step: String
    public var output: String

    /// The references in `text`; throws a reason for text that opens `${{` but is not a reference.
    static func all(in text: String) throws -> [PipelineReference] {
        var result: [PipelineReference] = []
        _ = try substitute(text) { step, output in
            result.append(PipelineReference(step: step, output: output))
            return ""
        }
        return result
    }

    static func substitute(_ text: String, _ lookup: (String, String) throws -> String) throws -> String {
        var result = ""
        var rest = Substring(text)
        while let open = rest.range(of: "${{") {
            result += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                throw PipelineReferenceError(reason: "'${{' without a closing '}}'")
            }
            let inner = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            let parts = inner.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 4, parts[0] == "steps", parts[2] == "outputs", !parts[1].isEmpty, !parts[3].isEmpty else {
                throw PipelineReferenceError(reason: "'${{ \(inner) }}' is not a reference; write ${{ steps.STEP.outputs.KEY }}")
            }
            result += try lookup(parts[1], parts[3])
            rest = rest[close.upperBound...]
        }
        return result + rest
    }
}

struct PipelineReferenceError: Error {
    var reason: String
}

/// `triggers:` of a pipeline: what `pipeline watch` reacts to.
public struct PipelineTriggers: Sendable {
    /// `watch: {directory, pattern}`: new data files arrive in `directory` (relative to the pipeline file).
    public var watchDirectory: URL?
    /// File names that count as data, a shell pattern such as `*.csv` (default `*.csv`).
    public var watchPattern: String = "*.csv"
    /// `drift: {model, data, …}`: new data triggers a run only when it drifts from this model's training data.
    public var drift: DriftTrigger?
    /// `interval:` seconds between runs.
    public var interval: Double?
    /// `min_new_rows:` rows of new data that must have arrived before a run starts (default 1).
    public var minNewRows: Int = 1

    public struct DriftTrigger: Sendable {
        /// The model whose training profile new data is compared with, e.g. `digits@production`.
        public var model: String
        /// A fixed file to check instead of the new files of `watch:`.
        public var data: URL?
        /// Options of `ringmaster monitor drift`, by their long name: `method`, `drift-share`, `psi`, ….
        public var options: [(String, String)]
    }
}
