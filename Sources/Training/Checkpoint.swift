import Foundation
import RingmasterCore

/// The complete state needed to continue a run bit for bit: parameters, optimizer
/// buffers, every rank's generator state, the position in the schedule and the
/// early-stopping bookkeeping.
///
/// File layout: the 8-byte magic `RMCKPT01`, a little-endian UInt64 header length,
/// the JSON header, then each float array in header order as little-endian Float32.
public struct Checkpoint: Sendable {
    public struct Header: Codable, Sendable {
        public var runID: String
        public var configFingerprint: String
        public var ranks: Int
        /// Epochs completed; training continues with this epoch index.
        public var epoch: Int
        /// Optimizer steps taken so far (drives warmup and the schedule).
        public var step: Int
        /// Generator state of each rank, indexed by rank.
        public var generatorStates: [[UInt64]]
        public var optimizerStep: Int
        public var bestValidationLoss: Double
        public var epochsWithoutImprovement: Int
        /// Names and element counts of the float arrays that follow the header.
        public var arrays: [ArrayEntry]

        public init(
            runID: String, configFingerprint: String, ranks: Int, epoch: Int, step: Int,
            generatorStates: [[UInt64]], optimizerStep: Int, bestValidationLoss: Double,
            epochsWithoutImprovement: Int, arrays: [ArrayEntry] = []
        ) {
            self.runID = runID
            self.configFingerprint = configFingerprint
            self.ranks = ranks
            self.epoch = epoch
            self.step = step
            self.generatorStates = generatorStates
            self.optimizerStep = optimizerStep
            self.bestValidationLoss = bestValidationLoss
            self.epochsWithoutImprovement = epochsWithoutImprovement
            self.arrays = arrays
        }
    }

    public struct ArrayEntry: Codable, Sendable {
        public var name: String
        public var count: Int
    }

    public var header: Header
    public var arrays: [String: [Float]]

    public init(header: Header, arrays: [(String, [Float])]) {
        var header = header
        header.arrays = arrays.map { ArrayEntry(name: $0.0, count: $0.1.count) }
        self.header = header
        self.arrays = Dictionary(uniqueKeysWithValues: arrays)
    }

    static let magic = Data("RMCKPT01".utf8)

    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        // The best validation loss is infinite until a finite one is seen (no validation split).
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let json = try encoder.encode(header)
        var data = Self.magic
        var length = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &length) { data.append(contentsOf: $0) }
        data.append(json)
        for entry in header.arrays {
            arrays[entry.name]!.withUnsafeBufferPointer { data.append(UnsafeBufferPointer(start: UnsafeRawPointer($0.baseAddress)?.assumingMemoryBound(to: UInt8.self), count: $0.count * 4)) }
        }
        return data
    }

    public static func decode(_ data: Data, source: String) throws -> Checkpoint {
        func corrupt(_ why: String) -> TrainingError { .corruptCheckpoint(path: source, reason: why) }
        guard data.count >= 16, data.prefix(8) == magic else { throw corrupt("not a Ringmaster checkpoint") }
        let length = data.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self)) }
        guard length <= data.count - 16 else { throw corrupt("truncated header") }
        let headerEnd = 16 + Int(length)
        let header: Header
        do {
            let decoder = JSONDecoder()
            decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
            header = try decoder.decode(Header.self, from: data.subdata(in: 16..<headerEnd))
        } catch {
            throw corrupt("unreadable header: \(error)")
        }
        var arrays: [String: [Float]] = [:]
        var offset = headerEnd
        for entry in header.arrays {
            let bytes = entry.count * 4
            guard offset + bytes <= data.count else { throw corrupt("truncated array '\(entry.name)'") }
            var values = [Float](repeating: 0, count: entry.count)
            values.withUnsafeMutableBytes { target in
                data.copyBytes(to: target.bindMemory(to: UInt8.self), from: offset..<(offset + bytes))
            }
            arrays[entry.name] = values
            offset += bytes
        }
        guard offset == data.count else { throw corrupt("trailing bytes") }
        var checkpoint = Checkpoint(header: header, arrays: [])
        checkpoint.header = header
        checkpoint.arrays = arrays
        return checkpoint
    }

    /// Writes the checkpoint atomically as `epoch-NNNN.ckpt` in `directory` and keeps the newest `keep`.
    public func write(to directory: URL, keep: Int = 3) throws -> URL {
        let url = directory.appendingPathComponent(String(format: "epoch-%04d.ckpt", header.epoch))
        try AtomicFile.write(try encoded(), to: url)
        let old = Self.files(in: directory).dropLast(keep)
        for file in old { try? FileManager.default.removeItem(at: file) }
        return url
    }

    /// Checkpoint files in `directory`, oldest first.
    public static func files(in directory: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasPrefix("epoch-") && $0.hasSuffix(".ckpt") }.sorted()
            .map { directory.appendingPathComponent($0) }
    }

    /// The newest checkpoint in `directory`, if any.
    public static func newest(in directory: URL) throws -> Checkpoint? {
        guard let url = files(in: directory).last else { return nil }
        return try decode(try Data(contentsOf: url), source: url.path)
    }
}
