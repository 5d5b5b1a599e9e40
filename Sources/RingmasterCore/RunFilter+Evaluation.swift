import Foundation

extension RunFilter {
    /// Evaluates the filter against one run in memory, with the same rules as a store search:
    /// a run without the metric, param or tag does not match; a param or tag compared with a
    /// number is read as a number (text that is not one does not match); metrics are compared
    /// with numbers only; statuses in lower case; times in seconds since 1970.
    ///
    /// Returns nothing when the run matches, else one line per failing condition with the
    /// run's actual value: `metrics.accuracy >= 0.97 (actual 0.9412)`. When both sides of an
    /// `or` fail, both are listed.
    public func failures(run: RunRecord, metrics: [String: Double]) -> [String] {
        switch self {
        case .and(let a, let b):
            return a.failures(run: run, metrics: metrics) + b.failures(run: run, metrics: metrics)
        case .or(let a, let b):
            let left = a.failures(run: run, metrics: metrics)
            if left.isEmpty { return [] }
            let right = b.failures(run: run, metrics: metrics)
            return right.isEmpty ? [] : left + right
        case .comparison(let field, let op, let value):
            let actual = Self.value(of: field, run: run, metrics: metrics)
            if let actual, Self.holds(actual, op, value) { return [] }
            return ["\(field) \(op.rawValue) \(value) (\(Self.describe(actual, field: field)))"]
        case .membership(let field, let values, let negated):
            let actual = Self.value(of: field, run: run, metrics: metrics)
            if let actual, values.contains(where: { Self.holds(actual, .equal, $0) }) != negated { return [] }
            let list = values.map(\.description).joined(separator: ", ")
            return ["\(field) \(negated ? "NOT IN" : "IN") (\(list)) (\(Self.describe(actual, field: field)))"]
        }
    }

    /// A field's value for one run: a number for metrics and times, text otherwise.
    private enum Actual {
        case number(Double)
        case text(String)
    }

    private static func value(of field: RunField, run: RunRecord, metrics: [String: Double]) -> Actual? {
        switch field {
        case .metric(let key):
            // NaN is stored as NULL: it matches nothing, as in a search.
            guard let value = metrics[key], !value.isNaN else { return nil }
            return .number(value)
        case .param(let key): return run.params[key].map(Actual.text)
        case .tag(let key): return run.tags[key].map(Actual.text)
        case .attribute(let attribute):
            switch attribute {
            case .runID: return .text(run.id)
            case .runName: return .text(run.name)
            case .status: return .text(run.status.rawValue)
            case .experiment: return .text(run.experiment)
            case .startTime: return .number(run.startTime.timeIntervalSince1970)
            case .endTime: return run.endTime.map { .number($0.timeIntervalSince1970) }
            }
        }
    }

    private static func holds(_ actual: Actual, _ op: ComparisonOperator, _ expected: FilterValue) -> Bool {
        switch (actual, expected) {
        case (.number(let a), .number(let b)): return compare(a, op, b)
        case (.text(let a), .number(let b)):
            guard let number = Double(a.trimmingCharacters(in: .whitespaces)) else { return false }
            return compare(number, op, b)
        case (.text(let a), .string(let b)):
            switch op {
            case .like: return like(Array(a.unicodeScalars), Array(b.unicodeScalars))
            case .ilike: return like(Array(a.lowercased().unicodeScalars), Array(b.lowercased().unicodeScalars))
            default: return compare(a, op, b)
            }
        case (.number, .string): return false
        }
    }

    private static func compare<T: Comparable>(_ a: T, _ op: ComparisonOperator, _ b: T) -> Bool {
        switch op {
        case .equal: return a == b
        case .notEqual: return a != b
        case .less: return a < b
        case .lessOrEqual: return a <= b
        case .greater: return a > b
        case .greaterOrEqual: return a >= b
        case .like, .ilike: return false
        }
    }

    /// SQL `LIKE`: `%` matches any run of characters, `_` exactly one.
    private static func like(_ text: [Unicode.Scalar], _ pattern: [Unicode.Scalar]) -> Bool {
        // matches[j]: pattern[..<j] matches the text read so far.
        var matches = [Bool](repeating: false, count: pattern.count + 1)
        matches[0] = true
        for j in pattern.indices where pattern[j] == "%" { matches[j + 1] = matches[j] }
        for character in text {
            var next = [Bool](repeating: false, count: pattern.count + 1)
            for j in pattern.indices {
                switch pattern[j] {
                case "%": next[j + 1] = next[j] || matches[j + 1]
                case "_": next[j + 1] = matches[j]
                default: next[j + 1] = matches[j] && pattern[j] == character
                }
            }
            matches = next
        }
        return matches[pattern.count]
    }

    private static func describe(_ actual: Actual?, field: RunField) -> String {
        switch actual {
        case nil:
            if case .attribute = field { return "not set" }
            return "not recorded for this run"
        case .number(let value): return "actual \(formatted(value))"
        case .text(let text): return "actual '\(text)'"
        }
    }

    /// Every digit needed to tell the value from the threshold (Swift's shortest exact form).
    private static func formatted(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}
