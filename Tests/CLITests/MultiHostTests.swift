import Foundation
import Testing
import TestSupport

/// Training and a sweep launched across two "hosts" (network namespaces on this machine,
/// made by scripts/hosts.sh, reached by mpirun through a launch agent instead of SSH) give
/// exactly what the same rank count gives on one host. Needs root and iproute2; skipped
/// otherwise, with the reason on standard error.
@Suite(.serialized) struct MultiHostTests {
    /// The two hosts this test makes. The name prefix is unique to this test process so that a
    /// harness brought up by hand, or another checkout's suite, is never touched.
    struct Hosts {
        static let script = ProcessRunner.packageRoot.appendingPathComponent("scripts/hosts.sh").path
        let environment = ["RINGMASTER_NETNS_PREFIX": "rmt\(getpid())"]

        /// nil when namespaces can be made here, else why not. Checked once per test process.
        static let unavailableReason: String? = {
            let result = try? ProcessRunner.run([script, "check"], timeout: 20)
            guard let result else { return "could not run scripts/hosts.sh check" }
            if result.status == 0 { return nil }
            let why = result.timedOut ? "scripts/hosts.sh check timed out" : result.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            FileHandle.standardError.write(Data("MultiHostTests skipped: \(why)\n".utf8))
            return why.isEmpty ? "scripts/hosts.sh check failed" : why
        }()

        /// Runs a test only where namespaces can be made.
        static let available = ConditionTrait.enabled("needs root, iproute2 and permission to create network namespaces") {
            unavailableReason == nil
        }

        /// `count` fresh hosts; whatever a failed start left behind is taken down.
        static func up(_ count: Int) throws -> Hosts {
            let hosts = Hosts()
            do {
                let result = try ProcessRunner.run([script, "up", "\(count)"], environment: hosts.environment, timeout: 30)
                guard result.status == 0 else { throw CLIFailure(message: "hosts up failed: \(result.stderr)") }
            } catch {
                hosts.down()
                throw error
            }
            return hosts
        }

        func down() {
            _ = try? ProcessRunner.run([Self.script, "down"], environment: environment, timeout: 30)
        }

        /// The name of the host with index `index` (0: A, where mpirun runs).
        func name(_ index: Int) -> String { "\(environment["RINGMASTER_NETNS_PREFIX"]!)\(["A", "B", "C"][index])" }

        func cut(_ index: Int) throws {
            let result = try ProcessRunner.run([Self.script, "cut", name(index)], environment: environment, timeout: 10)
            guard result.status == 0 else { throw CLIFailure(message: "hosts cut failed: \(result.stderr)") }
        }

        /// Process ids still running inside the host with index `index`.
        func processes(_ index: Int) -> [String] {
            let result = try? ProcessRunner.run(["ip", "netns", "pids", name(index)], timeout: 10)
            return (result?.stdout ?? "").split(separator: "\n").map(String.init)
        }

        /// `ringmaster ARGS --store STORE` with one rank on each host, in the background.
        func start(_ cli: CLI, _ arguments: [String]) throws -> BackgroundJob {
            try BackgroundJob([Self.script, "mpirun", CLI.binary] + arguments + ["--store", cli.store.path],
                              in: cli.store, environment: environment)
        }

        /// `ringmaster ARGS --store STORE` with `slots` ranks on each host.
        func ringmaster(
            _ cli: CLI, _ arguments: [String], slots: Int = 1, withStore: Bool = true, timeout: Double = 60
        ) throws -> ProcessResult {
            try ProcessRunner.run([Self.script, "mpirun", CLI.binary] + arguments + (withStore ? ["--store", cli.store.path] : []),
                                  environment: environment.merging(["RINGMASTER_NETNS_SLOTS": "\(slots)"]) { $1 },
                                  directory: cli.store, timeout: timeout)
        }
    }

    func lastJSONLine(_ result: ProcessResult, _ what: String) throws -> [String: Any] {
        guard result.status == 0, let line = result.stdout.split(separator: "\n").last,
              let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        else {
            throw CLIFailure(message: "\(what) exited \(result.status)\(result.timedOut ? " (timed out)" : ""): \(result.stderr.suffix(3000))")
        }
        return object
    }

    /// Trial number → objective value, from `sweeps show --json`.
    func trialValues(_ cli: CLI, sweep: String) throws -> [Int: Double] {
        let show = try lastJSONLine(try cli.run(["sweeps", "show", sweep, "--json"], timeout: 60), "sweeps show")
        var values: [Int: Double] = [:]
        for trial in show["trials"] as? [[String: Any]] ?? [] {
            if let number = trial["number"] as? Int, let value = trial["value"] as? Double { values[number] = value }
        }
        return values
    }

    @Test(Hosts.available)
    func twoHostsMatchOneHostWithTheSameRanks() throws {
        let hosts = try Hosts.up(2)
        defer { hosts.down() }

        // Training: 1 rank on each of 2 hosts, against 2 ranks on one host.
        let config = CLI.example("digits.yaml")
        let trainArgs = ["train", config, "--set", "training.epochs=3", "--json"]
        let across = try CLI()
        let spread = try lastJSONLine(try hosts.ringmaster(across, trainArgs), "train on 2 hosts")
        let local = try CLI().train(config, ranks: 2, ["--set", "training.epochs=3"])
        #expect(spread["ranks"] as? Int == 2)
        #expect(spread["weights_sha256"] as? String == local.weights_sha256)
        let runID = try #require(spread["run_id"] as? String)
        let show = try lastJSONLine(try across.run(["runs", "show", runID, "--json"], timeout: 60), "runs show")
        let environment = (show["run"] as? [String: Any])?["environment"] as? [String: String]
        #expect(environment?["world_size"] == "2", "\(String(describing: environment))")

        // A sweep of a test function: one trial at a time on each host, same trials as one host.
        let spec = """
            function: branin
            space:
              x0: {type: uniform, low: -5, high: 10}
              x1: {type: uniform, low: 0, high: 15}
            budget: {max_trials: 20}
            sampler: random
            seed: 11
            """
        let specURL = across.store.appendingPathComponent("branin.yaml")
        try spec.write(to: specURL, atomically: true, encoding: .utf8)
        let sweepArgs = ["sweep", specURL.path, "--ranks-per-trial", "1", "--json"]
        let spreadSweep = try lastJSONLine(try hosts.ringmaster(across, sweepArgs), "sweep on 2 hosts")
        let localCLI = try CLI()
        let localSweep = try lastJSONLine(try localCLI.run(sweepArgs, ranks: 2, timeout: 60), "sweep on 1 host")
        #expect(spreadSweep["groups"] as? Int == 2 && spreadSweep["completed"] as? Int == 20, "\(spreadSweep)")
        let spreadValues = try trialValues(across, sweep: try #require(spreadSweep["sweep_id"] as? String))
        let localValues = try trialValues(localCLI, sweep: try #require(localSweep["sweep_id"] as? String))
        #expect(spreadValues.count == 20)
        #expect(spreadValues == localValues)
    }

    /// Two ranks on each of two hosts: each host's ranks share memory, and the ranks holding
    /// the same slice on the two hosts allreduce it over TCP (the hierarchical exchange).
    /// Training reaches what four ranks on one host reach.
    @Test(Hosts.available)
    func twoRanksOnEachOfTwoHostsExchangeHierarchically() throws {
        let hosts = try Hosts.up(2)
        defer { hosts.down() }
        let cli = try CLI()
        let bench = try lastJSONLine(
            try hosts.ringmaster(cli, ["bench", "train", "--features", "32", "--hidden", "64", "--steps", "5"], slots: 2, withStore: false),
            "bench train on 2 hosts × 2 ranks")
        #expect(bench["ranks"] as? Int == 4 && bench["gradient_exchange"] as? String == "hierarchical", "\(bench)")

        let config = CLI.example("digits.yaml")
        let spread = try lastJSONLine(
            try hosts.ringmaster(cli, ["train", config, "--json"], slots: 2, timeout: 120), "train on 2 hosts × 2 ranks")
        let local = try CLI().train(config, ranks: 4)
        let accuracy = try #require((spread["validation"] as? [String: Any])?["accuracy"] as? Double)
        #expect(spread["ranks"] as? Int == 4)
        #expect(accuracy >= 0.97 && abs(accuracy - (local.validation.accuracy ?? 0)) <= 0.01, "\(accuracy) vs \(local.validation)")
    }

    /// Cutting the second host's link mid-training ends the job within 30 s naming the lost
    /// rank and host, leaves nothing running on either host, marks the run failed with metrics
    /// intact; resuming on one host reaches the weights of an uninterrupted run.
    @Test(Hosts.available)
    func cutLinkEndsTheJobAndResumeMatches() throws {
        let hosts = try Hosts.up(2)
        defer { hosts.down() }
        let config = CLI.example("digits.yaml")
        let settings = ["--set", "training.epochs=10", "--set", "training.checkpoint_every=1"]
        let cli = try CLI()
        let job = try hosts.start(cli, ["train", config, "--json", "--quiet", "--lost-peer-timeout", "3"] + settings)
        defer { job.kill() }
        try #require(job.wait(seconds: 60) { cli.hasCheckpoint }, "no checkpoint: \(job.stderr.suffix(1500))")
        try hosts.cut(1)
        let status = job.exitStatus(within: 30)
        try #require(status != nil, "the job was still running 30 s after the link was cut")
        #expect(status != 0)
        #expect(job.stderr.contains("lost rank 1 (host \(hosts.name(1)))"), "\(job.stderr.suffix(2000))")
        #expect(job.leftovers.isEmpty, "left behind: \(job.leftovers.map(\.name))")
        #expect(hosts.processes(0).isEmpty && hosts.processes(1).isEmpty,
                "left inside the hosts: \(hosts.processes(0)) \(hosts.processes(1))")

        let runs = try JSONSerialization.jsonObject(with: Data(try cli.run(["runs", "list", "--json"]).stdout.utf8)) as? [[String: Any]]
        let runID = try #require((runs?.first?["run"] as? [String: Any])?["id"] as? String)
        let failed = try cli.show(run: runID)
        #expect(failed.record["status"] as? String == "failed")
        #expect((failed.record["failure_reason"] as? String)?.contains("lost rank 1 (host \(hosts.name(1)))") == true, "\(failed.record)")
        #expect(failed.metrics["train_loss"] != nil, "recorded metrics were lost")

        let resumed = try cli.train(config, ranks: 2, settings + ["--resume"])
        let uninterrupted = try CLI().train(config, ranks: 2, settings)
        #expect(resumed.weights_sha256 == uninterrupted.weights_sha256)
    }
}
