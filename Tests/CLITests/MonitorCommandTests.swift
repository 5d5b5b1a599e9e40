import Foundation
import Testing
import TestSupport

/// `ringmaster monitor profile|drift` on a digits model: the profile saved at training time,
/// no drift on the data it came from, drift on shifted pixels, and bad input.
@Suite(.serialized) struct MonitorCommandTests {
    static let trained = Result { () throws -> (CLI, String) in
        let cli = try CLI()
        let run = try cli.train(CLI.example("digits.yaml"), ["--set", "training.epochs=2", "--set", "training.checkpoint_every=0"])
        return (cli, run.run_id)
    }

    /// digits.csv with `transform` applied to each row's fields (label last), written to a scratch file.
    static func rewrittenDigits(_ name: String, header: (([String]) -> [String])? = nil, _ transform: ([String]) -> [String]) throws -> String {
        let text = try String(contentsOfFile: CLI.example("data/digits.csv"), encoding: .utf8)
        var lines = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        lines[0] = header?(lines[0]) ?? lines[0]
        for i in 1..<lines.count { lines[i] = transform(lines[i]) }
        let url = try ProcessRunner.temporaryDirectory("monitor").appendingPathComponent(name)
        try (lines.map { $0.joined(separator: ",") }.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    @Test func profileIsSavedWithTheModel() throws {
        let (cli, run) = try Self.trained.get()
        let result = try cli.run(["monitor", "profile", run, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let profile = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let features = try #require(profile["features"] as? [[String: Any]])
        #expect(features.count == 64)
        #expect(features.first?["name"] as? String == "pixel_0_0")
        #expect(profile["rows"] as? Int == 1438)
        let labels = try #require((profile["labels"] as? [String: Any])?["classes"] as? [String: Any])
        #expect((labels["counts"] as? [Int])?.reduce(0, +) == 1438)
        let predictions = try #require((profile["predictions"] as? [String: Any])?["classes"] as? [String: Any])
        #expect((predictions["counts"] as? [Int])?.reduce(0, +) == 1438)
        let table = try cli.run(["monitor", "profile", run])
        #expect(table.stdout.contains("pixel_4_4") && table.stdout.contains("labels: 0="))
    }

    @Test func theTrainingDataDoesNotDrift() throws {
        let (cli, run) = try Self.trained.get()
        let result = try cli.run(["monitor", "drift", run, "--data", CLI.example("data/digits.csv"), "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(report["dataset_drift"] as? Bool == false)
        #expect(report["drifted_features"] as? Int == 0)
        #expect((report["features"] as? [[String: Any]])?.first?["method"] as? String == "wasserstein")
        #expect(((report["accuracy"] as? Double) ?? 0) > 0.9)
        #expect((report["predictions"] as? [String: Any])?["drifted"] as? Bool == false)
    }

    @Test func shiftedPixelsDrift() throws {
        let (cli, run) = try Self.trained.get()
        // Brighten every pixel by 4 (of 16): the kind of shift a new scanner brings.
        let shifted = try Self.rewrittenDigits("shifted.csv") { fields in
            fields.enumerated().map { $0.offset < 64 ? String(min(Int($0.element)! + 4, 20)) : $0.element }
        }
        let json = try cli.run(["monitor", "drift", run, "--data", shifted, "--json"])
        #expect(json.status == 0, "\(json.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(report["dataset_drift"] as? Bool == true)
        #expect(((report["drifted_share"] as? Double) ?? 0) > 0.9)
        let text = try cli.run(["monitor", "drift", run, "--data", shifted, "--fail-on-drift"])
        #expect(text.status == 3)
        #expect(text.stdout.contains("dataset DRIFTED"))
        // Any statistic can decide instead of the default.
        let psi = try cli.run(["monitor", "drift", run, "--data", shifted, "--method", "psi", "--json"])
        #expect(psi.stdout.contains("\"method\":\"psi\""))
    }

    @Test func badInputNamesWhatIsWrong() throws {
        let (cli, run) = try Self.trained.get()
        let missing = try Self.rewrittenDigits("missing.csv", header: { $0.map { $0 == "pixel_3_3" ? "other" : $0 } }) { $0 }
        let result = try cli.run(["monitor", "drift", run, "--data", missing])
        #expect(result.status != 0)
        #expect(result.ringmasterErrors.count == 1)
        #expect(result.stderr.contains("missing.csv") && result.stderr.contains("pixel_3_3"))
        let threshold = try cli.run(["monitor", "drift", run, "--data", CLI.example("data/digits.csv"), "--ks-p-value", "2"])
        #expect(threshold.status != 0 && threshold.stderr.contains("ks_p_value"))
        let method = try cli.run(["monitor", "drift", run, "--data", CLI.example("data/digits.csv"), "--method", "chi"])
        #expect(method.status != 0 && method.stderr.contains("--method"))
    }
}
