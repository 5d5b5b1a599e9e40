import Foundation
import RingmasterCore

// Point-to-point checks: messages arrive whole, from the right source, in send order per
// (source, tag), and a poll with nothing waiting returns at once.
extension CommunicatorConformance {
    /// Every rank sends two messages to the next rank; each receives both from the previous one,
    /// in order. Messages stay under MPI's eager limits: a blocking send of a larger one may
    /// wait for its receive, and here every rank sends before it receives. One rank alone
    /// would send to itself from one thread, which MPI does not promise to complete.
    static func checkRing(_ comm: any Communicator) throws {
        guard comm.size > 1 else { return }
        let next = (comm.rank + 1) % comm.size, previous = (comm.rank + comm.size - 1) % comm.size
        var expectations = Expectations()
        // Tag 13 is never sent to: polling it must return nothing, at once.
        expectations.expect(try comm.pollMessage(tag: 13) == nil, "a poll found a message nobody sent")
        try comm.send(Data("first from \(comm.rank)".utf8), to: next, tag: 11)
        try comm.send(Data(repeating: UInt8(comm.rank), count: 1000 + comm.rank), to: next, tag: 11)
        let first = try comm.receiveMessage(from: previous, tag: 11)
        let second = try comm.receiveMessage(from: previous, tag: 11)
        expectations.expect(String(decoding: first.data, as: UTF8.self) == "first from \(previous)", "first message out of order")
        expectations.expect(first.source == previous && second.source == previous, "wrong source")
        expectations.expect(second.data == Data(repeating: UInt8(previous), count: 1000 + previous), "second message corrupted")
        try comm.barrier()
        try expectations.verify()
    }

    /// Rank 0 receives one message from every other rank through any-source receives.
    static func checkAnySource(_ comm: any Communicator) throws {
        var expectations = Expectations()
        if comm.rank == 0 {
            var seen: Set<Int> = []
            for _ in 1..<comm.size {
                let (data, source) = try comm.receiveMessage(tag: 12)
                expectations.expect(data == Data([UInt8(source)]), "payload from \(source)")
                seen.insert(source)
            }
            expectations.expect(seen == Set(1..<comm.size), "sources \(seen.sorted())")
        } else {
            try comm.send(Data([UInt8(comm.rank)]), to: 0, tag: 12)
        }
        try comm.barrier()
        try expectations.verify()
    }
}
