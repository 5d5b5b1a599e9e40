import Foundation
import Testing
import TestSupport

/// The whole loop, as an operator would run it: v1 trained and served behind
/// `digits@production`; the world shifts (every pixel brighter, as from a new scanner); the
/// server sees the drift; labelled new data accumulates, below and then past the pipeline's
/// `min_new_rows`; the watcher retrains, the gate passes, the alias moves, and the running
/// server answers with v2 without one failed request. Then a worse candidate fails the gate
/// and serving is untouched.
@Suite(.serialized) struct ContinuousTrainingTests {
    /// digits.csv split into what the test needs, written into `folder`: the original rows
    /// 0..<1200 (`base.csv`) and brightened copies of the rest, as two incoming batches and
    /// a holdout to gate on.
    struct Digits {
        let header: String
        let base: [String]
        let brighter: [String]

        init() throws {
            let lines = try String(contentsOfFile: CLI.example("data/digits.csv"), encoding: .utf8)
                .split(separator: "\n").map(String.init)
            header = lines[0]
            base = Array(lines[1...1200])
            brighter = lines[1201...].map { line in
                var fields = line.split(separator: ",").map(String.init)
                for i in 0..<(fields.count - 1) { fields[i] = String(min(Int(fields[i])! + 4, 20)) }
                return fields.joined(separator: ",")
            }
        }

        func write(_ rows: ArraySlice<String>, to url: URL) throws {
            try ([header] + rows).joined(separator: "\n").appending("\n").write(to: url, atomically: true, encoding: .utf8)
        }

        /// An OIP v2 request for `rows` (features only).
        func inferBody(_ rows: ArraySlice<String>) -> String {
            let values = rows.flatMap { $0.split(separator: ",").dropLast().map(String.init) }
            return #"{"inputs":[{"name":"x","shape":[\#(rows.count),64],"datatype":"FP32","data":[\#(values.joined(separator: ","))]}]}"#
        }
    }

    static func pipeline(name: String, train: String, gate: String) -> String {
        """
        name: \(name)
        triggers:
          watch: {directory: incoming, pattern: "*.csv"}
          drift: {model: digits@production}
          min_new_rows: 300
        steps:
          import:
            uses: import-data
            with: {file: base.csv, name: digits, label: label, include_watched: true}
          train:
            uses: train
            needs: import
            with:
              config: \(CLI.example("digits.yaml"))
              ranks: 2
              data: ${{ steps.import.outputs.path }}
              dataset: ${{ steps.import.outputs.name }}
              set: {\(train), training.checkpoint_every: 0}
          gate:
            uses: gate
            needs: train
            with:
              candidate: ${{ steps.train.outputs.run_id }}
              model: digits
              alias: production
              data: brighter-eval.csv
              label: label
              metrics: {\(gate)}
          register:
            uses: register
            needs: gate
            with: {model: digits, run: "${{ steps.train.outputs.run_id }}"}
          promote:
            uses: promote
            needs: register
            with: {model: digits, version: "${{ steps.register.outputs.version }}", alias: production}
        """
    }

    /// The version `digits@production` points at.
    static func production(_ cli: CLI) throws -> Int? {
        let show = try JSONSerialization.jsonObject(with: Data(try cli.run(["models", "show", "digits", "--json"]).stdout.utf8))
        let aliases = (show as? [String: Any])?["aliases"] as? [[String: Any]] ?? []
        return aliases.first { $0["alias"] as? String == "production" }?["version"] as? Int
    }

    @Test func driftRetrainGateAndSwapWithoutAFailedRequest() throws {
        let cli = try CLI()
        let folder = cli.store
        let data = try Digits()
        let incoming = folder.appendingPathComponent("incoming")
        try FileManager.default.createDirectory(at: incoming, withIntermediateDirectories: true)
        try data.write(data.base[...], to: folder.appendingPathComponent("base.csv"))
        try data.write(data.brighter[400...], to: folder.appendingPathComponent("brighter-eval.csv"))

        // v1: trained on the original data only, registered and promoted by hand.
        let v1 = try cli.train(CLI.example("digits.yaml"), [
            "--set", "data.path=\(folder.appendingPathComponent("base.csv").path)", "--set", "training.epochs=10",
            "--set", "training.checkpoint_every=0", "--register", "digits",
        ])
        #expect(try cli.run(["models", "promote", "digits", "--version", "1", "--alias", "production"]).status == 0)

        let server = try RunningServer(
            ["serve", "digits@production", "--port", "0", "--poll-interval", "0.2", "--store", folder.path], in: folder)
        let base = server.base

        func infer(_ rows: ArraySlice<String>) throws -> [String: Any] {
            let result = try ProcessRunner.run(
                ["curl", "-sS", "-X", "POST", "-H", "Content-Type: application/json", "--data-binary", data.inferBody(rows),
                 "\(base)/v2/models/digits/infer"], timeout: 60)
            return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stdout)")
        }
        #expect(try infer(data.base[0..<5])["model_version"] as? String == "1")

        // The shift arrives at the server: its live window sees it.
        for start in stride(from: 0, to: 200, by: 20) { _ = try infer(data.brighter[start..<(start + 20)]) }
        let drift = try ProcessRunner.run(["curl", "-sS", "\(base)/v2/models/digits/drift"], timeout: 60)
        let window = try #require(
            (try JSONSerialization.jsonObject(with: Data(drift.stdout.utf8)) as? [String: Any])?["window"] as? [String: Any],
            "drift endpoint: \(drift.stdout)")
        let report = try #require(window["drift"] as? [String: Any])
        #expect(report["dataset_drift"] as? Bool == true, "\(report["drifted_share"] ?? "?")")

        let pipeline = folder.appendingPathComponent("retrain.yaml")
        try Self.pipeline(name: "digits-ct", train: "training.epochs: 15", gate: "accuracy: {min: 0.8, min_delta: 0.0}")
            .write(to: pipeline, atomically: true, encoding: .utf8)

        // 150 labelled new rows: below min_new_rows, nothing retrains and v1 keeps serving.
        try data.write(data.brighter[0..<150], to: incoming.appendingPathComponent("batch-1.csv"))
        let early = try cli.run(["pipeline", "watch", pipeline.path, "--once"])
        #expect(early.status == 0, "\(early.stderr)")
        #expect(try cli.run(["pipeline", "runs", "--json"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]")
        #expect(try infer(data.base[0..<1])["model_version"] as? String == "1")

        // Requests keep flowing while the second batch triggers the retrain and the swap.
        let codes = folder.appendingPathComponent("load-codes.txt")
        let stop = folder.appendingPathComponent("load-stop")
        let request = folder.appendingPathComponent("load-request.json")
        try data.inferBody(data.brighter[400..<402]).write(to: request, atomically: true, encoding: .utf8)
        let load = try BackgroundJob(
            ["sh", "-c", """
                while [ ! -e '\(stop.path)' ]; do
                  curl -s -o /dev/null -w '%{http_code}\\n' -X POST -H 'Content-Type: application/json' \
                    --data-binary @'\(request.path)' '\(base)/v2/models/digits/infer' >> '\(codes.path)'
                done
                """], in: folder)
        defer { load.kill() }

        try data.write(data.brighter[150..<400], to: incoming.appendingPathComponent("batch-2.csv"))
        let retrain = try cli.run(["pipeline", "watch", pipeline.path, "--once"], timeout: 600)
        #expect(retrain.status == 0, "\(retrain.stdout)\n\(retrain.stderr)")
        #expect(try Self.production(cli) == 2)

        // The server follows the alias within a few polls.
        var version = ""
        for _ in 0..<100 where version != "2" {
            version = try infer(data.brighter[400..<401])["model_version"] as? String ?? ""
            if version != "2" { usleep(100_000) }
        }
        #expect(version == "2")
        usleep(500_000)
        try Data().write(to: stop)
        load.wait(seconds: 30) { !load.process.isRunning }
        let statuses = try String(contentsOf: codes, encoding: .utf8).split(separator: "\n")
        #expect(statuses.count > 20, "too few requests under load: \(statuses.count)")
        #expect(statuses.allSatisfy { $0 == "200" }, "failed requests during the swap: \(statuses.filter { $0 != "200" })")

        // The new model knows the brighter digits; the old one did not.
        let eval = folder.appendingPathComponent("brighter-eval.csv").path
        let accuracy = { (model: String) throws -> Double in
            let output = try cli.run(["evaluate", model, "--data", eval, "--json"]).stdout
            return (try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])?["accuracy"] as? Double ?? 0
        }
        let (old, new) = (try accuracy(v1.run_id), try accuracy("digits@production"))
        #expect(new >= 0.8 && new > old + 0.2, "v1 \(old), v2 \(new)")

        // A worse candidate (one epoch at a crawl) fails the gate: no version 3, the alias
        // stays, the server answers with v2 as before.
        let worse = folder.appendingPathComponent("worse.yaml")
        try Self.pipeline(
            name: "digits-worse", train: "training.epochs: 1, optimizer.learning_rate: 0.00001",
            gate: "accuracy: {min: 0.5, min_delta: 0.0}"
        ).write(to: worse, atomically: true, encoding: .utf8)
        let rejected = try cli.run(["pipeline", "run", worse.path], timeout: 600)
        #expect(rejected.status == 3, "\(rejected.stdout)\n\(rejected.stderr)")
        let show = try #require(
            try JSONSerialization.jsonObject(with: Data(try cli.run(["models", "show", "digits", "--json"]).stdout.utf8)) as? [String: Any])
        #expect((show["versions"] as? [Any])?.count == 2)
        #expect(try Self.production(cli) == 2)
        #expect(try infer(data.brighter[400..<401])["model_version"] as? String == "2")
        #expect(server.process.isRunning)
    }
}
