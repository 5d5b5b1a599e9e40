import Foundation

/// What standard output is connected to, and ANSI styling when it is a colour terminal.
enum Terminal {
    /// Whether standard output is a terminal (not a pipe or file).
    static var isInteractive: Bool { isatty(STDOUT_FILENO) == 1 }

    /// Colour only on a terminal, and not when `NO_COLOR` is set (no-color.org) or `TERM=dumb`.
    static var usesColor: Bool {
        let environment = ProcessInfo.processInfo.environment
        return isInteractive && environment["NO_COLOR"] == nil && environment["TERM"] != "dumb"
    }

    /// Columns of the terminal, or `COLUMNS`, or 80.
    static var width: Int {
        var size = winsize()
        if isInteractive, ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init) ?? 80
    }

    static func bold(_ text: String) -> String { "\u{1B}[1m\(text)\u{1B}[0m" }
    static func highlight(_ text: String) -> String { "\u{1B}[1;33m\(text)\u{1B}[0m" }
}
