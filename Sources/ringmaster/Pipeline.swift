import ArgumentParser
import Foundation
import Pipelines
import RingmasterCore

struct Pipeline: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Continuous-training pipelines: import, validate, train, evaluate, gate, register, promote.",
        discussion: """
            A pipeline is a YAML file of steps whose needs: form a graph (see docs/pipelines.md). \
            Every run and step is recorded in the store; a step whose inputs did not change is \
            skipped and its recorded outputs reused.
            """,
        subcommands: [Run.self, Watch.self, Runs.self, Show.self])

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate the whole pipeline, then run its steps in order, skipping unchanged ones.",
            discussion: "Exit status: 0 when it succeeded, 3 when a gate rejected the candidate, 1 when a step failed.")
        @Argument(help: "Pipeline file (YAML).") var pipeline: String
        @Option(help: World.storeHelp) var store: String?
        @Flag(help: "Run every step, even those whose inputs did not change.") var force = false
        @Flag(help: "Print the run and its steps as one JSON object.") var json = false

        func run() throws {
            let spec = try PipelineParser.load(path: pipeline)
            var options = Pipeline.options(store)
            options.force = force
            if !json { options.progress = { Pipeline.printProgress($0) } }
            let outcome = try PipelineRunner(spec: spec, store: try World.openStore(store), options: options).run()
            if json { print(try JSONOutput.line(outcome)) } else { Pipeline.printSummary(outcome) }
            try Pipeline.exit(for: outcome)
        }
    }

    struct Watch: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the pipeline whenever its triggers fire: new data files, a drift alarm, an interval.",
            discussion: "Nothing runs until triggers.min_new_rows new rows have arrived; until then the current model keeps serving.")
        @Argument(help: "Pipeline file (YAML) with triggers.") var pipeline: String
        @Option(help: World.storeHelp) var store: String?
        @Flag(help: "Check the triggers once, run if they fire, and exit.") var once = false
        @Option(help: "Seconds between checks.") var poll: Double = 10
        @Flag(help: "Print each check as one JSON object.") var json = false

        func validate() throws {
            guard poll > 0 else { throw ValidationError("--poll must be positive") }
        }

        func run() throws {
            let spec = try PipelineParser.load(path: pipeline)
            guard spec.triggers != nil else {
                throw CLIError(message: "\(pipeline): triggers: the pipeline has none; add watch, drift or interval to watch it")
            }
            var options = Pipeline.options(store)
            if !json { options.progress = { Pipeline.printProgress($0) } }
            let watcher = PipelineWatcher(spec: spec, store: try World.openStore(store), options: options)
            let stop = StopSignal()
            while true {
                let check: PipelineWatcher.Check
                do {
                    check = try watcher.check()
                } catch where !once {
                    // A watcher outlives a bad moment (a half-written file, a store restart): say so and keep watching.
                    CLIError.report("\(error)")
                    if stop.wait(seconds: poll) { return }
                    continue
                }
                if json {
                    print(try JSONOutput.line(check))
                } else {
                    print("\(Format.timestamp(Date()))  \(spec.name): \(check.decision)")
                    if let outcome = check.outcome { Pipeline.printSummary(outcome) }
                }
                fflush(nil)
                if once {
                    if let outcome = check.outcome { try Pipeline.exit(for: outcome) }
                    return
                }
                if stop.wait(seconds: poll) { return }
            }
        }
    }

    struct Runs: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Recorded pipeline runs, newest first.")
        @Argument(help: "Only runs of this pipeline (its name:).") var name: String?
        @Option(help: "At most this many.") var limit: Int?
        @Option(help: World.storeHelp) var store: String?
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let runs = try World.openStore(store).pipelineRuns(pipeline: name, limit: limit)
            if json {
                print(try JSONOutput.line(runs))
                return
            }
            var table = TextTable(headers: ["RUN", "PIPELINE", "STATUS", "STARTED", "DURATION", "TRIGGER"], rightAligned: [4])
            for run in runs {
                table.append([
                    String(run.id.prefix(8)), run.pipeline, run.status.rawValue, Format.timestamp(run.started),
                    run.ended.map { Format.duration($0.timeIntervalSince(run.started)) } ?? "-", Format.clip(run.trigger, 50),
                ])
            }
            table.lines().forEach { print($0) }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One pipeline run: each step's status, inputs and outputs.")
        @Argument(help: "Pipeline run id or unique prefix.") var id: String
        @Option(help: World.storeHelp) var store: String?
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let store = try World.openStore(store)
            let outcome = PipelineRunner.Outcome(run: try store.pipelineRun(id), steps: try store.pipelineSteps(run: id))
            if json {
                print(try JSONOutput.line(outcome))
                return
            }
            let run = outcome.run
            print("pipeline \(run.pipeline) run \(run.id): \(run.status.rawValue)  (\(run.trigger), \(Format.timestamp(run.started)))")
            if let error = run.error { print("  \(error)") }
            for step in outcome.steps {
                Pipeline.printProgress(step)
                for (key, value) in step.inputs.sorted(by: { $0.key < $1.key }) { print("      with.\(key): \(value)") }
                for (key, value) in step.outputs.sorted(by: { $0.key < $1.key }) { print("      → \(key): \(value)") }
            }
        }
    }

    static func options(_ store: String?) -> PipelineRunner.Options {
        PipelineRunner.Options(
            executable: TrainingLauncher.executable, storeLocation: store, workDirectory: World.workDirectory(store))
    }

    /// `ran      train      (train)        12.3 s  run_id=…`, one line per finished step.
    static func printProgress(_ step: PipelineStepRecord) {
        guard step.status != .running else { return }
        let label: String
        switch step.status {
        case .succeeded: label = "ran"
        case .cached: label = "skipped"
        case .failed: label = "FAILED"
        case .blocked: label = "blocked"
        case .running: label = "running"
        }
        let seconds = step.ended.map { Format.duration($0.timeIntervalSince(step.started)) } ?? "-"
        var detail: String
        switch step.status {
        case .cached: detail = "(cached) "
        default: detail = ""
        }
        if let error = step.error {
            detail += error
        } else {
            let shown = ["passed", "run_id", "dataset", "rows", "model_version", "alias", "accuracy", "validation_accuracy", "report"]
            detail += shown.compactMap { key in step.outputs[key].map { "\(key)=\(key == "run_id" ? String($0.prefix(8)) : $0)" } }
                .joined(separator: " ")
        }
        let line = label.padding(toLength: 8, withPad: " ", startingAt: 0) + " "
            + step.step.padding(toLength: 12, withPad: " ", startingAt: 0) + " "
            + "(\(step.uses))".padding(toLength: 16, withPad: " ", startingAt: 0) + " "
            + seconds.padding(toLength: 8, withPad: " ", startingAt: 0) + " " + detail
        print(line)
        fflush(nil)
    }

    static func printSummary(_ outcome: PipelineRunner.Outcome) {
        let ran = outcome.steps.filter { $0.status == .succeeded }.count
        let cached = outcome.steps.filter { $0.status == .cached }.count
        let run = outcome.run
        var line = "pipeline \(run.pipeline) run \(run.id.prefix(8)) \(run.status.rawValue): \(ran) ran, \(cached) skipped (cached)"
        if let ended = run.ended { line += " in \(Format.duration(ended.timeIntervalSince(run.started)))" }
        print(line)
    }

    /// Exit status 1 for a failed run, 3 for a rejected candidate, with the reason on standard error.
    static func exit(for outcome: PipelineRunner.Outcome) throws {
        switch outcome.run.status {
        case .failed: throw CLIError(message: outcome.run.error ?? "pipeline run failed")
        case .rejected: throw CLIError(message: outcome.run.error ?? "a gate rejected the candidate", code: 3)
        case .succeeded, .running: return
        }
    }
}

/// Set by SIGINT or SIGTERM: `pipeline watch` finishes its current check and exits.
/// `@unchecked Sendable`: `stopped` is guarded by `lock`; the sources live as long as this object.
private final class StopSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false
    private var sources: [any DispatchSourceSignal] = []

    init() {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in self?.lock.withLock { self?.stopped = true } }
            source.resume()
            sources.append(source)
        }
    }

    /// Waits up to `seconds`; true when a signal asked to stop.
    func wait(seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if lock.withLock({ stopped }) { return true }
            Thread.sleep(forTimeInterval: min(0.2, max(0, deadline.timeIntervalSinceNow)))
        }
        return lock.withLock { stopped }
    }
}
