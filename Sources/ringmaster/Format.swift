import Foundation

/// How values are written for people (tables, trees, charts).
enum Format {
    /// Four decimals for everyday magnitudes, scientific notation for very large or small ones.
    static func number(_ value: Double) -> String {
        if !value.isFinite { return "\(value)" }
        let magnitude = abs(value)
        if magnitude != 0, magnitude < 1e-3 || magnitude >= 1e6 { return String(format: "%.3e", value) }
        if value == value.rounded() { return String(format: "%.0f", value) }
        return String(format: "%.4f", value)
    }

    /// `12.3s`, `4m05s`, `2h03m`.
    static func duration(_ seconds: Double) -> String {
        if seconds < 60 { return String(format: "%.1fs", max(0, seconds)) }
        let whole = Int(seconds.rounded())
        if whole < 3600 { return String(format: "%dm%02ds", whole / 60, whole % 60) }
        return String(format: "%dh%02dm", whole / 3600, (whole % 3600) / 60)
    }

    /// Local time, `2024-05-01 12:30:00`: what filters take as a date without a zone.
    static func timestamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: date)
    }

    /// ISO 8601 in UTC with milliseconds, for files other programs read.
    static func iso8601(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    /// `812 B`, `8.2 kB`, `1.5 MB`.
    static func bytes(_ count: Int) -> String {
        if count < 1000 { return "\(count) B" }
        let units = ["kB", "MB", "GB", "TB"]
        var value = Double(count) / 1000
        var unit = 0
        while value >= 1000, unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return String(format: "%.1f ", value) + units[unit]
    }

    /// The first characters of a hash, enough to tell versions apart by eye.
    static func digest(_ sha256: String) -> String { sha256.count > 12 ? sha256.prefix(12) + "…" : sha256 }

    /// `text` cut to `limit` characters, ending in `…` when cut.
    static func clip(_ text: String, _ limit: Int) -> String {
        text.count > limit ? String(text.prefix(limit - 1)) + "…" : text
    }
}
