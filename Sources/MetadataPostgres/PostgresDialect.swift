import RingmasterCore

/// PostgreSQL's spelling of the search statement built by ``RunQuerySQL``.
///
/// - Placeholders are `$1`, `$2`, ….
/// - Params and tags are text; comparing one with a number casts it only when a regular
///   expression says it spells a decimal number (or infinity), so text such as `adam` gives
///   NULL (no match) instead of failing the whole statement as a bare cast would. A number
///   beyond double precision's range (`1e400`) still fails the cast; SQLite reads it as infinity.
/// - `LIKE` is case-sensitive in PostgreSQL, as in MLflow; `ILIKE` is native.
/// - Runs have no implicit row id; the `seq` column (bigserial) records insertion order.
public struct PostgresDialect: SQLDialect {
    public init() {}

    public func placeholder(_ index: Int) -> String { "$\(index)" }

    public func number(_ expression: String) -> String {
        "(CASE WHEN \(expression) ~* '\(Self.numberPattern)' THEN CAST(\(expression) AS double precision) END)"
    }

    public func like(_ expression: String, _ pattern: String) -> String { "\(expression) LIKE \(pattern)" }
    public func ilike(_ expression: String, _ pattern: String) -> String { "\(expression) ILIKE \(pattern)" }
    public var insertionOrder: String { "r.seq" }

    /// What `CAST(text AS double precision)` accepts without error, less NaN (which SQLite
    /// stores as NULL): optional spaces and sign, digits with an optional point and
    /// exponent, or `inf`/`infinity`. Contains no quote, so it is safe inside a SQL literal.
    static let numberPattern = #"^\s*[-+]?(([0-9]+\.?[0-9]*|\.[0-9]+)(e[-+]?[0-9]+)?|inf|infinity)\s*$"#
}
