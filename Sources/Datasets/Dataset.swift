/// A table of Float32 features and one label per row, held in memory.
///
/// Features are one contiguous row-major buffer so that a batch is a gather of rows and the
/// trainer can hand slices straight to BLAS. The value is immutable: splitting, sub-setting and
/// standardizing return new datasets, so every rank can share one reading without surprises.
public struct Dataset: Sendable {
    /// Path of the file the rows were read from (for IDX, the images file).
    public let source: String
    /// One name per feature column, in column order.
    public let featureNames: [String]
    /// Name of the label column (`label` for LIBSVM and IDX unless the caller named it).
    public let labelName: String
    /// Feature values, row-major: `features[row * featureCount + column]`; rowCount × featureCount.
    public let features: [Float]
    /// One label per row: the value itself, or an index into ``classNames``.
    public let labels: [Float]
    /// The sorted class names when the label column held text; `labels` are then indices into it.
    public let classNames: [String]?
    /// SHA-256 (lowercase hex) of the source file's bytes; for IDX, of the images file's bytes
    /// followed by the labels file's. Identifies the dataset version the rows came from, so a
    /// subset or split keeps its source's fingerprint.
    public let fingerprint: String

    /// Creates a dataset from rows already in memory (synthetic data, tests, another reader).
    public init(
        source: String, featureNames: [String], labelName: String, features: [Float], labels: [Float],
        classNames: [String]? = nil, fingerprint: String
    ) {
        precondition(
            features.count == labels.count * featureNames.count,
            "features must hold labels.count × featureNames.count values")
        self.source = source
        self.featureNames = featureNames
        self.labelName = labelName
        self.features = features
        self.labels = labels
        self.classNames = classNames
        self.fingerprint = fingerprint
    }

    /// Number of rows.
    public var rowCount: Int { labels.count }

    /// Number of features per row.
    public var featureCount: Int { featureNames.count }

    /// Whether every label is a non-negative whole number, i.e. usable as a class index.
    /// O(rowCount). The bound 2^24 (where Float stops holding every integer) also keeps
    /// `Int(label)` from trapping on huge regression targets.
    public var isIntegerLabeled: Bool {
        labels.allSatisfy { $0 >= 0 && $0 == $0.rounded(.towardZero) && $0 < 16_777_216 }
    }

    /// Number of classes: `classNames.count` for text labels, otherwise the largest label + 1
    /// when ``isIntegerLabeled``, and 0 for regression targets (negative or fractional labels,
    /// such as LIBSVM's `-1`/`+1`, which the caller must map first). O(rowCount).
    public var classCount: Int {
        if let classNames { return classNames.count }
        guard isIntegerLabeled, let largest = labels.max() else { return 0 }
        return Int(largest) + 1
    }

    /// The rows at `indices`, in that order (indices may repeat).
    public func subset(_ indices: [Int]) -> Dataset {
        let width = featureCount
        var rows = [Float](repeating: 0, count: indices.count * width)
        var chosenLabels = [Float](repeating: 0, count: indices.count)
        features.withUnsafeBufferPointer { source in
            rows.withUnsafeMutableBufferPointer { target in
                for (position, row) in indices.enumerated() {
                    precondition(row >= 0 && row < rowCount, "row \(row) is outside 0..<\(rowCount)")
                    chosenLabels[position] = labels[row]
                    guard width > 0 else { continue }
                    let from = source.baseAddress! + row * width
                    (target.baseAddress! + position * width).update(from: from, count: width)
                }
            }
        }
        return Dataset(
            source: source, featureNames: featureNames, labelName: labelName, features: rows,
            labels: chosenLabels, classNames: classNames, fingerprint: fingerprint)
    }

    /// Column names and types, as recorded with a dataset version.
    public var schema: DatasetSchema {
        let labelType: DatasetSchema.ValueType =
            classNames != nil ? .categorical : (isIntegerLabeled ? .integer : .float)
        return DatasetSchema(
            features: featureNames.map { DatasetSchema.Column(name: $0, type: .float) },
            label: DatasetSchema.Column(name: labelName, type: labelType, categories: classNames))
    }
}
