import Foundation

/// The end of a child program's output (its standard error, usually), kept as it streams in,
/// to say why the program failed. `@unchecked Sendable`: `data` is guarded by `lock`, so the
/// pipe's reading thread can append while another thread asks for ``lastLine``.
public final class OutputTail: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    private let limit: Int

    /// Keeps the last `limit` bytes.
    public init(limit: Int = 8192) {
        self.limit = limit
    }

    public func append(_ chunk: Data) {
        lock.withLock {
            data.append(chunk)
            if data.count > limit { data = data.suffix(limit) }
        }
    }

    /// The last line with a letter in it, trimmed (mpirun frames its messages with lines of dashes).
    public var lastLine: String? {
        lock.withLock {
            String(decoding: data, as: UTF8.self).split(separator: "\n")
                .last { $0.contains(where: \.isLetter) }.map { $0.trimmingCharacters(in: .whitespaces) }
        }
    }
}
