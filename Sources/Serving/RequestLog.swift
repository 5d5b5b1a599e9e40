import Foundation

/// A sampled log of requests and responses, one JSON object per line, for debugging and
/// for building evaluation sets from production traffic.
///
/// Each line: `{"time", "request_id", "protocol", "model", "version", "variant", "status",
/// "latency_ms", "request", "response"}`, plus `"shadow": true` on the line of a shadow
/// variant's answer (same request id as the answer the client got). `request` and `response` are the bodies as
/// sent, embedded as JSON when they are JSON (a malformed request body is kept as a
/// string). Writes are serialized by a lock; only sampled requests pay for one.
public final class RequestLog: Sendable {
    /// Where and how much to log.
    public struct Configuration: Sendable {
        /// The JSON-lines file, appended to (created if missing).
        public var path: String
        /// Fraction of requests logged, in [0, 1]; default 0.01.
        public var sampleRate: Double

        public init(path: String, sampleRate: Double = 0.01) {
            self.path = path
            self.sampleRate = sampleRate
        }
    }

    struct Entry: Encodable {
        var time: String
        var request_id: String
        var `protocol`: String
        var model: String?
        var version: String?
        var variant: String?
        var status: Int
        var latency_ms: Double
        /// True for a shadow variant's answer (never returned to the client).
        var shadow: Bool?
    }

    let sampleRate: Double
    private let file: Locked<FileHandle>

    public init(_ configuration: Configuration) throws {
        guard (0...1).contains(configuration.sampleRate) else {
            throw ServingError(.internalServerError, "request log sample rate \(configuration.sampleRate) is outside 0...1")
        }
        let url = URL(fileURLWithPath: configuration.path)
        if !FileManager.default.fileExists(atPath: url.path) {
            guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                throw ServingError(.internalServerError, "cannot create request log \(url.path)")
            }
        }
        let handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
        file = Locked(handle)
        sampleRate = configuration.sampleRate
    }

    /// Whether to log the next request; decided before the request is answered so unsampled
    /// requests keep nothing.
    func sample() -> Bool { sampleRate >= 1 || (sampleRate > 0 && Double.random(in: 0..<1) < sampleRate) }

    func write(_ entry: Entry, request: Data, response: Data) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard var line = try? encoder.encode(entry), line.last == UInt8(ascii: "}") else { return }
        line.removeLast()
        line.append(contentsOf: #","request":"#.utf8)
        line.append(Self.embedded(request))
        line.append(contentsOf: #","response":"#.utf8)
        line.append(Self.embedded(response))
        line.append(contentsOf: "}\n".utf8)
        file.withLock { $0.write(line) }
    }

    /// `body` itself when it is one JSON document on one line, else a JSON string of it.
    private static func embedded(_ body: Data) -> Data {
        if !body.contains(UInt8(ascii: "\n")), (try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed])) != nil {
            return body
        }
        return (try? JSONEncoder().encode(String(decoding: body, as: UTF8.self))) ?? Data("null".utf8)
    }
}
