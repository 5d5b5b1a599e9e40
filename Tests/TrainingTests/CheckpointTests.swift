import Foundation
import Testing
import TestSupport
import Training

@Suite struct CheckpointTests {
    func sample(epoch: Int) -> Checkpoint {
        Checkpoint(
            header: .init(runID: "abc", configFingerprint: "f", ranks: 2, epoch: epoch, step: 40,
                          generatorStates: [[1, 2, 3, 4], [5, 6, 7, 8]], optimizerStep: 40,
                          bestValidationLoss: 0.25, epochsWithoutImprovement: 1, arrays: []),
            arrays: [("parameters", [1.5, -2, .pi]), ("optimizer.0", [0, 1e-8])])
    }

    @Test func roundTripIsExact() throws {
        let decoded = try Checkpoint.decode(try sample(epoch: 3).encoded(), source: "x")
        #expect(decoded.header.epoch == 3 && decoded.header.generatorStates[1] == [5, 6, 7, 8])
        #expect(decoded.arrays["parameters"] == [1.5, -2, .pi])
        #expect(decoded.arrays["optimizer.0"] == [0, 1e-8])
    }

    @Test func infiniteBestLossRoundTrips() throws {
        var checkpoint = sample(epoch: 2)
        checkpoint.header.bestValidationLoss = .infinity
        #expect(try Checkpoint.decode(try checkpoint.encoded(), source: "x").header.bestValidationLoss == .infinity)
    }

    @Test func truncatedFileIsRefused() throws {
        let bytes = try sample(epoch: 1).encoded()
        #expect(throws: TrainingError.self) { try Checkpoint.decode(bytes.dropLast(3), source: "x") }
        #expect(throws: TrainingError.self) { try Checkpoint.decode(Data("not a checkpoint".utf8), source: "x") }
    }

    @Test func keepsTheNewestThree() throws {
        let directory = try ProcessRunner.temporaryDirectory("checkpoints")
        defer { try? FileManager.default.removeItem(at: directory) }
        for epoch in 1...5 { _ = try sample(epoch: epoch).write(to: directory) }
        #expect(Checkpoint.files(in: directory).map(\.lastPathComponent) == ["epoch-0003.ckpt", "epoch-0004.ckpt", "epoch-0005.ckpt"])
        #expect(try Checkpoint.newest(in: directory)?.header.epoch == 5)
    }
}
