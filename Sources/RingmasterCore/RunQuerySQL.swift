/// How a SQL backend spells the few things that differ between engines.
public protocol SQLDialect: Sendable {
    /// The placeholder for the `index`-th argument (1-based): `?` or `$1`.
    func placeholder(_ index: Int) -> String
    /// `expression` as a number, or NULL when it is text that is not a number.
    func number(_ expression: String) -> String
    /// A case-sensitive `LIKE` of `expression` against the pattern placeholder.
    func like(_ expression: String, _ pattern: String) -> String
    /// A case-insensitive `LIKE`.
    func ilike(_ expression: String, _ pattern: String) -> String
    /// A column of `runs` (aliased `r`) that grows with insertion, to break start-time ties.
    var insertionOrder: String { get }
}

/// Translates a ``RunQuery`` into one SQL statement over the store schema shared by the
/// backends (`runs r`, `experiments e`, `run_params`, `run_tags`, `latest_metrics`), with
/// every value passed as an argument, never spliced into the text.
///
/// The statement selects run ids in the requested order; callers load the records.
public struct RunQuerySQL {
    public private(set) var sql = ""
    public private(set) var arguments: [SQLArgument] = []
    private let dialect: any SQLDialect

    public init(_ query: RunQuery, dialect: any SQLDialect) throws {
        self.dialect = dialect
        var text = "SELECT r.id FROM runs r JOIN experiments e ON e.id = r.experiment_id WHERE 1 = 1"
        if let experiment = query.experiment { text += " AND e.name = \(bind(.text(experiment)))" }
        if let filter = query.filter { text += " AND " + (try condition(filter)) }
        var keys: [String] = []
        for order in query.orderBy { keys += orderTerms(order) }
        keys += ["r.start_time DESC", "\(dialect.insertionOrder) DESC"]
        text += " ORDER BY " + keys.joined(separator: ", ")
        // OFFSET needs a LIMIT in SQLite; the largest one means "no limit" in both engines.
        if query.limit != nil || query.offset > 0 {
            text += " LIMIT \(bind(.integer(query.limit.map { max(0, $0) } ?? Int.max)))"
        }
        if query.offset > 0 { text += " OFFSET \(bind(.integer(query.offset)))" }
        sql = text
    }

    private mutating func bind(_ argument: SQLArgument) -> String {
        arguments.append(argument)
        return dialect.placeholder(arguments.count)
    }

    private mutating func condition(_ filter: RunFilter) throws -> String {
        switch filter {
        case .and(let a, let b): return "(\(try condition(a)) AND \(try condition(b)))"
        case .or(let a, let b): return "(\(try condition(a)) OR \(try condition(b)))"
        case .comparison(let field, let op, let value): return try comparison(field, op, value)
        case .membership(let field, let values, let negated):
            guard !values.isEmpty else { throw StoreError.invalidQuery("\(field) IN () needs at least one value") }
            return try membership(field, values, negated: negated)
        }
    }

    /// The table holding `field`'s values and the key placeholder, for metrics, params and tags.
    private mutating func keyed(_ field: RunField) -> (table: String, key: String)? {
        switch field {
        case .metric(let key): return ("latest_metrics", bind(.text(key)))
        case .param(let key): return ("run_params", bind(.text(key)))
        case .tag(let key): return ("run_tags", bind(.text(key)))
        case .attribute: return nil
        }
    }

    private func attributeColumn(_ attribute: RunAttribute) -> String {
        switch attribute {
        case .runID: return "r.id"
        case .runName: return "r.name"
        case .status: return "r.status"
        case .experiment: return "e.name"
        case .startTime: return "r.start_time"
        case .endTime: return "r.end_time"
        }
    }

    private mutating func comparison(_ field: RunField, _ op: ComparisonOperator, _ value: FilterValue) throws -> String {
        if case .metric = field, case .string = value {
            throw StoreError.invalidQuery("\(field) is a metric: compare it with a number, not \(value)")
        }
        if case .attribute(let attribute) = field {
            return try test(attributeColumn(attribute), numeric: attribute.isNumeric, op, value, field: field)
        }
        let (table, key) = keyed(field)!
        let isMetric: Bool = { if case .metric = field { return true } else { return false } }()
        let test = try self.test("v.value", numeric: isMetric, op, value, field: field)
        return "EXISTS (SELECT 1 FROM \(table) v WHERE v.run_id = r.id AND v.key = \(key) AND \(test))"
    }

    private mutating func test(_ column: String, numeric: Bool, _ op: ComparisonOperator, _ value: FilterValue, field: RunField)
        throws -> String
    {
        switch (op, value) {
        case (.like, .string(let pattern)): return dialect.like(column, bind(.text(pattern)))
        case (.ilike, .string(let pattern)): return dialect.ilike(column, bind(.text(pattern)))
        case (.like, .number), (.ilike, .number):
            throw StoreError.invalidQuery("\(field) \(op.rawValue) needs a quoted pattern such as '%rate%'")
        case (_, .number(let number)):
            let left = numeric ? column : dialect.number(column)
            return "\(left) \(op.rawValue) \(bind(.real(number)))"
        case (_, .string(let text)):
            if numeric { throw StoreError.invalidQuery("\(field) is a number: compare it with a number, not \(value)") }
            return "\(column) \(op.rawValue) \(bind(.text(text)))"
        }
    }

    private mutating func membership(_ field: RunField, _ values: [FilterValue], negated: Bool) throws -> String {
        let numbers = values.allSatisfy { if case .number = $0 { return true } else { return false } }
        let texts = values.allSatisfy { if case .string = $0 { return true } else { return false } }
        guard numbers || texts else { throw StoreError.invalidQuery("\(field) IN (…) mixes numbers and text") }
        var column = "v.value"
        var numericColumn = false
        var prefix = ""
        var suffix = ""
        if case .attribute(let attribute) = field {
            column = attributeColumn(attribute)
            numericColumn = attribute.isNumeric
        } else {
            let (table, key) = keyed(field)!
            if case .metric = field { numericColumn = true }
            prefix = "EXISTS (SELECT 1 FROM \(table) v WHERE v.run_id = r.id AND v.key = \(key) AND "
            suffix = ")"
        }
        if numericColumn && texts { throw StoreError.invalidQuery("\(field) is a number: IN needs numbers") }
        let left = numbers && !numericColumn ? dialect.number(column) : column
        let list = values.map { value -> String in
            switch value {
            case .number(let n): return bind(.real(n))
            case .string(let s): return bind(.text(s))
            }
        }
        return "\(prefix)\(left) \(negated ? "NOT IN" : "IN") (\(list.joined(separator: ", ")))\(suffix)"
    }

    /// ORDER BY terms for one sort key. Runs without the value sort last in either
    /// direction; for params and tags, numbers (in numeric order) come before text.
    private mutating func orderTerms(_ order: RunOrder) -> [String] {
        let direction = order.ascending ? "ASC" : "DESC"
        func value(_ table: String, _ key: String, _ expression: String) -> String {
            "(SELECT \(expression) FROM \(table) v WHERE v.run_id = r.id AND v.key = \(bind(.text(key))))"
        }
        switch order.field {
        case .attribute(let attribute):
            let column = attributeColumn(attribute)
            return ["\(column) IS NULL", "\(column) \(direction)"]
        case .metric(let key):
            return ["\(value("latest_metrics", key, "v.value")) IS NULL", "\(value("latest_metrics", key, "v.value")) \(direction)"]
        case .param(let key), .tag(let key):
            let table: String = { if case .param = order.field { return "run_params" } else { return "run_tags" } }()
            return [
                "\(value(table, key, "v.value")) IS NULL",
                "\(value(table, key, dialect.number("v.value"))) IS NULL",
                "\(value(table, key, dialect.number("v.value"))) \(direction)",
                "\(value(table, key, "v.value")) \(direction)",
            ]
        }
    }
}

/// A value bound to a statement placeholder.
public enum SQLArgument: Sendable, Equatable {
    case text(String)
    case real(Double)
    case integer(Int)
}
