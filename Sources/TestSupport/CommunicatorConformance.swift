import Foundation
import RingmasterCore

/// One conformance suite for every ``Communicator`` implementation (MPI and local).
///
/// Every rank calls ``run(on:chunkLimiter:)`` at once: each MPI process, or one thread per
/// member of a local group. A check runs its collectives, compares this rank's results with
/// values computed independently from the rank numbers (all exact in binary floating point,
/// so comparisons are exact), and only then agrees across ranks: a failure on any rank makes
/// every rank throw the same ``ConformanceFailure`` instead of leaving the others waiting in
/// the next check's collectives.
public enum CommunicatorConformance {
    /// Runs `body` with the implementation's elements-per-call limit lowered to `elements`, so
    /// that the chunked path runs on small buffers; the limit is restored afterwards.
    public typealias ChunkLimiter = (_ elements: Int, _ body: () throws -> Void) throws -> Void

    /// Runs every check on `comm`; returns the names of the checks passed, in order.
    ///
    /// - Parameter chunkLimiter: for an implementation that splits large buffers into several
    ///   library calls; the suite then also runs each collective with a 7-element limit.
    /// - Throws: ``ConformanceFailure`` for the first failed check, on every rank.
    public static func run(on comm: any Communicator, chunkLimiter: ChunkLimiter? = nil) throws -> [String] {
        var checks: [(String, () throws -> Void)] = []
        for op in ReduceOperation.allCases {
            checks.append(("allreduce-\(op)-float", { try checkAllreduce(comm, op: op, as: Float.self, count: 1031) }))
            checks.append(("allreduce-\(op)-double", { try checkAllreduce(comm, op: op, as: Double.self, count: 1031) }))
        }
        checks += [
            ("allreduce-in-place-slice", { try checkInPlaceSlice(comm) }),
            ("allreduce-scalar", { try checkScalar(comm) }),
            ("allreduce-large-buffer", { try checkAllreduce(comm, op: .average, as: Float.self, count: 1 << 20 | 3) }),
            ("broadcast-every-root", { try checkBroadcast(comm, count: 257) }),
            ("broadcast-string", { try checkBroadcastString(comm) }),
            ("barrier-holds-early-ranks", { try checkBarrier(comm) }),
            ("allgather-ints", { try checkAllgatherInts(comm) }),
            ("allgather-strings", { try checkAllgatherStrings(comm) }),
            ("split-even-odd", { try checkSplitEvenOdd(comm) }),
            ("split-halves-reversed", { try checkSplitHalves(comm) }),
            ("agree-one-failing-rank", { try checkAgree(comm) }),
            ("point-to-point-ring", { try checkRing(comm) }),
            ("point-to-point-any-source", { try checkAnySource(comm) }),
            ("shared-segments", { try checkSharedSegments(comm) }),
        ]
        if let chunkLimiter {
            checks.append(("chunked-7-elements", { try chunkLimiter(7) { try checkChunked(comm) } }))
        }
        var passed: [String] = []
        for (name, check) in checks {
            do {
                try comm.agree(Result { try check() })
            } catch let failure as RankFailure {
                throw ConformanceFailure(check: name, rank: failure.rank, detail: failure.message)
            } catch {
                throw ConformanceFailure(check: name, rank: comm.rank, detail: "\(error)")
            }
            passed.append(name)
        }
        return passed
    }

    /// Rank `rank`'s element `index`: small integers and halves of both signs, so sums over
    /// ranks are exact and every rank wins the maximum or the minimum somewhere.
    static func value<T: BinaryFloatingPoint>(rank: Int, index: Int, as _: T.Type) -> T {
        let magnitude = T((rank + 1) * (index % 13 + 1))
        return (index + rank).isMultiple(of: 3) ? -magnitude / 2 : magnitude
    }

    /// The expected result at `index`, combining ranks in rank order.
    static func expected<T: BinaryFloatingPoint>(_ op: ReduceOperation, size: Int, index: Int, as type: T.Type) -> T {
        var result = value(rank: 0, index: index, as: type)
        for rank in 1..<max(size, 1) {
            let next = value(rank: rank, index: index, as: type)
            switch op {
            case .sum, .average: result += next
            case .max: result = max(result, next)
            case .min: result = min(result, next)
            }
        }
        return op == .average ? result / T(size) : result
    }

    static func checkAllreduce<T: ReducibleElement>(
        _ comm: any Communicator, op: ReduceOperation, as type: T.Type, count: Int
    ) throws {
        var expectations = Expectations()
        try allreduce(comm, op: op, as: type, count: count, expecting: &expectations)
        try expectations.verify()
    }

    /// Reduces `count` rank-dependent values and records every element that differs from
    /// ``expected(_:size:index:as:)``.
    static func allreduce<T: ReducibleElement>(
        _ comm: any Communicator, op: ReduceOperation, as type: T.Type, count: Int, expecting expectations: inout Expectations
    ) throws {
        var buffer = (0..<count).map { value(rank: comm.rank, index: $0, as: type) }
        try buffer.withUnsafeMutableBufferPointer { try T.allreduce($0, op: op, on: comm) }
        for index in 0..<count {
            let want = expected(op, size: comm.size, index: index, as: type)
            expectations.expect(buffer[index] == want, "\(T.self) \(op)[\(index)] = \(buffer[index]), expected \(want)")
        }
    }
}

/// The element types ``Communicator/allreduce(_:op:)`` takes, so that checks are written once.
protocol ReducibleElement: BinaryFloatingPoint {
    static func allreduce(_ buffer: UnsafeMutableBufferPointer<Self>, op: ReduceOperation, on comm: any Communicator) throws
}

extension Float: ReducibleElement {
    static func allreduce(_ buffer: UnsafeMutableBufferPointer<Float>, op: ReduceOperation, on comm: any Communicator) throws {
        try comm.allreduce(buffer, op: op)
    }
}

extension Double: ReducibleElement {
    static func allreduce(_ buffer: UnsafeMutableBufferPointer<Double>, op: ReduceOperation, on comm: any Communicator) throws {
        try comm.allreduce(buffer, op: op)
    }
}

/// A check that failed, with the rank that saw it.
public struct ConformanceFailure: Error, CustomStringConvertible, Sendable {
    /// The check's name, as ``CommunicatorConformance/run(on:chunkLimiter:)`` reports passed ones.
    public var check: String
    /// The lowest rank on which it failed.
    public var rank: Int
    /// What went wrong there.
    public var detail: String

    public var description: String { "conformance check \(check) failed on rank \(rank): \(detail)" }
}

/// Collects mismatches so that a check completes all its collectives before failing; throwing
/// at the first one would leave the other ranks waiting in the check's next collective.
struct Expectations {
    private var failures: [String] = []
    private var count = 0

    mutating func expect(_ condition: Bool, _ message: @autoclosure () -> String) {
        guard !condition else { return }
        count += 1
        if failures.count < 5 { failures.append(message()) }
    }

    func verify() throws {
        guard count > 0 else { return }
        throw ExpectationFailure(description: "\(count) mismatch(es): " + failures.joined(separator: "; "))
    }
}

struct ExpectationFailure: Error, CustomStringConvertible {
    var description: String
}
