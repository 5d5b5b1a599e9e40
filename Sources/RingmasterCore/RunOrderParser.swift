/// Parses a sort specification such as `metrics.accuracy DESC, params.lr` into
/// ``RunOrder`` keys: a comma-separated list of fields (spelled as in filters), each
/// optionally followed by `ASC` (the default) or `DESC`, case-insensitive.
public enum RunOrderParser {
    /// The sort keys `text` spells, first is primary; empty for blank text.
    /// Throws ``RunFilterError`` naming the position of the first problem.
    public static func parse(_ text: String) throws -> [RunOrder] {
        var parser = try FilterParser(text, source: "order-by")
        return try parser.commaList(expecting: "ASC, DESC") { parser, separator in
            let field = try parser.field(after: separator)
            var ascending = true
            if let keyword = parser.current.keyword, keyword == "ASC" || keyword == "DESC" {
                ascending = keyword == "ASC"
                parser.advance()
            }
            return RunOrder(field: field, ascending: ascending)
        }
    }
}

/// Parses a comma-separated list of fields spelled as in filters, such as
/// `metrics.accuracy,params.lr,status` (for choosing columns).
public enum RunFieldListParser {
    /// The fields `text` names, in order; empty for blank text. `source` names the
    /// option in messages. Throws ``RunFilterError``.
    public static func parse(_ text: String, source: String = "columns") throws -> [RunField] {
        var parser = try FilterParser(text, source: source)
        return try parser.commaList(expecting: nil) { parser, separator in try parser.field(after: separator) }
    }
}

extension FilterParser {
    /// Reads `item (',' item)*` up to the end of input; `expecting` names what else may
    /// follow an item, for the message when something else does.
    mutating func commaList<Item>(
        expecting: String?, _ item: (inout FilterParser, FilterToken?) throws -> Item
    ) throws -> [Item] {
        if current.kind == .end { return [] }
        var items: [Item] = []
        var separator: FilterToken?
        while true {
            items.append(try item(&self, separator))
            switch current.kind {
            case .end:
                return items
            case .comma:
                separator = current
                advance()
            default:
                throw error("expected \(expecting.map { "\($0), " } ?? "")',' or the end, found \(current.quoted)")
            }
        }
    }
}
