import Collectives
import Foundation
import RingmasterCore
import Testing
import TestSupport

/// Real multi-process runs of `ringmaster-parallel-checks` under `mpirun`, one at a time since
/// oversubscribed jobs compete for the same cores.
@Suite(.serialized) struct MPICommunicatorTests {
    @Test(arguments: [1, 2, 4])
    func passesConformanceSuiteOnEveryRank(ranks: Int) throws {
        let result = try ProcessRunner.mpirun(ranks: ranks, [try checksExecutable()], timeout: 120)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        // The suite with a chunk limiter, which the MPI run passes, is the whole suite.
        let checks = try CommunicatorConformance.run(on: LocalCommunicator(), chunkLimiter: { try $1() }).count
        for rank in 0..<ranks {
            #expect(result.stdout.contains("rank \(rank)/\(ranks): \(checks) checks passed\n"), "stdout: \(result.stdout)")
        }
    }

    /// Rank 1 fails while the other ranks wait in an allreduce that it will never join: only
    /// an abort of the whole job ends them, within the timeout, with a line naming the rank.
    @Test(arguments: [2, 4])
    func failingRankAbortsTheWholeJob(ranks: Int) throws {
        let result = try ProcessRunner.mpirun(ranks: ranks, [try checksExecutable(), "--fail-on-rank", "1"], timeout: 60)
        #expect(!result.timedOut, "the job hung")
        #expect(result.status != 0)
        #expect(result.stderr.contains("ringmaster: rank 1 (host "), "stderr: \(result.stderr)")
        #expect(result.stderr.contains("injected failure at step 2"), "stderr: \(result.stderr)")
        #expect(!result.stdout.contains("no rank failed"))
    }

    /// MPI return codes become errors carrying MPI's own text, the call and the world rank.
    @Test func errorsCarryMPIText() throws {
        let truncate = "15"  // Open MPI's MPI_ERR_TRUNCATE
        let result = try ProcessRunner.mpirun(ranks: 1, [try checksExecutable(), "--describe-error", truncate], timeout: 60)
        #expect(result.stdout == "MPI_Bcast failed on rank 0: MPI_ERR_TRUNCATE: message truncated\n", "\(result)")
    }

    @Test func benchmarkPrintsOneResultPerSize() throws {
        let result = try ProcessRunner.mpirun(
            ranks: 2, [try checksExecutable(), "--bench-allreduce", "--elements", "16,1000", "--iterations", "3"],
            timeout: 120)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        let results = try lines.map { try JSONDecoder().decode(AllreduceBenchmark.Result.self, from: Data($0.utf8)) }
        #expect(results.map(\.elements) == [16, 1000])
        #expect(results.map(\.bytes) == [64, 4000])
        for measured in results {
            #expect(measured.ranks == 2 && measured.iterations == 3)
            #expect(measured.oursMedianSeconds > 0 && measured.rawMedianSeconds > 0)
            #expect(measured.ratio == measured.oursMedianSeconds / measured.rawMedianSeconds)
        }
    }

    /// `swift test` builds every product, so the checks binary sits beside the test bundle.
    func checksExecutable() throws -> String {
        let path = ProcessRunner.executable("ringmaster-parallel-checks")
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw CommunicatorError(
                operation: "test setup", rank: -1, code: -1,
                reason: "\(path) is missing: build it with `swift build --product ringmaster-parallel-checks`")
        }
        return path
    }
}
