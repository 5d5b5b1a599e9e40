import Foundation
import Testing
import TestSupport

/// `ringmaster serve` as an operator runs it: a trained run served on a free port,
/// answering what `ringmaster predict` answers, and stopping cleanly on SIGTERM.
@Suite struct ServeCommandTests {
    @Test func servesATrainedRunAndStopsOnSIGTERM() throws {
        let runs = try TrainedRuns.get()
        let csv = try String(contentsOfFile: CLI.example("data/digits.csv"), encoding: .utf8).split(separator: "\n")
        let header = csv[0].split(separator: ",").map(String.init)
        let labelColumn = try #require(header.firstIndex(of: "label"))
        let values = csv[1].split(separator: ",").map(String.init)
        let rowFile = runs.cli.store.appendingPathComponent("one-row.csv")
        try (csv[0] + "\n" + csv[1] + "\n").write(to: rowFile, atomically: true, encoding: .utf8)
        let predicted = try runs.output(["predict", runs.tiny, "--data", rowFile.path, "--json"])
        let expected = try JSONSerialization.jsonObject(with: Data(predicted.utf8)) as? [String: Any]
        let expectedProbabilities = try #require(expected?["probabilities"] as? [Double])

        let server = try RunningServer(["serve", "digits=\(runs.tiny)", "--port", "0", "--store", runs.cli.store.path], in: runs.cli.store)
        let base = server.base

        let features = header.indices.filter { $0 != labelColumn }
        let body = #"{"dataframe_split":{"columns":[\#(features.map { "\"\(header[$0])\"" }.joined(separator: ","))],"data":[[\#(features.map { values[$0] }.joined(separator: ","))]]}}"#
        let answer = try ProcessRunner.run(
            ["curl", "-sS", "-X", "POST", "-H", "Content-Type: application/json", "--data-binary", body, "\(base)/invocations"],
            timeout: 60)
        #expect(answer.status == 0, "\(answer.stderr)")
        let served = try JSONSerialization.jsonObject(with: Data(answer.stdout.utf8)) as? [String: Any]
        let probabilities = try #require((served?["probabilities"] as? [[Double]])?.first, "\(answer.stdout)")
        #expect(probabilities.count == expectedProbabilities.count)
        #expect(zip(probabilities, expectedProbabilities).allSatisfy { abs($0 - $1) < 1e-5 })
        #expect((served?["predictions"] as? [String])?.first == expected?["prediction"] as? String)

        let live = try ProcessRunner.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "\(base)/v2/health/live"], timeout: 60)
        #expect(live.stdout == "200")

        #expect(server.stop() == 0, "serve did not stop cleanly on SIGTERM: \(server.log)")
    }

    @Test func badReferencesFailWithOneLine() throws {
        let cli = try CLI()
        let missing = try cli.run(["serve", "no-such-model", "--port", "0"])
        #expect(missing.status != 0)
        #expect(missing.oneErrorLine?.contains("no-such-model") == true, "\(missing.stderr)")

        let token = cli.store.appendingPathComponent("empty-token")
        try "\n".write(to: token, atomically: true, encoding: .utf8)
        let empty = try cli.run(["serve", "x", "--admin-token-file", token.path])
        #expect(empty.oneErrorLine?.contains("admin token file is empty") == true, "\(empty.stderr)")
    }
}
