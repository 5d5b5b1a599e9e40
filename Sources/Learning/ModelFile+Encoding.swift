import Crypto
import Foundation
import RingmasterCore

/// The on-disk form:
///
///     ringmaster-model 1\n
///     sha256 <64 hex digits>\n
///     <metadata: one line of JSON, keys sorted>\n
///     <weights: weightCount little-endian Float32>
///
/// The sha256 covers the metadata line (without its newline) followed by the payload, so
/// any edit to either is caught, while `head -3 model.rmm` still shows what the model is.
extension ModelFile {
    private static let magic = "ringmaster-model"

    /// Everything but the weights, as recorded in the metadata line.
    private struct Header: Codable {
        var formatVersion: Int
        var architecture: ModelArchitecture
        var task: ModelTask
        var featureNames: [String]
        var labelName: String
        var classNames: [String]?
        var scaling: FeatureScaling?
        var created: Date
        var weightCount: Int
        var profile: FeatureProfile?
    }

    /// Writes the file atomically (``AtomicFile``): a reader sees the old model or the new
    /// one, never a torn mix.
    public func write(to url: URL) throws {
        try checkConsistency(path: url.path)
        let header = encodedHeader()
        var data = Data()
        data.reserveCapacity(header.count + 4 * weights.count + 128)
        data.append(contentsOf: "\(Self.magic) \(formatVersion)\nsha256 \(Self.digest(header: header, weights: weights))\n".utf8)
        data.append(header)
        data.append(UInt8(ascii: "\n"))
        let littleEndian = weights.map { $0.bitPattern.littleEndian }
        littleEndian.withUnsafeBytes { data.append(contentsOf: $0) }
        try AtomicFile.write(data, to: url)
    }

    /// Reads and verifies a model file: preamble, version, checksum, and consistency of
    /// metadata with weights. Every failure is a ``ModelFileError`` naming the file.
    public static func read(from url: URL) throws -> ModelFile {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw ModelFileError(code: .unreadable, path: url.path, detail: error.localizedDescription)
        }
        return try decode(data, source: url.path)
    }

    /// Decodes and verifies model file bytes held in memory (e.g. an artifact from the
    /// store); `source` names them in errors.
    public static func decode(_ data: Data, source path: String) throws -> ModelFile {
        func fail(_ code: ModelFileError.Code, _ detail: String) -> ModelFileError {
            ModelFileError(code: code, path: path, detail: detail)
        }
        // Find the three line ends of the text part; the payload follows the third.
        var lineEnds: [Int] = []
        var index = data.startIndex
        while lineEnds.count < 3, let newline = data[index...].firstIndex(of: UInt8(ascii: "\n")) {
            lineEnds.append(newline)
            index = newline + 1
        }
        let first = lineEnds.first.map { String(decoding: data[data.startIndex..<$0], as: UTF8.self) } ?? ""
        let preamble = first.split(separator: " ")
        guard preamble.count == 2, preamble[0] == magic else {
            throw fail(.notAModelFile, "does not start with '\(magic) <version>'; is this a model file?")
        }
        guard let version = Int(preamble[1]), version >= 1 else { throw fail(.malformed, "bad format version '\(preamble[1])'") }
        guard version <= currentFormatVersion else {
            throw fail(.unsupportedVersion, "format \(version) is newer than this ringmaster reads (\(currentFormatVersion)); upgrade ringmaster")
        }
        guard lineEnds.count == 3 else { throw fail(.malformed, "truncated before the weights") }
        let checksumLine = String(decoding: data[(lineEnds[0] + 1)..<lineEnds[1]], as: UTF8.self)
        guard checksumLine.hasPrefix("sha256 ") else { throw fail(.malformed, "missing sha256 line") }
        let recorded = String(checksumLine.dropFirst("sha256 ".count))
        let headerBytes = data[(lineEnds[1] + 1)..<lineEnds[2]]
        let payload = data[(lineEnds[2] + 1)...]

        let actual = digest(header: headerBytes, payload: payload)
        guard actual == recorded else {
            throw fail(.checksumMismatch, "recorded sha256 \(recorded), contents hash to \(actual); the file was modified or corrupted")
        }
        let header: Header
        do {
            header = try decoder.decode(Header.self, from: headerBytes)
        } catch {
            throw fail(.malformed, "metadata does not decode: \(error)")
        }
        guard payload.count == 4 * header.weightCount else {
            throw fail(.malformed, "\(payload.count) payload bytes for \(header.weightCount) weights")
        }
        var bits = [UInt32](repeating: 0, count: header.weightCount)
        _ = bits.withUnsafeMutableBytes { payload.copyBytes(to: $0) }
        var model = ModelFile(
            architecture: header.architecture, task: header.task, featureNames: header.featureNames,
            labelName: header.labelName, classNames: header.classNames, scaling: header.scaling,
            weights: bits.map { Float(bitPattern: UInt32(littleEndian: $0)) }, created: header.created,
            profile: header.profile)
        model.formatVersion = header.formatVersion
        try model.checkConsistency(path: path)
        return model
    }

    /// The metadata line in canonical form (sorted keys, whole-second ISO 8601 dates), so
    /// the same model always hashes the same.
    func encodedHeader() -> Data {
        let header = Header(
            formatVersion: formatVersion, architecture: architecture, task: task, featureNames: featureNames,
            labelName: labelName, classNames: classNames, scaling: scaling, created: created,
            weightCount: weights.count, profile: profile)
        do {
            return try Self.encoder.encode(header)
        } catch {
            // Only non-finite floats make JSONEncoder throw, and the encoder maps those to strings.
            preconditionFailure("model metadata failed to encode: \(error)")
        }
    }

    static func digest(header: Data, weights: [Float]) -> String {
        let littleEndian = weights.map { $0.bitPattern.littleEndian }
        return littleEndian.withUnsafeBytes { digest(header: header, payload: $0) }
    }

    private static func digest(header: some DataProtocol, payload: some DataProtocol) -> String {
        var hasher = SHA256()
        hasher.update(data: header)
        hasher.update(data: payload)
        return hasher.finalize().hexString
    }

    private static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    private static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }
}
