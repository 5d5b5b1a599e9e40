import Foundation

/// The columns of a dataset and their types, recorded with each dataset version so that a
/// model can later be checked against the data it is evaluated or served on.
public struct DatasetSchema: Codable, Sendable, Equatable {
    /// How a column's values are to be read.
    public enum ValueType: String, Codable, Sendable {
        /// Real numbers (every feature column; a regression target).
        case float
        /// Non-negative whole numbers used as class indices.
        case integer
        /// Text classes, stored as indices into `categories`.
        case categorical
    }

    /// One column.
    public struct Column: Codable, Sendable, Equatable {
        /// Column name as in the file's header (or `f1`…, `pixel_r_c` where the file has none).
        public var name: String
        /// How its values are read.
        public var type: ValueType
        /// The sorted class names, for categorical columns only.
        public var categories: [String]?

        public init(name: String, type: ValueType, categories: [String]? = nil) {
            self.name = name
            self.type = type
            self.categories = categories
        }
    }

    /// Feature columns in the order they appear in each row.
    public var features: [Column]
    /// The label column.
    public var label: Column

    public init(features: [Column], label: Column) {
        self.features = features
        self.label = label
    }

    /// Compact JSON with sorted keys: the same schema always gives the same text, so stores
    /// can compare schemas by string.
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain strings, enums and arrays cannot fail.
        let data = try! encoder.encode(self)
        return String(decoding: data, as: UTF8.self)
    }
}
