/// CSV with RFC 4180 quoting: a field containing a comma, a double quote, a line break or
/// leading/trailing spaces is enclosed in double quotes, with inner quotes doubled. Lines
/// end with LF, which every CSV reader accepts and shell tools prefer.
enum CSV {
    static func field(_ text: String) -> String {
        let needsQuotes = text.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }
            || text.first == " " || text.last == " "
        return needsQuotes ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }

    static func line(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + "\n"
    }
}
