import Foundation

/// Checks a filter value against its field and turns MLflow spellings into Ringmaster's,
/// so that a mistake is reported at its position in the text rather than by the store.
enum FilterValueCheck {
    static func isNumber(_ value: FilterValue) -> Bool {
        if case .number = value { return true }
        return false
    }

    static func check(
        _ value: FilterValue, for field: RunField, _ op: ComparisonOperator, at token: FilterToken, source: String
    ) throws -> FilterValue {
        func fail(_ message: String) -> RunFilterError {
            RunFilterError(source: source, position: token.position, message: message)
        }
        let isPattern = op == .like || op == .ilike
        if isPattern, isNumber(value) {
            throw fail("\(op.rawValue) needs a quoted pattern such as '%rate%', found \(token.quoted)")
        }
        switch field {
        case .metric:
            if isPattern { throw fail("\(field) is a number: \(op.rawValue) works on params, tags and text attributes") }
            if !isNumber(value) { throw fail("\(field) is a number: compare it with a number, not \(token.quoted)") }
            return value
        case .param, .tag:
            return value
        case .attribute(let attribute):
            switch attribute {
            case .status: return try status(value, op, fail)
            case .startTime, .endTime: return try time(value, field: field, op, token, fail)
            case .runID, .runName, .experiment: return value
            }
        }
    }

    /// Statuses compare in lower case; `=`, `!=` and `IN` must name a status that exists,
    /// so that MLflow's `'FINISHED'` works and a typo is caught.
    private static func status(
        _ value: FilterValue, _ op: ComparisonOperator, _ fail: (String) -> RunFilterError
    ) throws -> FilterValue {
        let names = RunStatus.allCases.map { $0.rawValue.uppercased() }.joined(separator: ", ")
        guard case .string(let text) = value else { throw fail("status is text: compare it with one of \(names)") }
        let lowered = text.lowercased()
        if (op == .equal || op == .notEqual), RunStatus(rawValue: lowered) == nil {
            throw fail("unknown status '\(text)': expected one of \(names)")
        }
        return .string(lowered)
    }

    /// Times are seconds since 1970. MLflow writes milliseconds, and no run starts in the
    /// year 5138, so a number of 10¹¹ or more is taken as milliseconds.
    private static func time(
        _ value: FilterValue, field: RunField, _ op: ComparisonOperator, _ token: FilterToken,
        _ fail: (String) -> RunFilterError
    ) throws -> FilterValue {
        switch value {
        case .number(let number):
            return .number(abs(number) >= 1e11 ? number / 1000 : number)
        case .string(let text):
            if op == .like || op == .ilike { throw fail("\(field) is a time: \(op.rawValue) does not apply") }
            guard let date = parseDate(text) else {
                throw fail("\(field) takes seconds or milliseconds since 1970, or a date such as '2024-05-01' or '2024-05-01T12:30:00Z', not \(token.quoted)")
            }
            return .number(date.timeIntervalSince1970)
        }
    }

    /// `2024-05-01`, `2024-05-01 12:30[:00]` (local time, as `runs list` prints) or ISO 8601
    /// with a zone (`2024-05-01T12:30:00Z`, `…+02:00`).
    static func parseDate(_ text: String) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime]
        if let date = iso.date(from: trimmed) { return date }
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = iso.date(from: trimmed) { return date }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = .current
        for format in ["yyyy-MM-dd", "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: trimmed) { return date }
        }
        return nil
    }
}
