import Crypto
import Foundation

/// The file formats ``DatasetReader`` understands.
public enum DatasetFormat: String, Sendable, Codable, CaseIterable {
    /// Comma-separated values with a header row (RFC 4180).
    case csv
    /// LIBSVM/SVMlight sparse text: `label index:value …`.
    case libsvm
    /// MNIST's IDX binary format: an images file plus a labels file.
    case idx

    /// The format a file name implies: `.csv`; `.libsvm`, `.svm`, `.txt`; `.idx` or an
    /// MNIST-style name such as `train-images-idx3-ubyte`. Nil when the name says nothing.
    public static func detect(path: String) -> DatasetFormat? {
        let name = URL(fileURLWithPath: path).lastPathComponent.lowercased()
        let ext = URL(fileURLWithPath: name).pathExtension
        switch ext {
        case "csv": return .csv
        case "libsvm", "svm", "txt": return .libsvm
        case "idx": return .idx
        default: return name.range(of: "idx[0-9]", options: .regularExpression) != nil ? .idx : nil
        }
    }
}

/// Reads a dataset file into memory, whole, and fingerprints it.
///
/// Safe to call from any thread or rank; every rank reads the file itself (the files are
/// small next to the time spent training on them, and a broadcast would need a communicator).
public enum DatasetReader {
    /// Reads the dataset at `path`.
    ///
    /// - Parameters:
    ///   - format: the file's format; detected from the name (``DatasetFormat/detect(path:)``) when nil.
    ///   - label: CSV: the label column's name (default `label`, else `target`). LIBSVM and
    ///     IDX have no header, so it only names the label (default `label`).
    ///   - labelsPath: IDX only: the labels file; default derived from the images file's
    ///     name (`train-images-idx3-ubyte` → `train-labels-idx1-ubyte`).
    ///   - featureCount: the number of features the caller expects (a model's input width).
    ///     LIBSVM rows are widened to it, as a file may not mention the last features;
    ///     any other mismatch is an error.
    /// - Throws: ``DatasetError`` naming the file (and line and column where there is one).
    public static func read(
        path: String, format: DatasetFormat? = nil, label: String? = nil, labelsPath: String? = nil,
        featureCount: Int? = nil
    ) throws -> Dataset {
        try read(path: path, format: format, label: label, labelRequired: true, labelsPath: labelsPath,
                 featureCount: featureCount)
    }

    /// Reads inputs for prediction: like ``read(path:format:label:labelsPath:featureCount:)``,
    /// but a CSV file without the `label` column is accepted and read as unlabelled.
    public static func readFeatures(path: String, label: String?, featureCount: Int? = nil) throws -> Dataset {
        try read(path: path, format: nil, label: label, labelRequired: false, labelsPath: nil, featureCount: featureCount)
    }

    private static func read(
        path: String, format: DatasetFormat?, label: String?, labelRequired: Bool, labelsPath: String?,
        featureCount: Int?
    ) throws -> Dataset {
        guard let format = format ?? DatasetFormat.detect(path: path) else {
            throw DatasetError(
                .unknownFormat, path: path,
                message: "cannot tell the format from the name; name it .csv, .libsvm or .idx, or pass the format")
        }
        if labelsPath != nil, format != .idx {
            throw DatasetError(.invalidArgument, path: path, message: "a labels file applies only to IDX datasets")
        }
        if let featureCount, featureCount < 1 {
            throw DatasetError(.invalidArgument, path: path, message: "expected feature count must be at least 1")
        }

        let dataset: Dataset
        switch format {
        case .csv:
            let data = try load(path)
            dataset = try data.withUnsafeBytes { raw in
                try CSVParser.read(
                    path: path, bytes: raw.bindMemory(to: UInt8.self), label: label, labelRequired: labelRequired,
                    fingerprint: sha256(data))
            }
        case .libsvm:
            let data = try load(path)
            dataset = try data.withUnsafeBytes { raw in
                try LIBSVMParser.read(
                    path: path, bytes: raw.bindMemory(to: UInt8.self), labelName: label ?? "label",
                    featureCount: featureCount, fingerprint: sha256(data))
            }
        case .idx:
            let images = try load(path)
            guard let labelsPath = labelsPath ?? IDXReader.labelsPath(forImages: path) else {
                throw DatasetError(
                    .invalidArgument, path: path,
                    message: "no labels file: the name has no 'images' to derive it from; pass the labels path")
            }
            let labels = try load(labelsPath)
            dataset = try IDXReader.dataset(
                imagesPath: path, images: images, labelsPath: labelsPath, labels: labels,
                labelName: label ?? "label", fingerprint: sha256(images, labels))
        }

        if let featureCount, dataset.featureCount != featureCount {
            throw DatasetError(
                .featureCountMismatch, path: path,
                message: "has \(dataset.featureCount) features, expected \(featureCount)")
        }
        return dataset
    }

    /// The file's bytes, memory-mapped so a large file is not copied before parsing.
    private static func load(_ path: String) throws -> Data {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DatasetError(.fileNotFound, path: path, message: "no such file")
        }
        guard !isDirectory.boolValue else {
            throw DatasetError(.fileNotFound, path: path, message: "is a directory, not a dataset file")
        }
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw DatasetError(.unreadable, path: path, message: "cannot be read: \(error.localizedDescription)")
        }
    }

    /// Lowercase hex SHA-256 of the files' bytes, one after the other.
    private static func sha256(_ files: Data...) -> String {
        var hasher = SHA256()
        for file in files { hasher.update(data: file) }
        return hasher.finalize().map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
