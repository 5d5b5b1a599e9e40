/// A parsed run search: which runs, in what order, how many.
///
/// The filter language is MLflow's (`metrics.accuracy > 0.95 and params.lr = '0.01'`,
/// `tags.team = 'vision'`, `attributes.status = 'finished'`, operators `= != < <= > >= LIKE
/// ILIKE IN NOT IN`) extended with `or` and parentheses. `RunFilterParser` turns text into this
/// tree; each store backend translates the tree to its own SQL.
public struct RunQuery: Sendable, Equatable {
    /// Only runs of this experiment; nil for all.
    public var experiment: String?
    public var filter: RunFilter?
    /// Sort keys, first is primary; runs without a sorted metric or param sort last.
    /// Empty means newest first.
    public var orderBy: [RunOrder]
    public var limit: Int?
    public var offset: Int

    public init(
        experiment: String? = nil, filter: RunFilter? = nil, orderBy: [RunOrder] = [], limit: Int? = nil,
        offset: Int = 0
    ) {
        self.experiment = experiment
        self.filter = filter
        self.orderBy = orderBy
        self.limit = limit
        self.offset = offset
    }
}

/// A boolean condition on runs.
public indirect enum RunFilter: Sendable, Equatable {
    /// `field OP value`. A run without the metric, param or tag does not match (MLflow's rule).
    case comparison(RunField, ComparisonOperator, FilterValue)
    /// `field IN (v, …)` or `field NOT IN (v, …)`.
    case membership(RunField, [FilterValue], negated: Bool)
    case and(RunFilter, RunFilter)
    case or(RunFilter, RunFilter)
}

/// What a filter or sort key refers to.
public enum RunField: Sendable, Hashable, CustomStringConvertible {
    /// The latest value of a metric (`metrics.KEY`).
    case metric(String)
    /// A parameter (`params.KEY`); compared as text, or as a number when the value is a number.
    case param(String)
    /// A tag (`tags.KEY`); compared like a parameter.
    case tag(String)
    /// A run attribute (`attributes.NAME` or the bare name).
    case attribute(RunAttribute)

    public var description: String {
        switch self {
        case .metric(let key): return "metrics.\(key)"
        case .param(let key): return "params.\(key)"
        case .tag(let key): return "tags.\(key)"
        case .attribute(let attribute): return "attributes.\(attribute.rawValue)"
        }
    }
}

/// Run attributes that can be filtered and sorted on.
public enum RunAttribute: String, Sendable, Hashable, CaseIterable {
    case runID = "run_id"
    case runName = "run_name"
    case status
    case experiment
    /// Seconds since 1970 (numbers) — `attributes.start_time > 1700000000`.
    case startTime = "start_time"
    case endTime = "end_time"

    /// Whether values of this attribute are numbers.
    public var isNumeric: Bool { self == .startTime || self == .endTime }
}

public enum ComparisonOperator: String, Sendable, CaseIterable {
    case equal = "="
    case notEqual = "!="
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="
    /// SQL `LIKE` with `%` and `_`, case-sensitive.
    case like = "LIKE"
    /// Case-insensitive `LIKE`.
    case ilike = "ILIKE"
}

public enum FilterValue: Sendable, Equatable, CustomStringConvertible {
    case number(Double)
    case string(String)

    public var description: String {
        switch self {
        case .number(let value): return "\(value)"
        case .string(let value): return "'\(value.replacingOccurrences(of: "'", with: "''"))'"
        }
    }
}

/// One sort key: `metrics.accuracy DESC`, `attributes.start_time`, `params.lr ASC`.
public struct RunOrder: Sendable, Equatable {
    public var field: RunField
    public var ascending: Bool

    public init(field: RunField, ascending: Bool) {
        self.field = field
        self.ascending = ascending
    }
}
