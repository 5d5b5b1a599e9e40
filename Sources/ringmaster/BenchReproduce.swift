import ArgumentParser
import Foundation
import Training

/// `ringmaster bench reproduce SPEC...`: trains each published configuration and checks
/// the metric lands in its expected range.
struct BenchReproduce: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reproduce",
        abstract: "Run reproduction specs (benchmarks/repro/*.yaml) and compare expected with measured.")

    @Argument(help: "Reproduction spec files.") var specs: [String]
    @Flag(help: "Print one JSON object per spec instead of a table.") var json = false

    struct Row: Encodable {
        var name: String
        var ranks: Int
        var metric: String
        var expectedMin: Double
        var expectedMax: Double
        var measured: Double?
        var passed: Bool
        var seconds: Double
        var source: String
    }

    func run() throws {
        let loaded = try specs.map { try ReproductionSpec.load(path: $0) }
        let store = FileManager.default.temporaryDirectory.appendingPathComponent("ringmaster-bench-reproduce-\(getpid())")
        defer { try? FileManager.default.removeItem(at: store) }
        var table = TextTable(headers: ["SPEC", "RANKS", "METRIC", "EXPECTED", "MEASURED", "RESULT"], rightAligned: [1, 4])
        var failures = 0
        for spec in loaded {
            let started = Date()
            let result = try TrainingLauncher(ranks: spec.ranks, store: store.path).train(
                config: spec.config, arguments: spec.overrides.flatMap { ["--set", $0] })
            let measured = result.value(of: spec.metric)
            let passed = measured.map { $0 >= spec.minimum && $0 <= spec.maximum } ?? false
            if !passed { failures += 1 }
            let row = Row(
                name: spec.name, ranks: spec.ranks, metric: spec.metric, expectedMin: spec.minimum,
                expectedMax: spec.maximum, measured: measured, passed: passed,
                seconds: Date().timeIntervalSince(started), source: spec.source)
            if json {
                print(try JSONOutput.line(row))
            } else {
                table.append([
                    spec.name, "\(spec.ranks)", spec.metric, String(format: "%.4f–%.4f", spec.minimum, spec.maximum),
                    measured.map { String(format: "%.4f", $0) } ?? "-", passed ? "pass" : "FAIL",
                ])
            }
        }
        if !json { table.lines().forEach { print($0) } }
        if failures > 0 { throw CLIError(message: "\(failures) of \(loaded.count) reproductions fell outside their expected range") }
    }
}
