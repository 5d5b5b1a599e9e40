/// One token of the search language, with the 1-based character position where it starts.
struct FilterToken: Equatable {
    enum Kind: Equatable {
        /// An unquoted word: a field (`metrics.accuracy`, `status`) or a keyword (`and`, `IN`).
        case word(String)
        /// A field whose key is quoted after its prefix: params.`model.hidden` → ("params", "model.hidden").
        case quotedField(prefix: String, key: String)
        case string(String)
        case number(Double)
        /// `=`, `!=`, `<`, `<=`, `>`, `>=` (and the spellings `==` and `<>`).
        case comparison(ComparisonOperator)
        case openParen, closeParen, comma
        case end
    }

    var kind: Kind
    var position: Int
    /// The source text of the token, for messages.
    var text: String

    /// How a message names this token: `'text'` (quoted text as written), or `end of input`.
    var quoted: String {
        switch kind {
        case .end: return "end of input"
        case .string: return text
        default: return "'\(text)'"
        }
    }

    /// The keyword this token spells, uppercased (`AND`, `IN`, …), or nil.
    var keyword: String? {
        guard case .word(let word) = kind else { return nil }
        let upper = word.uppercased()
        return FilterToken.keywords.contains(upper) ? upper : nil
    }

    static let keywords: Set<String> = ["AND", "OR", "NOT", "IN", "LIKE", "ILIKE", "ASC", "DESC"]
}

/// Splits search text into tokens. Words run over letters, digits, `_`, `.`, `-` and `/`
/// so that `params.optimizer.learning_rate` and `metrics.train/loss` need no quotes; a
/// quoted key right after a prefix's dot (`` params.`a b` ``, `params."a b"`) is one token.
struct FilterLexer {
    private let characters: [Character]
    private let source: String
    private var index = 0

    init(_ text: String, source: String) {
        characters = Array(text)
        self.source = source
    }

    static func tokens(_ text: String, source: String) throws -> [FilterToken] {
        var lexer = FilterLexer(text, source: source)
        var tokens: [FilterToken] = []
        while true {
            let token = try lexer.next()
            tokens.append(token)
            if token.kind == .end { return tokens }
        }
    }

    private func error(at index: Int, _ message: String) -> RunFilterError {
        RunFilterError(source: source, position: index + 1, message: message)
    }

    private func peek(_ offset: Int = 0) -> Character? {
        index + offset < characters.count ? characters[index + offset] : nil
    }

    private func text(from start: Int) -> String { String(characters[start..<index]) }

    private static func isWordStart(_ c: Character) -> Bool { c.isLetter || c == "_" }
    private static func isWordPart(_ c: Character) -> Bool {
        c.isLetter || c.isNumber || c == "_" || c == "." || c == "-" || c == "/"
    }

    private mutating func next() throws -> FilterToken {
        while let c = peek(), c.isWhitespace { index += 1 }
        let start = index
        guard let c = peek() else { return FilterToken(kind: .end, position: start + 1, text: "") }
        func token(_ kind: FilterToken.Kind, length: Int) -> FilterToken {
            index += length
            return FilterToken(kind: kind, position: start + 1, text: text(from: start))
        }
        switch c {
        case "(": return token(.openParen, length: 1)
        case ")": return token(.closeParen, length: 1)
        case ",": return token(.comma, length: 1)
        case "=": return token(.comparison(.equal), length: peek(1) == "=" ? 2 : 1)
        case "!":
            guard peek(1) == "=" else { throw error(at: start, "unexpected '!'; did you mean '!='?") }
            return token(.comparison(.notEqual), length: 2)
        case "<":
            if peek(1) == "=" { return token(.comparison(.lessOrEqual), length: 2) }
            if peek(1) == ">" { return token(.comparison(.notEqual), length: 2) }
            return token(.comparison(.less), length: 1)
        case ">":
            return peek(1) == "=" ? token(.comparison(.greaterOrEqual), length: 2) : token(.comparison(.greater), length: 1)
        case "'", "\"":
            let value = try quoted(by: c)
            return FilterToken(kind: .string(value), position: start + 1, text: text(from: start))
        case "`":
            throw error(at: start, "unexpected '`': backquotes go around a key after its prefix, as in params.`model.hidden`")
        default:
            if c.isNumber || ((c == "-" || c == "+" || c == ".") && startsNumber(at: index)) { return try number() }
            if Self.isWordStart(c) { return try word() }
            throw error(at: start, "unexpected character '\(c)'")
        }
    }

    /// Whether a sign or dot at `position` begins a number (`-1`, `+.5`, `.5`).
    private func startsNumber(at position: Int) -> Bool {
        var i = position
        if i < characters.count, characters[i] == "-" || characters[i] == "+" { i += 1 }
        if i < characters.count, characters[i] == "." { i += 1 }
        return i < characters.count && characters[i].isASCII && characters[i].isNumber
    }

    /// Reads text between `quote` characters; a doubled quote stands for one.
    private mutating func quoted(by quote: Character) throws -> String {
        let start = index
        index += 1
        var value = ""
        while let c = peek() {
            index += 1
            if c == quote {
                if peek() == quote {
                    value.append(quote)
                    index += 1
                } else {
                    return value
                }
            } else {
                value.append(c)
            }
        }
        throw error(at: start, "unterminated quoted text; close it with \(quote)")
    }

    private mutating func number() throws -> FilterToken {
        let start = index
        if peek() == "-" || peek() == "+" { index += 1 }
        func digits() { while let c = peek(), c.isASCII, c.isNumber { index += 1 } }
        digits()
        if peek() == "." {
            index += 1
            digits()
        }
        if let e = peek(), e == "e" || e == "E" {
            let mark = index
            index += 1
            if peek() == "-" || peek() == "+" { index += 1 }
            if let d = peek(), d.isASCII, d.isNumber {
                digits()
            } else {
                index = mark
            }
        }
        if let c = peek(), Self.isWordPart(c) {
            while let c = peek(), Self.isWordPart(c) { index += 1 }
            throw error(at: start, "malformed number '\(text(from: start))'")
        }
        let spelled = text(from: start)
        guard let value = Double(spelled.hasPrefix("+") ? String(spelled.dropFirst()) : spelled) else {
            throw error(at: start, "malformed number '\(spelled)'")
        }
        return FilterToken(kind: .number(value), position: start + 1, text: spelled)
    }

    private mutating func word() throws -> FilterToken {
        let start = index
        while let c = peek(), Self.isWordPart(c) { index += 1 }
        let word = text(from: start)
        if word.hasSuffix("."), let quote = peek(), quote == "`" || quote == "\"" {
            let keyStart = index
            let key = try quoted(by: quote)
            if key.isEmpty { throw error(at: keyStart, "empty key after '\(word)'") }
            return FilterToken(kind: .quotedField(prefix: String(word.dropLast()), key: key), position: start + 1,
                               text: text(from: start))
        }
        return FilterToken(kind: .word(word), position: start + 1, text: word)
    }
}
