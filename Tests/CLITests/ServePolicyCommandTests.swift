import Foundation
import Testing
import TestSupport

/// `ringmaster serve --policy`: two trained runs behind one endpoint under a canary policy,
/// with statistics, feedback and the live drift window read over HTTP.
@Suite struct ServePolicyCommandTests {
    /// A policy sent to the admin endpoint may name store models only: a file path in it is
    /// refused, so no request makes the server read a file the operator did not name.
    @Test func adminPoliciesCannotNameFiles() throws {
        let runs = try TrainedRuns.get()
        let directory = runs.cli.store
        let token = directory.appendingPathComponent("admin-token-\(UUID().uuidString)")
        try "s3cret\n".write(to: token, atomically: true, encoding: .utf8)
        let modelFile = try #require(
            try FileManager.default.subpathsOfDirectory(atPath: directory.path).first { $0.hasSuffix("model.rmm") })
        let server = try RunningServer(
            ["serve", "digits=\(runs.fast)", "--port", "0", "--store", directory.path, "--admin-token-file", token.path],
            in: directory)
        func put(_ model: String) throws -> String {
            try server.curl([
                "-w", "\n%{http_code}", "-X", "PUT", "-H", "Authorization: Bearer s3cret", "-H", "Content-Type: application/json",
                "--data-binary", #"{"kind":"single","variants":[{"name":"live","model":"\#(model)"}]}"#, "\(server.base)/admin/policy",
            ])
        }
        for path in ["/etc/hostname", directory.appendingPathComponent(modelFile).path] {
            let answer = try put(path)
            #expect(answer.hasSuffix("409"), "\(answer)")
            #expect(answer.contains("model files are served only when named"), "\(answer)")
        }
        // A store model is accepted.
        #expect(try put(runs.slow).hasSuffix("200"))
        #expect(server.stop() == 0)
    }

    @Test func servesACanaryPolicyFromAYAMLFile() throws {
        let runs = try TrainedRuns.get()
        let directory = runs.cli.store
        let policy = directory.appendingPathComponent("canary-\(UUID().uuidString).yaml")
        try """
            kind: canary
            variants:
              - {name: slow, model: "\(runs.slow)", weight: 50}
              - {name: fast, model: "\(runs.fast)", weight: 50}
            """.write(to: policy, atomically: true, encoding: .utf8)

        let server = try RunningServer(
            ["serve", "--policy", policy.path, "--port", "0", "--store", directory.path, "--drift-window", "100"], in: directory)
        let base = server.base
        let curl = server.curl
        func json(_ text: String) throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "\(text)")
        }

        let csv = try String(contentsOfFile: CLI.example("data/digits.csv"), encoding: .utf8).split(separator: "\n")
        let header = csv[0].split(separator: ",").map(String.init)
        let features = header.indices.filter { header[$0] != "label" }
        var ids: [String] = []
        for line in csv[1...30] {
            let values = line.split(separator: ",").map(String.init)
            let body = #"{"dataframe_split":{"columns":[\#(features.map { "\"\(header[$0])\"" }.joined(separator: ","))],"data":[[\#(features.map { values[$0] }.joined(separator: ","))]]}}"#
            let response = try curl(["-D", "-", "-X", "POST", "-H", "Content-Type: application/json", "--data-binary", body, "\(base)/invocations"])
            let id = response.split(separator: "\r\n").first { $0.lowercased().hasPrefix("x-request-id: ") }.map { String($0.dropFirst(14)) }
            ids.append(try #require(id, "\(response)"))
        }

        let stats = try json(try curl(["\(base)/stats"]))
        #expect(stats["policy"] as? String == "canary")
        let variants = try #require(stats["variants"] as? [[String: Any]])
        #expect(variants.compactMap { $0["name"] as? String } == ["slow", "fast"])
        let requests = variants.compactMap { $0["requests"] as? Int }
        #expect(requests.reduce(0, +) == 30)

        let feedback = try json(try curl([
            "-X", "POST", "-H", "Content-Type: application/json", "--data-binary", #"{"request_id":"\#(ids[0])","reward":1}"#,
            "\(base)/v2/feedback",
        ]))
        #expect(feedback["reward_recorded"] as? Bool == true, "\(feedback)")
        let unknown = try curl(["-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "--data-binary", #"{"request_id":"nope","reward":1}"#, "\(base)/v2/feedback"])
        #expect(unknown == "404")

        // The primary variant's window holds exactly the rows it answered.
        let drift = try json(try curl(["\(base)/v2/models/digits/drift"]))
        #expect(drift["variant"] as? String == "slow")
        #expect((drift["window"] as? [String: Any])?["rows"] as? Int == requests.first)
        let metrics = try curl(["\(base)/metrics"])
        #expect(metrics.contains("ringmaster_drift_window_rows{"), "\(metrics.prefix(2000))")

        #expect(server.stop() == 0, "serve did not stop cleanly on SIGTERM: \(server.log)")
    }

    @Test func aBadPolicyFileFailsWithOneLine() throws {
        let cli = try CLI()
        let policy = cli.store.appendingPathComponent("bad.yaml")
        try "kind: canary\nvariants:\n  - {model: a, weight: 60}\n  - {model: b, weight: 30}\n".write(to: policy, atomically: true, encoding: .utf8)
        let result = try cli.run(["serve", "--policy", policy.path, "--port", "0"])
        #expect(result.status != 0)
        #expect(result.oneErrorLine?.contains("weights must sum to 100") == true, "\(result.stderr)")
        let none = try cli.run(["serve", "--port", "0"])
        #expect(none.status != 0)
    }
}
