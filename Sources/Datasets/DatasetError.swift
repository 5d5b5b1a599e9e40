import Foundation

/// Why a dataset could not be read, with the file, line and column to look at.
///
/// A struct rather than an enum so that new kinds of failure can be added without breaking
/// callers that switch over them; compare ``code`` to tell failures apart. `description` is a
/// single line (`path:line: column 'name': message`) that the CLI prints as it is.
public struct DatasetError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String {
            case fileNotFound = "file not found"
            case unreadable = "unreadable file"
            case unknownFormat = "unknown format"
            case invalidArgument = "invalid argument"
            case emptyFile = "empty file"
            case malformedRow = "malformed row"
            case invalidValue = "invalid value"
            case missingValue = "missing value"
            case missingLabelColumn = "missing label column"
            case featureCountMismatch = "feature count mismatch"
            case invalidHeader = "invalid header"
            case truncated = "truncated file"
            case rowCountMismatch = "row count mismatch"
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// No file (or a folder) at the path.
        public static let fileNotFound = Code(.fileNotFound)
        /// The file exists but could not be read (permissions, I/O error).
        public static let unreadable = Code(.unreadable)
        /// The format could not be told from the file name; pass `format:`.
        public static let unknownFormat = Code(.unknownFormat)
        /// An option does not apply to this format or is out of range.
        public static let invalidArgument = Code(.invalidArgument)
        /// The file has no header row (CSV) or no rows at all.
        public static let emptyFile = Code(.emptyFile)
        /// A row has the wrong number of fields, a stray quote, or a bad `index:value` token.
        public static let malformedRow = Code(.malformedRow)
        /// A value that must be a finite number is not one.
        public static let invalidValue = Code(.invalidValue)
        /// A field is empty.
        public static let missingValue = Code(.missingValue)
        /// The label column named (or the default `label`/`target`) is not in the header.
        public static let missingLabelColumn = Code(.missingLabelColumn)
        /// The file's features do not match the `featureCount` the caller expects.
        public static let featureCountMismatch = Code(.featureCountMismatch)
        /// An IDX file does not start with a valid magic number and dimensions.
        public static let invalidHeader = Code(.invalidHeader)
        /// An IDX file is shorter or longer than its header says.
        public static let truncated = Code(.truncated)
        /// An IDX labels file holds a different number of items than its images file.
        public static let rowCountMismatch = Code(.rowCountMismatch)

        public var description: String { value.rawValue }
    }

    /// The kind of failure.
    public let code: Code
    /// The file at fault.
    public let path: String
    /// 1-based line (CSV, LIBSVM) where the faulty row starts, when there is one.
    public let line: Int?
    /// Name of the faulty column, when there is one.
    public let column: String?
    /// What is wrong and, where it helps, what to do about it.
    public let message: String

    public init(_ code: Code, path: String, line: Int? = nil, column: String? = nil, message: String) {
        self.code = code
        self.path = path
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        var text = path
        if let line { text += ":\(line)" }
        text += ": "
        if let column { text += "column '\(column)': " }
        return text + message
    }
}

extension DatasetError {
    /// Quotes a value from the file for an error message, shortened so that a runaway field
    /// (say, a missing closing quote swallowing the rest of the file) keeps the message on one line.
    static func quoted(_ value: String) -> String {
        let flat = value.replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\r", with: "\\r")
        return flat.count <= 40 ? "'\(flat)'" : "'\(flat.prefix(37))...'"
    }
}
