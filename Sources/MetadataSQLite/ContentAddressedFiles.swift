import Crypto
import Foundation
import RingmasterCore

/// Artifact bytes stored once under their sha256 (`ab/abcdef…`), written atomically and
/// never overwritten, verified on every read.
struct ContentAddressedFiles: Sendable {
    let root: URL

    static func sha256(_ data: Data) -> String {
        SHA256.hash(data: data).hexString
    }

    func url(for sha256: String) -> URL {
        root.appendingPathComponent(String(sha256.prefix(2))).appendingPathComponent(sha256)
    }

    /// Stores `data` and returns its sha256; existing content with the same hash is kept.
    func put(_ data: Data) throws -> String {
        let digest = Self.sha256(data)
        let target = url(for: digest)
        if !FileManager.default.fileExists(atPath: target.path) {
            try AtomicFile.write(data, to: target)
        }
        return digest
    }

    /// Reads content by hash, failing if the bytes no longer match.
    func get(_ sha256: String, name: String) throws -> Data {
        let data = try Data(contentsOf: url(for: sha256))
        let actual = Self.sha256(data)
        guard actual == sha256 else {
            throw StoreError.corruptArtifact(name: name, expected: sha256, actual: actual)
        }
        return data
    }
}
