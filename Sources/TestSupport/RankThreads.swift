import Foundation
import RingmasterCore

/// Drives the members of an in-process communicator group, one thread each.
public enum RankThreads {
    /// Runs `body` on every member at once and returns the results by rank; throws the first
    /// member's error, or when members are still running after `timeout` seconds.
    public static func run<C: Sendable, T: Sendable>(
        _ members: [C], timeout: Double = 60, _ body: @escaping @Sendable (C) throws -> T
    ) throws -> [T] {
        let results = ResultsByRank<T>(count: members.count)
        let done = DispatchGroup()
        for (index, member) in members.enumerated() {
            done.enter()
            Thread {
                results.set(index, Result { try body(member) })
                done.leave()
            }.start()
        }
        guard done.wait(timeout: .now() + timeout) == .success else {
            throw CommunicatorError(operation: "test", rank: -1, code: -1, reason: "members still running after \(Int(timeout)) s")
        }
        return try results.values.map { try $0!.get() }
    }
}

/// Results written by member threads. `@unchecked Sendable`: every access holds `lock`.
private final class ResultsByRank<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Result<T, any Error>?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ result: Result<T, any Error>) { lock.withLock { slots[index] = result } }

    var values: [Result<T, any Error>?] { lock.withLock { slots } }
}
