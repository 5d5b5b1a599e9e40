import Foundation
import MetadataSQLite
import Pipelines
import RingmasterCore
import Testing
import TestSupport

/// The runner with custom-command steps only: order, caching, failures and what is recorded.
@Suite struct PipelineRunnerTests {
    let folder: URL
    let store: SQLiteStore

    init() throws {
        folder = try ProcessRunner.temporaryDirectory("pipeline-run")
        store = try SQLiteStore(directory: folder.appendingPathComponent("store"))
        try write("raw.csv", "x,y\n1,2\n3,4\n")
    }

    func write(_ name: String, _ text: String) throws {
        try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    func run(_ yaml: String, force: Bool = false) throws -> PipelineRunner.Outcome {
        try write("pipeline.yaml", yaml)
        let spec = try PipelineParser.load(path: folder.appendingPathComponent("pipeline.yaml").path)
        var options = PipelineRunner.Options(executable: "/bin/false", storeLocation: nil, workDirectory: folder)
        options.force = force
        return try PipelineRunner(spec: spec, store: store, options: options).run()
    }

    func statuses(_ outcome: PipelineRunner.Outcome) -> [String: PipelineStepStatus] {
        Dictionary(uniqueKeysWithValues: outcome.steps.map { ($0.step, $0.status) })
    }

    /// `digest` reads the raw file; `scale` uses its output; `label` stands apart with a value of its own.
    func chain(label: String = "one") -> String {
        """
        name: chain
        steps:
          scale:
            uses: custom
            needs: digest
            with: {command: "echo ringmaster-output scaled=${{ steps.digest.outputs.sum }}-x2"}
          digest:
            uses: custom
            with: {command: "echo ringmaster-output sum=$(cksum < raw.csv | cut -d' ' -f1)", inputs: [raw.csv]}
          label:
            uses: custom
            with: {command: "echo ringmaster-output label=\(label)"}
        """
    }

    @Test func stepsRunInOrderAndPassOutputsDownstream() throws {
        let outcome = try run(chain())
        #expect(outcome.run.status == .succeeded && outcome.run.trigger == "manual")
        #expect(outcome.steps.map(\.step) == ["digest", "scale", "label"])
        let sum = try #require(outcome.steps[0].outputs["sum"])
        #expect(!sum.isEmpty && outcome.steps[1].outputs["scaled"] == "\(sum)-x2")
        #expect(outcome.steps[1].inputs["command"] == "echo ringmaster-output scaled=\(sum)-x2")
        let recorded = try store.pipelineSteps(run: outcome.run.id)
        #expect(recorded.map(\.status) == [.succeeded, .succeeded, .succeeded])
        #expect(recorded.allSatisfy { $0.cacheKey.count == 64 && $0.ended != nil })
    }

    @Test func anUnchangedPipelineSkipsEveryStepAndChangesRerunOnlyWhatTheyAffect() throws {
        let first = try run(chain())
        let second = try run(chain())
        #expect(second.steps.allSatisfy { $0.status == .cached }, "\(statuses(second))")
        #expect(second.steps.map(\.outputs) == first.steps.map(\.outputs))

        let relabelled = try run(chain(label: "two"))
        #expect(statuses(relabelled) == ["digest": .cached, "scale": .cached, "label": .succeeded])

        try write("raw.csv", "x,y\n1,2\n3,5\n")
        let newData = try run(chain(label: "two"))
        #expect(statuses(newData) == ["digest": .succeeded, "scale": .succeeded, "label": .cached])
        #expect(newData.steps[0].outputs["sum"] != first.steps[0].outputs["sum"])

        let forced = try run(chain(label: "two"), force: true)
        #expect(forced.steps.allSatisfy { $0.status == .succeeded })
    }

    @Test func aFailingStepFailsTheRunKeepsEarlierRecordsAndRunsNothingAfter() throws {
        let outcome = try run("""
            name: failing
            steps:
              fetch: {uses: custom, with: {command: "echo ringmaster-output rows=2"}}
              broken: {uses: custom, needs: fetch, with: {command: "echo disk full >&2; exit 4"}}
              later: {uses: custom, needs: broken, with: {command: "echo ringmaster-output never=1"}}
              apart: {uses: custom, with: {command: "echo ringmaster-output apart=1"}}
            """)
        #expect(outcome.run.status == .failed)
        #expect(outcome.run.error == "step broken (custom) failed: 'echo disk full >&2; exit 4' exited with status 4: disk full")
        let recorded = try store.pipelineSteps(run: outcome.run.id)
        let byStep = Dictionary(uniqueKeysWithValues: recorded.map { ($0.step, $0) })
        #expect(byStep["fetch"]?.status == .succeeded && byStep["fetch"]?.outputs == ["rows": "2"])
        #expect(byStep["broken"]?.status == .failed && byStep["broken"]?.error?.hasSuffix("disk full") == true)
        #expect(byStep["later"]?.status == .blocked && byStep["apart"]?.status == .blocked)
        #expect(try store.pipelineRun(outcome.run.id).status == .failed)
        // The failed step is not cached: the next run tries it again, reusing only what succeeded.
        let again = try run("""
            name: failing
            steps:
              fetch: {uses: custom, with: {command: "echo ringmaster-output rows=2"}}
              broken: {uses: custom, needs: fetch, with: {command: "echo disk full >&2; exit 4"}}
              later: {uses: custom, needs: broken, with: {command: "echo ringmaster-output never=1"}}
              apart: {uses: custom, with: {command: "echo ringmaster-output apart=1"}}
            """)
        #expect(statuses(again)["fetch"] == .cached && statuses(again)["broken"] == .failed)
    }

    @Test func aReferenceToAnOutputThatWasNotProducedOrHasTheWrongTypeFailsItsStep() throws {
        let missing = try run("""
            name: outputs
            steps:
              a: {uses: custom, with: {command: "echo ringmaster-output other=1"}}
              b: {uses: custom, needs: a, with: {command: "echo ${{ steps.a.outputs.size }}"}}
            """)
        #expect(missing.run.error == "step b (custom) failed: step 'a' produced no output 'size'")
        let typed = try run("""
            name: typed
            steps:
              a: {uses: custom, with: {command: "echo ringmaster-output seconds=soon"}}
              b: {uses: custom, needs: a, with: {command: "true", timeout: "${{ steps.a.outputs.seconds }}"}}
            """)
        #expect(typed.run.error == "step b (custom) failed: with.timeout: expected seconds, got 'soon'")
    }

    @Test func aCustomStepThatRunsPastItsTimeoutFails() throws {
        let outcome = try run("""
            name: slow
            steps:
              wait: {uses: custom, with: {command: "sleep 30", timeout: 0.5}}
            """)
        #expect(outcome.run.status == .failed)
        #expect(outcome.steps[0].error == "'sleep 30' timed out after 0.5 s")
    }

    @Test func validateDataNamesTheColumnAndRow() throws {
        try write("readings.csv", "temp,label\n20,0\n21,1\n\n")
        try write("gappy.csv", "temp,label\n20,0\nNA,1\n22,0\n")
        try write("hot.csv", "temp,label\n20,0\n21,1\n95,0\n")
        func validate(_ file: String, _ extra: String = "") throws -> PipelineRunner.Outcome {
            try run("""
                name: validate
                steps:
                  check:
                    uses: validate-data
                    with: {data: \(file), label: label, columns: [temp, label], ranges: {temp: [-10, 50]}\(extra)}
                """)
        }
        let good = try validate("readings.csv")
        #expect(good.run.status == .succeeded && good.steps[0].outputs == ["rows": "2", "columns": "2"])
        let hot = try validate("hot.csv")
        #expect(hot.steps[0].error == "\(folder.path)/hot.csv: row 3, column 'temp': 95 is outside [-10, 50]")
        let gappy = try validate("gappy.csv")
        #expect(gappy.steps[0].error?.hasSuffix("column 'temp': 1 of 3 values missing (first at row 2), more than max_missing 0") == true,
                "\(gappy.steps[0].error ?? "")")
        #expect(try validate("gappy.csv", ", max_missing: 0.5").run.status == .succeeded)
        let few = try validate("readings.csv", ", min_rows: 5")
        #expect(few.steps[0].error?.hasSuffix("2 rows, fewer than min_rows 5") == true)
        try write("extra.csv", "temp,label,humidity\n20,0,3\n")
        #expect(try validate("extra.csv").steps[0].error?.hasSuffix("column 'humidity' is not in the expected columns") == true)
    }
}

/// `pipeline watch` decisions with custom steps: new rows against min_new_rows, the interval,
/// and files a failed run leaves new.
@Suite struct PipelineWatcherTests {
    let folder: URL
    let store: SQLiteStore

    init() throws {
        folder = try ProcessRunner.temporaryDirectory("pipeline-watch")
        store = try SQLiteStore(directory: folder.appendingPathComponent("store"))
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("incoming"), withIntermediateDirectories: true)
    }

    func watcher(_ triggers: String, command: String = "echo ringmaster-output ok=1") throws -> PipelineWatcher {
        let text = """
            name: watched
            triggers: \(triggers)
            steps:
              work: {uses: custom, with: {command: "\(command)"}}
            """
        try text.write(to: folder.appendingPathComponent("p.yaml"), atomically: true, encoding: .utf8)
        let spec = try PipelineParser.load(path: folder.appendingPathComponent("p.yaml").path)
        return PipelineWatcher(
            spec: spec, store: store,
            options: PipelineRunner.Options(executable: "/bin/false", storeLocation: nil, workDirectory: folder))
    }

    func drop(_ name: String, rows: Int) throws {
        let text = "x,y\n" + (0..<rows).map { "\($0),\($0 % 2)\n" }.joined()
        try text.write(to: folder.appendingPathComponent("incoming/\(name)"), atomically: true, encoding: .utf8)
    }

    @Test func newRowsAccumulateUntilMinNewRowsAndAreConsumedOnce() throws {
        let watcher = try watcher("{watch: {directory: incoming}, min_new_rows: 10}")
        try drop("a.csv", rows: 6)
        try "not data".write(to: folder.appendingPathComponent("incoming/notes.txt"), atomically: true, encoding: .utf8)
        let waiting = try watcher.check()
        #expect(waiting.decision == "waiting: 1 new file with 6 rows, 10 needed" && waiting.outcome == nil)
        try drop("b.csv", rows: 4)
        let ran = try watcher.check()
        #expect(ran.newFiles == ["a.csv", "b.csv"] && ran.newRows == 10)
        #expect(ran.outcome?.run.status == .succeeded && ran.outcome?.run.trigger == "watch: 2 new files with 10 rows")
        #expect(try watcher.check().decision == "waiting: 0 new files with 0 rows, 10 needed")
        // A file whose contents change counts as new again.
        try drop("a.csv", rows: 12)
        #expect(try watcher.check().outcome != nil)
        #expect(try store.pipelineRuns(pipeline: "watched", limit: nil).count == 2)
    }

    @Test func filesOfAFailedRunStayNew() throws {
        let watcher = try watcher("{watch: {directory: incoming}, min_new_rows: 3}", command: "exit 1")
        try drop("a.csv", rows: 5)
        #expect(try watcher.check().outcome?.run.status == .failed)
        let again = try watcher.check()
        #expect(again.newFiles == ["a.csv"] && again.outcome?.run.status == .failed)
    }

    @Test func anIntervalRunsOnceThenWaits() throws {
        let watcher = try watcher("{interval: 3600}")
        let start = Date()
        #expect(try watcher.check(now: start).outcome?.run.trigger == "interval: 3600.0 s")
        #expect(try watcher.check(now: start.addingTimeInterval(60)).decision == "waiting for the interval")
        #expect(try watcher.check(now: start.addingTimeInterval(3601)).outcome != nil)
    }
}
