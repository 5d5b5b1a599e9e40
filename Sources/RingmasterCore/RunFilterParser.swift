/// Parses MLflow's run search syntax into a ``RunFilter``.
///
/// ```
/// filter     := conjunction ( OR conjunction )*
/// conjunction:= term ( AND term )*
/// term       := '(' filter ')' | field operator value | field [NOT] IN '(' value ( ',' value )* ')'
/// field      := metrics.KEY | params.KEY | tags.KEY | attributes.NAME | NAME
/// operator   := = | != | < | <= | > | >= | LIKE | ILIKE
/// value      := 'text' | "text" | number
/// ```
///
/// Keywords are case-insensitive; `and` binds tighter than `or`. Prefixes may be singular
/// (`metric.`, `param.`, `tag.`) and attributes may be written `attributes.`, `attribute.`,
/// `attr.`, `run.` or bare. Keys with characters other than letters, digits, `_`, `.`, `-`
/// and `/` go in backquotes or double quotes after the prefix (`` params.`batch size` ``).
/// A quote inside quoted text is doubled (`'it''s'`).
///
/// Values are checked against their field: metrics and times take numbers, `status` takes
/// MLflow's upper-case names or Ringmaster's lower-case ones, times take seconds,
/// milliseconds (MLflow's unit; any value of 10¹¹ or more) or a quoted date.
public enum RunFilterParser {
    /// The filter `text` spells, or nil when it is empty or blank.
    /// Throws ``RunFilterError`` naming the position of the first problem.
    public static func parse(_ text: String) throws -> RunFilter? {
        var parser = try FilterParser(text, source: "filter")
        if parser.current.kind == .end { return nil }
        let filter = try parser.disjunction()
        if parser.current.kind != .end {
            let what = parser.current.kind == .closeParen ? "')' without a matching '('" : parser.current.quoted
            throw parser.error("expected 'and', 'or' or the end of the filter, found \(what)")
        }
        return filter
    }
}

/// A problem in search text: where it is and what was expected there.
public struct RunFilterError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was being parsed, for the message: `filter` or `order-by`.
    public var source: String
    /// 1-based character position of the problem; one past the last character at the end of input.
    public var position: Int
    public var message: String

    public init(source: String, position: Int, message: String) {
        self.source = source
        self.position = position
        self.message = message
    }

    /// `filter: position 23: expected a value after '>', found end of input`
    public var description: String { "\(source): position \(position): \(message)" }
}

/// Recursive-descent parser over the tokens of one search text; also reads the fields of
/// `--order-by` (``RunOrderParser``).
struct FilterParser {
    private let tokens: [FilterToken]
    private var index = 0
    let source: String

    init(_ text: String, source: String) throws {
        tokens = try FilterLexer.tokens(text, source: source)
        self.source = source
    }

    var current: FilterToken { tokens[index] }
    private var previous: FilterToken { tokens[max(0, index - 1)] }

    mutating func advance() { if index < tokens.count - 1 { index += 1 } }

    func error(_ message: String, at token: FilterToken? = nil) -> RunFilterError {
        RunFilterError(source: source, position: (token ?? current).position, message: message)
    }

    mutating func disjunction() throws -> RunFilter {
        var filter = try conjunction()
        while current.keyword == "OR" {
            advance()
            filter = .or(filter, try conjunction())
        }
        return filter
    }

    private mutating func conjunction() throws -> RunFilter {
        var filter = try term()
        while current.keyword == "AND" {
            advance()
            filter = .and(filter, try term())
        }
        return filter
    }

    private mutating func term() throws -> RunFilter {
        if current.kind == .openParen {
            let open = current
            advance()
            let inner = try disjunction()
            guard current.kind == .closeParen else {
                throw error("expected ')' to close the '(' at position \(open.position), found \(current.quoted)")
            }
            advance()
            return inner
        }
        let fieldToken = current
        let field = try self.field(after: index == 0 ? nil : previous)
        return try condition(on: field, named: fieldToken)
    }

    /// Reads a field; `after` is the token before it, for the message when there is none.
    mutating func field(after: FilterToken?) throws -> RunField {
        let token = current
        let context = after.map { " after \($0.quoted)" } ?? ""
        switch token.kind {
        case .word(let word) where token.keyword == nil:
            let field = try Self.resolve(word, at: token, source: source)
            advance()
            return field
        case .quotedField(let prefix, let key):
            let field = try Self.resolve(prefix: prefix, key: key, at: token, source: source)
            advance()
            return field
        default:
            throw error("expected a field such as metrics.accuracy, params.lr or status\(context), found \(token.quoted)")
        }
    }

    private mutating func condition(on field: RunField, named fieldToken: FilterToken) throws -> RunFilter {
        let operatorToken = current
        switch (operatorToken.kind, operatorToken.keyword) {
        case (.comparison(let op), _):
            advance()
            return .comparison(field, op, try value(for: field, op, after: operatorToken))
        case (_, "LIKE"), (_, "ILIKE"):
            advance()
            let op: ComparisonOperator = operatorToken.keyword == "LIKE" ? .like : .ilike
            return .comparison(field, op, try value(for: field, op, after: operatorToken))
        case (_, "IN"):
            advance()
            return .membership(field, try list(for: field, after: operatorToken), negated: false)
        case (_, "NOT"):
            advance()
            guard current.keyword == "IN" else {
                throw error("expected IN after NOT (the only negated operator is NOT IN), found \(current.quoted)")
            }
            let inToken = current
            advance()
            return .membership(field, try list(for: field, after: inToken), negated: true)
        default:
            throw error(
                "expected an operator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN) after \(fieldToken.quoted), found \(operatorToken.quoted)")
        }
    }

    private mutating func rawValue(after: FilterToken) throws -> (FilterValue, FilterToken) {
        let token = current
        switch token.kind {
        case .string(let text):
            advance()
            return (.string(text), token)
        case .number(let number):
            advance()
            return (.number(number), token)
        case .word(let word) where token.keyword == nil:
            throw error("expected a value after \(after.quoted), found \(token.quoted); quote text: '\(word)'")
        default:
            throw error("expected a value after \(after.quoted), found \(token.quoted)")
        }
    }

    private mutating func value(for field: RunField, _ op: ComparisonOperator, after: FilterToken) throws -> FilterValue {
        let (value, token) = try rawValue(after: after)
        return try FilterValueCheck.check(value, for: field, op, at: token, source: source)
    }

    private mutating func list(for field: RunField, after inToken: FilterToken) throws -> [FilterValue] {
        guard current.kind == .openParen else {
            throw error("expected '(' after \(inToken.quoted), found \(current.quoted)")
        }
        var values: [FilterValue] = []
        var separator = current
        advance()
        while true {
            let (value, token) = try rawValue(after: separator)
            if let first = values.first, FilterValueCheck.isNumber(first) != FilterValueCheck.isNumber(value) {
                throw error("the IN list mixes numbers and text; quote all values or none", at: token)
            }
            values.append(try FilterValueCheck.check(value, for: field, .equal, at: token, source: source))
            separator = current
            if current.kind == .comma {
                advance()
                continue
            }
            guard current.kind == .closeParen else {
                throw error("expected ',' or ')' in the IN list, found \(current.quoted)")
            }
            advance()
            return values
        }
    }

    // MARK: Fields

    static let metricPrefixes: Set<String> = ["metrics", "metric"]
    static let paramPrefixes: Set<String> = ["params", "param", "parameters", "parameter"]
    static let tagPrefixes: Set<String> = ["tags", "tag"]
    static let attributePrefixes: Set<String> = ["attributes", "attribute", "attr", "run"]
    /// Attribute names, with MLflow's `created` for the start time.
    static let attributeNames: [String: RunAttribute] = Dictionary(
        uniqueKeysWithValues: RunAttribute.allCases.map { ($0.rawValue, $0) } + [("created", .startTime)])
    static let attributeList = RunAttribute.allCases.map(\.rawValue).joined(separator: ", ")

    /// The field an unquoted word names: `metrics.KEY`, `attributes.NAME`, or a bare attribute.
    static func resolve(_ word: String, at token: FilterToken, source: String) throws -> RunField {
        guard let dot = word.firstIndex(of: ".") else {
            if let attribute = attributeNames[word.lowercased()] { return .attribute(attribute) }
            throw RunFilterError(
                source: source, position: token.position,
                message: "unknown field '\(word)': write metrics.\(word), params.\(word) or tags.\(word), or use an attribute (\(attributeList))")
        }
        return try resolve(prefix: String(word[..<dot]), key: String(word[word.index(after: dot)...]), at: token, source: source)
    }

    static func resolve(prefix: String, key: String, at token: FilterToken, source: String) throws -> RunField {
        func fail(_ message: String) -> RunFilterError {
            RunFilterError(source: source, position: token.position, message: message)
        }
        let kind = prefix.lowercased()
        guard !key.isEmpty else { throw fail("expected a key after '\(prefix).'") }
        if metricPrefixes.contains(kind) { return .metric(key) }
        if paramPrefixes.contains(kind) { return .param(key) }
        if tagPrefixes.contains(kind) { return .tag(key) }
        if attributePrefixes.contains(kind) {
            if let attribute = attributeNames[key.lowercased()] { return .attribute(attribute) }
            throw fail("unknown attribute '\(key)': expected one of \(attributeList)")
        }
        throw fail("unknown field '\(prefix).\(key)': expected metrics.KEY, params.KEY, tags.KEY or attributes.NAME")
    }
}
