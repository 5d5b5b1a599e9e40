import Foundation

extension Communicator {
    /// Whether this is rank 0, the rank that writes to the store and the terminal.
    public var isRoot: Bool { rank == 0 }

    /// Combines an array across ranks in place.
    public func allreduce(_ values: inout [Float], op: ReduceOperation) throws {
        try values.withUnsafeMutableBufferPointer { try allreduce($0, op: op) }
    }

    /// Combines an array across ranks in place.
    public func allreduce(_ values: inout [Double], op: ReduceOperation) throws {
        try values.withUnsafeMutableBufferPointer { try allreduce($0, op: op) }
    }

    /// Combines one value across ranks.
    public func allreduce(_ value: Double, op: ReduceOperation) throws -> Double {
        var values = [value]
        try allreduce(&values, op: op)
        return values[0]
    }

    /// Copies `root`'s array into `values` on every rank; the arrays must have equal counts.
    public func broadcast(_ values: inout [Float], root: Int) throws {
        try values.withUnsafeMutableBytes { try broadcast($0, root: root) }
    }

    /// Sends `root`'s bytes to every rank; other ranks' `data` arguments are ignored.
    public func broadcast(_ data: Data, root: Int) throws -> Data {
        var count = [Double(data.count)]
        try count.withUnsafeMutableBytes { try broadcast($0, root: root) }
        var bytes = rank == root ? [UInt8](data) : [UInt8](repeating: 0, count: Int(count[0]))
        if !bytes.isEmpty {
            try bytes.withUnsafeMutableBytes { try broadcast($0, root: root) }
        }
        return Data(bytes)
    }

    /// Sends `root`'s string to every rank.
    public func broadcast(_ string: String, root: Int) throws -> String {
        String(decoding: try broadcast(Data(string.utf8), root: root), as: UTF8.self)
    }

    /// Gathers one integer from every rank, indexed by rank.
    public func allgather(_ value: Int64) throws -> [Int64] {
        var send = value
        var receive = [Int64](repeating: 0, count: size)
        try withUnsafeBytes(of: &send) { sendBytes in
            try receive.withUnsafeMutableBytes { try allgather(sendBytes, into: $0) }
        }
        return receive
    }

    /// Gathers one string from every rank, indexed by rank.
    public func allgather(_ string: String) throws -> [String] {
        let bytes = [UInt8](string.utf8)
        let counts = try allgather(Int64(bytes.count))
        let width = Int(counts.max() ?? 0)
        if width == 0 { return Array(repeating: "", count: size) }
        var padded = bytes + [UInt8](repeating: 0, count: width - bytes.count)
        var receive = [UInt8](repeating: 0, count: width * size)
        try padded.withUnsafeMutableBytes { sendBytes in
            try receive.withUnsafeMutableBytes { try allgather(UnsafeRawBufferPointer(sendBytes), into: $0) }
        }
        return (0..<size).map { r in
            String(decoding: receive[(r * width)..<(r * width + Int(counts[r]))], as: UTF8.self)
        }
    }

    /// Agrees across ranks on whether a step succeeded everywhere.
    ///
    /// Every rank passes its own outcome; if any rank failed, every rank throws a
    /// ``RankFailure`` naming the lowest failing rank and its message, so all ranks
    /// stop together instead of some waiting in the next collective.
    public func agree(_ outcome: Result<Void, any Error>) throws {
        let message: String
        switch outcome {
        case .success: message = ""
        case .failure(let error): message = "\(error)"
        }
        if size == 1 {
            if case .failure(let error) = outcome { throw error }
            return
        }
        let messages = try allgather(message)
        if let failed = messages.firstIndex(where: { !$0.isEmpty }) {
            throw RankFailure(rank: failed, message: messages[failed], isLocal: failed == rank)
        }
    }

    /// Runs `body` on every rank and agrees on its outcome (see ``agree(_:)``).
    public func agreeing<T>(_ body: () throws -> T) throws -> T {
        var value: T?
        try agree(Result { value = try body() })
        return value!
    }
}

/// A failure that one rank reported to all ranks through ``Communicator/agree(_:)``.
public struct RankFailure: Error, CustomStringConvertible, Sendable {
    /// The lowest rank that failed.
    public var rank: Int
    /// That rank's error message.
    public var message: String
    /// Whether the failure happened on the rank holding this value.
    public var isLocal: Bool

    public var description: String { message }
}

extension Communicator {
    /// Sends `data` to `destination` with `tag`.
    public func send(_ data: Data, to destination: Int, tag: Int) throws {
        try data.withUnsafeBytes { try send($0, to: destination, tag: tag) }
    }

    /// Waits for the next message with `tag` (from `source`, or any rank) and returns it with its source.
    public func receiveMessage(from source: Int? = nil, tag: Int) throws -> (data: Data, source: Int) {
        let (from, count) = try probe(from: source, tag: tag, wait: true)!
        return (try receiveBytes(count, from: from, tag: tag), from)
    }

    /// The next message with `tag` if one is waiting, without blocking.
    public func pollMessage(from source: Int? = nil, tag: Int) throws -> (data: Data, source: Int)? {
        guard let (from, count) = try probe(from: source, tag: tag, wait: false) else { return nil }
        return (try receiveBytes(count, from: from, tag: tag), from)
    }

    private func receiveBytes(_ count: Int, from source: Int, tag: Int) throws -> Data {
        var bytes = [UInt8](repeating: 0, count: count)
        try bytes.withUnsafeMutableBytes { try receive(into: $0, from: source, tag: tag) }
        return Data(bytes)
    }
}
