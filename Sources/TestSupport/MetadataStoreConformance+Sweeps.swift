import Foundation
import RingmasterCore

extension MetadataStoreConformance {
    static func sweepsRoundTrip(_ store: any MetadataStore) throws {
        let sweep = try store.createSweep(
            name: "digits-sweep", experiment: "digits", spec: "space: {}\n", objective: "validation_accuracy",
            direction: .maximize)
        try expect(sweep.id.count == 32 && sweep.status == .running, "new sweep \(sweep)")
        let params: ParameterAssignment = [
            "optimizer.learning_rate": .real(0.003), "model.hidden": .text("[64, 32]"), "training.batch_size": .integer(32),
            "optimizer.nesterov": .flag(true),
        ]
        let started = Date(timeIntervalSince1970: 1_700_000_000.25)
        try store.recordTrial(TrialRecord(sweepID: sweep.id, number: 0, params: params, state: .running, started: started))
        try store.recordIntermediate(sweep: sweep.id, trial: 0, resource: 1, value: 0.5)
        try store.recordIntermediate(sweep: sweep.id, trial: 0, resource: 2, value: 0.75)
        try store.recordIntermediate(sweep: sweep.id, trial: 0, resource: 2, value: 0.8)
        var trials = try store.trials(sweep: String(sweep.id.prefix(8)))
        try expect(trials.count == 1 && trials[0].params == params, "params \(trials)")
        try expect(trials[0].intermediate == [1: 0.5, 2: 0.8], "intermediate \(trials[0].intermediate)")

        let finished = TrialRecord(
            sweepID: sweep.id, number: 0, params: params, state: .completed, value: 0.8, intermediate: [1: 0.5, 2: 0.8],
            runID: "ab" + String(repeating: "0", count: 30), started: started, ended: started.addingTimeInterval(3))
        try store.recordTrial(finished)
        try store.recordTrial(TrialRecord(
            sweepID: sweep.id, number: 1, params: [:], state: .failed, error: "loss became nan", started: started))
        trials = try store.trials(sweep: sweep.id)
        try expect(trials.map(\.number) == [0, 1], "numbers \(trials.map(\.number))")
        try expect(trials[0] == finished, "finished trial \(trials[0])")
        try expect(trials[1].state == .failed && trials[1].error == "loss became nan", "failed trial \(trials[1])")

        try store.setSweepStatus(sweep.id, .finished)
        let read = try store.sweep(String(sweep.id.prefix(6)))
        try expect(read.status == .finished && read.ended != nil && read.spec == sweep.spec, "sweep \(read)")
        try expect(read.direction == .maximize && read.objective == "validation_accuracy", "objective \(read)")
        try store.setSweepStatus(sweep.id, .running)
        try expect(try store.sweep(sweep.id).ended == nil, "reopening keeps an end time")
        let other = try store.createSweep(name: "b", experiment: "e", spec: "", objective: "loss", direction: .minimize)
        try expect(try store.sweeps().map(\.id) == [other.id, sweep.id], "sweeps newest first")
        do {
            _ = try store.sweep("ffffffffffff")
            throw ConformanceFailure(message: "an unknown sweep resolved")
        } catch StoreError.unknownSweep {}
    }
}
