import Collectives
import Foundation
import RingmasterCore
import Testing
import TestSupport

@Suite struct LocalCommunicatorTests {
    @Test(arguments: [1, 2, 3, 4])
    func passesConformanceSuite(size: Int) throws {
        let passed = try onGroup(size: size) { try CommunicatorConformance.run(on: $0) }
        #expect(passed.count == size)
        #expect(Set(passed).count == 1, "every member passes the same checks")
        #expect(passed.first?.contains("split-halves-reversed") == true)
    }

    /// In Float, 1e8 + 1 rounds back to 1e8: summing ranks in rank order gives 0, any other
    /// order 1. Repeated so that every member gets to arrive last at some point.
    @Test func sumsInRankOrderWhateverTheArrivalOrder() throws {
        let results = try onGroup(size: 3) { comm in
            try (0..<50).map { _ in
                var values: [Float] = [[1e8, 1, -1e8][comm.rank]]
                try comm.allreduce(&values, op: .sum)
                return values[0]
            }
        }
        #expect(results.allSatisfy { $0 == Array(repeating: 0, count: 50) })
    }

    @Test func mismatchedCollectivesFailOnEveryMember() throws {
        let errors = try onGroup(size: 2) { comm in
            var values = [Float](repeating: 1, count: comm.rank + 1)
            return #expect(throws: CommunicatorError.self) { try comm.allreduce(&values, op: .sum) }
        }
        for (rank, error) in errors.enumerated() {
            #expect(error?.rank == rank)
            #expect(error?.reason.contains("rank 0: allreduce(Float × 1, sum), rank 1: allreduce(Float × 2, sum)") == true)
        }
    }

    @Test func stalledGroupFailsInsteadOfHanging() throws {
        let members = LocalCommunicator.group(size: 3, stallTimeout: 0.3)
        let errors = try onMembers(Array(members.prefix(2))) { comm in
            #expect(throws: CommunicatorError.self) { try comm.barrier() }
        }
        #expect(errors.allSatisfy { $0?.reason.contains("for rank(s) 2, which never called it") == true })
        // The group is out of step for good: the late member fails at once too.
        #expect(throws: CommunicatorError.self) { try members[2].barrier() }
    }

    @Test func subGroupsRunDifferentCollectivesIndependently() throws {
        let sums = try onGroup(size: 4) { comm in
            let sub = try comm.split(color: comm.rank % 2, key: 0)
            if comm.rank.isMultiple(of: 2) {
                for _ in 0..<3 { try sub.barrier() }
                return -1.0
            }
            return try sub.allreduce(Double(comm.rank), op: .sum)
        }
        #expect(sums == [-1, 4, -1, 4])
    }

    @Test func singleRankReturnsItsOwnValues() throws {
        let comm = LocalCommunicator()
        #expect(comm.rank == 0 && comm.size == 1)
        var values: [Double] = [1.5, -2]
        try comm.allreduce(&values, op: .average)
        #expect(values == [1.5, -2])
        #expect(try comm.allgather("only") == ["only"])
        #expect(throws: CommunicatorError.self) { _ = try comm.broadcast("x", root: 1) }
        #expect(throws: CommunicatorError.self) { _ = try comm.split(color: -1, key: 0) }
    }

    /// Runs `body` on every member of a new group, one thread each, and returns the results
    /// by rank; a member that stalls makes the others fail after `stallTimeout` seconds.
    func onGroup<T: Sendable>(
        size: Int, stallTimeout: Double = 30, _ body: @escaping @Sendable (LocalCommunicator) throws -> T
    ) throws -> [T] {
        try onMembers(LocalCommunicator.group(size: size, stallTimeout: stallTimeout), body)
    }

    func onMembers<T: Sendable>(
        _ members: [LocalCommunicator], _ body: @escaping @Sendable (LocalCommunicator) throws -> T
    ) throws -> [T] {
        try RankThreads.run(members, body)
    }
}
