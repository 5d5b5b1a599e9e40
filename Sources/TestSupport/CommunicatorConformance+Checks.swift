import Foundation
import RingmasterCore

// The checks other than plain reductions. Each performs all of its collectives before it
// verifies anything (see `Expectations`), and each expected value is computed from rank
// numbers alone, not from another collective.
extension CommunicatorConformance {
    /// Reducing a slice of a larger array changes that slice, in place, and nothing around it.
    static func checkInPlaceSlice(_ comm: any Communicator) throws {
        let guardValue = -7.0, slice = 16..<48
        var storage = [Double](repeating: guardValue, count: 64)
        for index in slice { storage[index] = Double(comm.rank + index) }
        try storage.withUnsafeMutableBufferPointer { all in
            try comm.allreduce(UnsafeMutableBufferPointer(rebasing: all[slice]), op: .sum)
        }
        var expectations = Expectations()
        let rankSum = Double(comm.size * (comm.size - 1) / 2)
        for (index, got) in storage.enumerated() {
            let want = slice.contains(index) ? Double(comm.size * index) + rankSum : guardValue
            expectations.expect(got == want, "element \(index) = \(got), expected \(want)")
        }
        try expectations.verify()
    }

    /// The scalar and array conveniences reach the same reductions.
    static func checkScalar(_ comm: any Communicator) throws {
        let sum = try comm.allreduce(Double(comm.rank + 1), op: .sum)
        let highest = try comm.allreduce(Double(comm.rank), op: .max)
        var lowest: [Float] = [Float(comm.rank) + 0.5, -Float(comm.rank)]
        try comm.allreduce(&lowest, op: .min)
        var expectations = Expectations()
        expectations.expect(sum == Double(comm.size * (comm.size + 1) / 2), "sum of rank + 1 = \(sum)")
        expectations.expect(highest == Double(comm.size - 1), "max of rank = \(highest)")
        expectations.expect(lowest == [0.5, -Float(comm.size - 1)], "min = \(lowest)")
        try expectations.verify()
    }

    /// Broadcasts from rank 0, rank 1 and the last rank: the root's bytes reach every rank.
    static func checkBroadcast(_ comm: any Communicator, count: Int) throws {
        var expectations = Expectations()
        for root in Set([0, 1 % comm.size, comm.size - 1]).sorted() {
            try broadcast(comm, root: root, count: count, expecting: &expectations)
        }
        try expectations.verify()
    }

    static func broadcast(_ comm: any Communicator, root: Int, count: Int, expecting expectations: inout Expectations) throws {
        let pattern = (0..<count).map { UInt8(truncatingIfNeeded: $0 * 31 + root * 7 + 1) }
        var bytes = comm.rank == root ? pattern : [UInt8](repeating: 0, count: count)
        try bytes.withUnsafeMutableBytes { try comm.broadcast($0, root: root) }
        expectations.expect(bytes == pattern, "broadcast from root \(root): bytes differ from the root's")
    }

    static func checkBroadcastString(_ comm: any Communicator) throws {
        let root = comm.size - 1
        let got = try comm.broadcast(comm.rank == root ? "from rank \(root) ✓" : "not sent", root: root)
        var expectations = Expectations()
        expectations.expect(got == "from rank \(root) ✓", "received \"\(got)\"")
        try expectations.verify()
    }

    /// The last rank arrives 200 ms late; nobody may leave the barrier before it arrives. The
    /// 100 ms margin absorbs how far apart ranks left the previous barrier on a loaded machine.
    static func checkBarrier(_ comm: any Communicator) throws {
        try comm.barrier()
        let clock = ContinuousClock()
        let start = clock.now
        if comm.rank == comm.size - 1 { Thread.sleep(forTimeInterval: 0.2) }
        try comm.barrier()
        let waited = clock.now - start
        var expectations = Expectations()
        expectations.expect(waited >= .milliseconds(100), "left the barrier after \(waited), before the last rank arrived")
        try expectations.verify()
    }

    /// Every rank writes its segment, and after ``SharedSegments/synchronize()`` reads every
    /// rank's; asking again for no more bytes gives the same segments, for more new zeroed ones.
    /// The suite runs on one node, so segments must exist unless turned off or alone.
    static func checkSharedSegments(_ comm: any Communicator) throws {
        var expectations = Expectations()
        let requested = 4099
        let shared = try comm.sharedSegments(bytesPerRank: requested)
        let disabled = ProcessInfo.processInfo.environment["RINGMASTER_SHARED_MEMORY"] == "off"
        guard let shared else {
            expectations.expect(comm.size == 1 || disabled, "no shared segments for \(comm.size) ranks on one node")
            return try expectations.verify()
        }
        expectations.expect(comm.size > 1 && !disabled, "shared segments for a single rank or while turned off")
        expectations.expect(shared.segments.count == comm.size, "\(shared.segments.count) segments for \(comm.size) ranks")
        expectations.expect(shared.bytesPerRank >= requested, "\(shared.bytesPerRank) bytes per rank, asked for \(requested)")
        expectations.expect(shared.segments.allSatisfy { Int(bitPattern: $0) % 64 == 0 }, "a segment is not 64-byte aligned")
        let words = requested / 8
        let mine = shared.segments[comm.rank].assumingMemoryBound(to: Int64.self)
        for i in 0..<words { mine[i] = Int64(comm.rank * 1_000_000 + i) }
        try shared.synchronize()
        for peer in 0..<comm.size {
            let theirs = shared.segments[peer].assumingMemoryBound(to: Int64.self)
            let wrong = (0..<words).first { theirs[$0] != Int64(peer * 1_000_000 + $0) }
            expectations.expect(wrong == nil, "rank \(peer)'s word \(wrong ?? 0) reads \(wrong.map { theirs[$0] } ?? 0)")
        }
        try shared.synchronize()
        let again = try comm.sharedSegments(bytesPerRank: 100)
        expectations.expect(again.map { $0.segments == shared.segments } == true, "a smaller request moved the segments")
        let larger = shared.bytesPerRank * 2
        if let grown = try comm.sharedSegments(bytesPerRank: larger) {
            expectations.expect(grown.bytesPerRank >= larger, "grown to \(grown.bytesPerRank) bytes, asked for \(larger)")
            let bytes = UnsafeRawBufferPointer(start: grown.segments[comm.rank], count: larger)
            expectations.expect(bytes.allSatisfy { $0 == 0 }, "a new segment does not start zeroed")
        } else {
            expectations.expect(false, "a larger request returned no segments")
        }
        try expectations.verify()
    }

    static func checkAllgatherInts(_ comm: any Communicator) throws {
        let got = try comm.allgather(Int64(comm.rank * comm.rank - 5))
        var expectations = Expectations()
        expectations.expect(got == (0..<comm.size).map { Int64($0 * $0 - 5) }, "gathered \(got)")
        try expectations.verify()
    }

    /// Strings of different lengths, one empty, with multi-byte characters.
    static func checkAllgatherStrings(_ comm: any Communicator) throws {
        var expectations = Expectations()
        try allgatherStrings(comm, expecting: &expectations)
        try expectations.verify()
    }

    static func allgatherStrings(_ comm: any Communicator, expecting expectations: inout Expectations) throws {
        func text(_ rank: Int) -> String { rank == 0 ? "" : "rank \(rank) " + String(repeating: "é", count: rank * 3) }
        let got = try comm.allgather(text(comm.rank))
        expectations.expect(got == (0..<comm.size).map(text), "gathered \(got)")
    }

    /// Even and odd ranks form two groups ordered by rank, and collectives stay inside each.
    static func checkSplitEvenOdd(_ comm: any Communicator) throws {
        let sub = try comm.split(color: comm.rank % 2, key: comm.rank)
        let members = (0..<comm.size).filter { $0 % 2 == comm.rank % 2 }
        let total = try sub.allreduce(Double(comm.rank), op: .sum)
        let gathered = try sub.allgather(Int64(comm.rank))
        try sub.barrier()
        var expectations = Expectations()
        expectations.expect(sub.size == members.count, "size \(sub.size), expected \(members.count)")
        expectations.expect(sub.rank == members.firstIndex(of: comm.rank), "rank \(sub.rank) in \(members)")
        expectations.expect(total == Double(members.reduce(0, +)), "sum of world ranks \(total) in \(members)")
        expectations.expect(gathered == members.map(Int64.init), "gathered \(gathered), expected \(members)")
        try expectations.verify()
    }

    /// Lower and upper halves, each ordered by descending world rank through the key.
    static func checkSplitHalves(_ comm: any Communicator) throws {
        let half = (comm.size + 1) / 2
        func color(_ rank: Int) -> Int { rank < half ? 0 : 1 }
        let sub = try comm.split(color: color(comm.rank), key: comm.size - comm.rank)
        let members = Array((0..<comm.size).filter { color($0) == color(comm.rank) }.reversed())
        let fromRoot = try sub.broadcast("world rank \(comm.rank)", root: 0)
        var highest = [Float](repeating: Float(comm.rank), count: 5)
        try sub.allreduce(&highest, op: .max)
        var expectations = Expectations()
        expectations.expect(sub.rank == members.firstIndex(of: comm.rank), "rank \(sub.rank) in \(members)")
        expectations.expect(fromRoot == "world rank \(members[0])", "root sent \"\(fromRoot)\" in \(members)")
        expectations.expect(highest.allSatisfy { $0 == Float(members[0]) }, "max \(highest) in \(members)")
        try expectations.verify()
    }

    /// The last rank fails a step; every rank learns which rank failed and why.
    static func checkAgree(_ comm: any Communicator) throws {
        struct InjectedFailure: Error, CustomStringConvertible {
            var rank: Int
            var description: String { "injected failure on rank \(rank)" }
        }
        let failing = comm.size - 1
        var expectations = Expectations()
        do {
            try comm.agree(comm.rank == failing ? .failure(InjectedFailure(rank: comm.rank)) : .success(()))
            expectations.expect(false, "agree returned although rank \(failing) failed")
        } catch let failure as RankFailure {
            expectations.expect(failure.rank == failing, "blamed rank \(failure.rank), expected \(failing)")
            expectations.expect(failure.message == "injected failure on rank \(failing)", "message \"\(failure.message)\"")
            expectations.expect(failure.isLocal == (comm.rank == failing), "isLocal = \(failure.isLocal)")
        } catch let injected as InjectedFailure {
            // A single rank has nobody to tell and rethrows its own error.
            expectations.expect(comm.size == 1 && injected.rank == comm.rank, "rethrew \(injected) among \(comm.size)")
        }
        try comm.agree(.success(()))
        try expectations.verify()
    }

    /// Run with a 7-element limit: buffers of several chunks plus a remainder.
    static func checkChunked(_ comm: any Communicator) throws {
        var expectations = Expectations()
        try allreduce(comm, op: .sum, as: Float.self, count: 100, expecting: &expectations)
        try allreduce(comm, op: .average, as: Double.self, count: 23, expecting: &expectations)
        try allreduce(comm, op: .min, as: Float.self, count: 7, expecting: &expectations)
        try broadcast(comm, root: comm.size - 1, count: 100, expecting: &expectations)
        try allgatherStrings(comm, expecting: &expectations)
        try expectations.verify()
    }
}
