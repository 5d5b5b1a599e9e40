import Foundation
import Testing
import TestSupport

/// `runs metrics`: CSV when piped, a braille chart on request, JSON, several keys at once.
@Suite struct RunsMetricsTests {
    @Test func pipedOutputIsCSV() throws {
        let runs = try TrainedRuns.get()
        let table = parseCSV(try runs.output(["runs", "metrics", String(runs.slow.prefix(8)), "--key", "train_loss"]))
        #expect(table.first == ["step", "value", "timestamp"])
        let rows = table.dropFirst()
        #expect(rows.count >= 5)
        let steps = rows.compactMap { Int($0[0]) }
        #expect(steps.count == rows.count && steps == steps.sorted())
        #expect(rows.allSatisfy { Double($0[1]) != nil && $0[2].hasSuffix("Z") })
    }

    @Test func severalKeys() throws {
        let runs = try TrainedRuns.get()
        let table = parseCSV(try runs.output(
            ["runs", "metrics", runs.fast, "--key", "train_loss,validation_loss", "--key", "epoch", "--csv"]))
        #expect(table.first == ["key", "step", "value", "timestamp"])
        #expect(Set(table.dropFirst().map { $0[0] }) == ["train_loss", "validation_loss", "epoch"])
        let epochs = table.filter { $0[0] == "epoch" }.map { Double($0[2]) }
        #expect(epochs == [1, 2])

        let json = try JSONSerialization.jsonObject(with: Data(try runs.output(
            ["runs", "metrics", runs.fast, "--key", "validation_loss", "--key", "epoch", "--json"]).utf8)) as! [[String: Any]]
        #expect(json.map { $0["key"] as! String } == ["validation_loss", "validation_loss", "epoch", "epoch"])
        #expect(json.allSatisfy { $0["step"] is Int && $0["value"] is Double && $0["timestamp"] is String })
    }

    @Test func chartHasAxesLabelsAndBraille() throws {
        let runs = try TrainedRuns.get()
        let json = try JSONSerialization.jsonObject(with: Data(try runs.output(
            ["runs", "metrics", runs.slow, "--key", "train_loss", "--json"]).utf8)) as! [[String: Any]]
        let values = json.map { $0["value"] as! Double }
        let steps = json.map { $0["step"] as! Int }

        let lines = try runs.output(["runs", "metrics", runs.slow, "--key", "train_loss", "--chart"])
            .split(separator: "\n").map(String.init)
        #expect(lines.count == 13, "caption, 10 rows, axis, steps: \(lines)")
        #expect(lines[0].hasPrefix("train_loss  run \(runs.slow.prefix(8))  \(values.count) points"))
        #expect(lines[1].hasPrefix(String(format: "%.4f ┤", values.max()!)), "max label: \(lines[1])")
        #expect(lines[10].hasPrefix(String(format: "%.4f ┤", values.min()!)), "min label: \(lines[10])")
        #expect(lines[11].contains("└────"))
        #expect(lines[12].contains("step \(steps.min()!)") && lines[12].hasSuffix("\(steps.max()!)"))
        let plot = lines[1...10].joined()
        #expect(plot.unicodeScalars.contains { (0x2801...0x28FF).contains($0.value) }, "no braille dots drawn")
    }

    @Test func unknownKeyNamesTheRunsMetrics() throws {
        let runs = try TrainedRuns.get()
        let result = try runs.cli.run(["runs", "metrics", runs.tiny, "--key", "accuracy"])
        let line = try #require(result.oneErrorLine, "\(result.stderr)")
        #expect(line.hasPrefix("ringmaster: error: run \(runs.tiny.prefix(8)) has no metric 'accuracy'; its metrics: epoch, "))
        #expect(line.contains("validation_accuracy"))
        #expect(try runs.cli.run(["runs", "metrics", runs.tiny, "--key", "epoch", "--csv", "--json"]).status != 0)
    }
}
