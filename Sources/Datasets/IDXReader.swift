import Foundation

/// Reads the IDX binary format that MNIST and Fashion-MNIST ship in: an images file of N
/// items (each item's dimensions flattened into one row of features) and a labels file of N
/// values.
///
/// Layout: two zero bytes, a type byte (0x08 ubyte, 0x09 sbyte, 0x0B int16, 0x0C int32,
/// 0x0D float32, 0x0E float64), a dimension count, each dimension as a big-endian UInt32,
/// then the values, big-endian, row-major. Values are kept as they are (MNIST pixels stay
/// 0…255) rather than scaled to [0, 1]: standardization in the trainer, fitted on the
/// training split, already puts every feature on a common scale.
enum IDXReader {
    /// A parsed IDX file: its dimensions and values.
    struct Contents {
        var dimensions: [Int]
        var values: [Float]
    }

    /// `train-images-idx3-ubyte` → `train-labels-idx1-ubyte`, `x-images.idx` → `x-labels.idx`:
    /// the labels file MNIST's naming puts beside an images file, or nil if the name has no `images`.
    static func labelsPath(forImages path: String) -> String? {
        let url = URL(fileURLWithPath: path)
        let name = url.lastPathComponent
        guard name.contains("images") else { return nil }
        let labelsName = name.replacingOccurrences(of: "images", with: "labels")
            .replacingOccurrences(of: "idx3", with: "idx1")
        return url.deletingLastPathComponent().appendingPathComponent(labelsName).path
    }

    /// Builds the dataset from already loaded images and labels files.
    static func dataset(
        imagesPath: String, images: Data, labelsPath: String, labels: Data, labelName: String, fingerprint: String
    ) throws -> Dataset {
        let pixels = try parse(images, path: imagesPath)
        guard pixels.dimensions.count >= 2 else {
            throw DatasetError(
                .invalidHeader, path: imagesPath,
                message: "has 1 dimension, images have at least 2 (items × values); are images and labels swapped?")
        }
        let targets = try parse(labels, path: labelsPath)
        guard targets.dimensions.count == 1 else {
            throw DatasetError(
                .invalidHeader, path: labelsPath,
                message: "a labels file has 1 dimension, this one has \(targets.dimensions.count)")
        }
        let rows = pixels.dimensions[0]
        guard targets.dimensions[0] == rows else {
            throw DatasetError(
                .rowCountMismatch, path: labelsPath,
                message: "holds \(targets.dimensions[0]) labels but \(imagesPath) holds \(rows) items")
        }
        return Dataset(
            source: imagesPath, featureNames: featureNames(itemShape: Array(pixels.dimensions.dropFirst())),
            labelName: labelName, features: pixels.values, labels: targets.values, fingerprint: fingerprint)
    }

    /// `pixel_r_c` for 28×28 items (matching the digits CSV), `pixel_i` or `pixel_i_j_k` for others.
    private static func featureNames(itemShape: [Int]) -> [String] {
        let count = itemShape.reduce(1, *)
        return (0..<count).map { flat in
            var rest = flat
            var parts: [Int] = []
            for size in itemShape.reversed() {
                parts.append(rest % size)
                rest /= size
            }
            return "pixel_" + parts.reversed().map(String.init).joined(separator: "_")
        }
    }

    /// Decodes one IDX file, checking its magic number and that its length matches its header.
    static func parse(_ data: Data, path: String) throws -> Contents {
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Contents in
            let bytes = raw.bindMemory(to: UInt8.self)
            if bytes.count >= 2, bytes[0] == 0x1F, bytes[1] == 0x8B {
                throw DatasetError(.invalidHeader, path: path, message: "is gzip-compressed; run gunzip on it first")
            }
            guard bytes.count >= 4, bytes[0] == 0, bytes[1] == 0, let width = valueWidth(bytes[2]), bytes[3] > 0
            else {
                throw DatasetError(
                    .invalidHeader, path: path,
                    message: "is not an IDX file (bad magic number); expected 00 00, a type byte and a dimension count")
            }
            let headerLength = 4 + 4 * Int(bytes[3])
            guard bytes.count >= headerLength else {
                throw DatasetError(.truncated, path: path, message: "ends inside its header")
            }
            let dimensions = (0..<Int(bytes[3])).map { Int(bigEndian(UInt32.self, bytes, at: 4 + 4 * $0)) }
            // A corrupt header can claim more values than any file holds; without this check
            // the byte count below would overflow and trap.
            let (count, overflow) = dimensions.reduce((1, false)) { product, size in
                let next = product.0.multipliedReportingOverflow(by: size)
                return (next.partialValue, product.1 || next.overflow || next.partialValue > Int.max / 16)
            }
            guard !overflow else {
                throw DatasetError(.invalidHeader, path: path, message: "claims impossible dimensions \(dimensions)")
            }
            let expected = headerLength + count * width
            guard bytes.count == expected else {
                let what = bytes.count < expected ? "truncated" : "longer than its header says"
                throw DatasetError(
                    .truncated, path: path,
                    message: "is \(what): \(bytes.count) bytes for dimensions \(dimensions), expected \(expected)")
            }
            var values = [Float](repeating: 0, count: count)
            // One loop per type, so the type is decided once per file rather than per value.
            func decode(_ value: (Int) -> Float) {
                for i in 0..<count { values[i] = value(headerLength + i * width) }
            }
            switch bytes[2] {
            case 0x08: decode { Float(bytes[$0]) }
            case 0x09: decode { Float(Int8(bitPattern: bytes[$0])) }
            case 0x0B: decode { Float(Int16(bitPattern: bigEndian(UInt16.self, bytes, at: $0))) }
            case 0x0C: decode { Float(Int32(bitPattern: bigEndian(UInt32.self, bytes, at: $0))) }
            case 0x0D: decode { Float(bitPattern: bigEndian(UInt32.self, bytes, at: $0)) }
            default: decode { Float(Double(bitPattern: bigEndian(UInt64.self, bytes, at: $0))) }
            }
            return Contents(dimensions: dimensions, values: values)
        }
    }

    /// Bytes per value for each IDX type code, nil for codes the format does not define.
    private static func valueWidth(_ type: UInt8) -> Int? {
        switch type {
        case 0x08, 0x09: 1
        case 0x0B: 2
        case 0x0C, 0x0D: 4
        case 0x0E: 8
        default: nil
        }
    }

    private static func bigEndian<T: FixedWidthInteger>(
        _: T.Type, _ bytes: UnsafeBufferPointer<UInt8>, at offset: Int
    ) -> T {
        var value: T = 0
        for k in 0..<MemoryLayout<T>.size { value = value << 8 | T(bytes[offset + k]) }
        return value
    }
}
