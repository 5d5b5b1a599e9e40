import Foundation
import RingmasterCore

extension MetadataStoreConformance {
    static func pipelineRunsRoundTrip(_ store: any MetadataStore) throws {
        let first = try store.createPipelineRun(pipeline: "digits-ct", specSHA256: "ab", trigger: "manual")
        let second = try store.createPipelineRun(pipeline: "digits-ct", specSHA256: "cd", trigger: "watch: 2 new files")
        let other = try store.createPipelineRun(pipeline: "other", specSHA256: "ef", trigger: "interval")
        try expect(first.status == .running && first.id.count == 32, "new pipeline run: \(first)")
        let started = Date(timeIntervalSince1970: 1_700_000_000)
        var step = PipelineStepRecord(
            runID: first.id, step: "train", uses: "train", status: .running, cacheKey: "k1",
            inputs: ["config": "examples/digits.yaml", "ranks": "2"], started: started)
        try store.recordPipelineStep(step)
        step.status = .succeeded
        step.outputs = ["run_id": "0123", "validation_accuracy": "0.95"]
        step.ended = started.addingTimeInterval(3)
        try store.recordPipelineStep(step)
        try store.recordPipelineStep(PipelineStepRecord(
            runID: String(first.id.prefix(8)), step: "gate", uses: "gate", status: .failed, cacheKey: "k2", inputs: [:],
            error: "accuracy 0.5 is below min 0.9", started: started.addingTimeInterval(4),
            ended: started.addingTimeInterval(5)))
        let steps = try store.pipelineSteps(run: first.id)
        try expect(steps.map(\.step) == ["train", "gate"], "steps not in start order or not replaced: \(steps.map(\.step))")
        try expect(steps[0] == step, "step not read back as written: \(steps[0]) vs \(step)")
        try expect(steps[1].error == "accuracy 0.5 is below min 0.9" && steps[1].outputs.isEmpty, "failed step: \(steps[1])")

        try store.endPipelineRun(String(first.id.prefix(6)), status: .failed, error: "step gate failed")
        let ended = try store.pipelineRun(first.id)
        try expect(ended.status == .failed && ended.error == "step gate failed" && ended.ended != nil, "end not recorded: \(ended)")
        try expect(try store.pipelineRuns(pipeline: "digits-ct", limit: nil).map(\.id) == [second.id, first.id],
                   "runs of a pipeline not newest first")
        try expect(try store.pipelineRuns(pipeline: nil, limit: 2).map(\.id) == [other.id, second.id], "limit not applied")
        try expect(try store.pipelineRun(second.id).trigger == "watch: 2 new files", "trigger not kept")
        do {
            _ = try store.pipelineRun("ffffffff")
            throw ConformanceFailure(message: "unknown pipeline run was found")
        } catch StoreError.unknownPipelineRun {}
        do {
            try store.recordPipelineStep(PipelineStepRecord(
                runID: "eeeeeeee", step: "x", uses: "custom", status: .running, cacheKey: "", inputs: [:], started: started))
            throw ConformanceFailure(message: "a step of an unknown pipeline run was recorded")
        } catch StoreError.unknownPipelineRun {}

        // What a promote step records: model version → alias, read back as the same nodes.
        let alias = LineageNode.modelAlias(name: "digits.v2", alias: "production")
        try store.addLineage(LineageEdge(source: .modelVersion(name: "digits.v2", version: 3), target: alias, relation: .promoted))
        let edges = try store.lineageEdges(touching: alias)
        try expect(edges.map(\.source) == [.modelVersion(name: "digits.v2", version: 3)] && edges.map(\.relation) == [.promoted],
                   "promotion edge not read back: \(edges)")
        try expect(LineageNode(alias.description) == alias, "alias node does not round-trip: \(alias.description)")
    }

    static func cachedPipelineStepsMatch(_ store: any MetadataStore) throws {
        let base = Date(timeIntervalSince1970: 1_700_000_000)
        func record(_ pipeline: String, _ step: String, _ key: String, _ status: PipelineStepStatus, _ output: String, at t: Double) throws {
            let run = try store.createPipelineRun(pipeline: pipeline, specSHA256: "", trigger: "manual")
            try store.recordPipelineStep(PipelineStepRecord(
                runID: run.id, step: step, uses: "custom", status: status, cacheKey: key, inputs: [:],
                outputs: ["value": output], started: base.addingTimeInterval(t), ended: base.addingTimeInterval(t + 1)))
        }
        try record("p", "a", "key1", .succeeded, "old", at: 0)
        try record("p", "a", "key1", .cached, "newer", at: 10)
        try record("p", "a", "key1", .failed, "failed", at: 20)
        try record("p", "b", "key2", .succeeded, "b", at: 30)
        try record("q", "a", "key3", .succeeded, "q", at: 40)
        try expect(try store.cachedPipelineStep(pipeline: "p", step: "a", cacheKey: "key1")?.outputs["value"] == "newer",
                   "the newest successful execution is not the one reused")
        try expect(try store.cachedPipelineStep(pipeline: "p", step: "a", cacheKey: "key2") == nil, "another step's key matched")
        try expect(try store.cachedPipelineStep(pipeline: "p", step: "a", cacheKey: "key3") == nil, "another pipeline's key matched")
        try expect(try store.cachedPipelineStep(pipeline: "p", step: "b", cacheKey: "key2")?.outputs == ["value": "b"],
                   "a successful step was not found by its key")
    }
}
