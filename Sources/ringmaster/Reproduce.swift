import ArgumentParser
import Datasets
import Foundation
import RingmasterCore
import Training

/// `ringmaster runs reproduce RUN`: trains again from the run's recorded configuration,
/// rank count and data, and reports whether the final weights are bit-identical.
struct Reproduce: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Re-run a recorded run from its recorded configuration, rank count and data; compare weights and metrics.")

    @Argument(help: "Run id or unique prefix.") var runID: String
    @Option(help: World.storeHelp) var store: String?
    @Flag(help: "Print the report as JSON.") var json = false

    struct Report: Encodable {
        struct MetricComparison: Encodable {
            var key: String
            var original: Double
            var reproduced: Double?
            var difference: Double?
        }
        var runID: String
        var reproductionRunID: String
        var ranks: Int
        var bitIdentical: Bool
        var originalWeightsSHA256: String
        var reproducedWeightsSHA256: String
        var metrics: [MetricComparison]
    }

    func run() throws {
        let store = try World.openStore(self.store)
        let original = try store.run(runID)
        let artifacts = try store.artifacts(run: original.id)
        guard let configArtifact = artifacts.first(where: { $0.name == RunRecorder.configArtifact }),
              let recordedWeights = original.tags["ringmaster.weights_sha256"],
              let recordedData = original.tags["ringmaster.data.fingerprint"]
        else {
            throw CLIError(message: "run \(original.id.prefix(8)) cannot be reproduced: it has no recorded configuration and final weights (status \(original.status.rawValue))")
        }
        let yaml = String(decoding: try store.artifactContents(configArtifact), as: UTF8.self)
        let config = try ConfigurationLoader.parse(yaml: yaml, file: "run \(original.id.prefix(8)) \(configArtifact.name)")

        // The data must be the data the run saw.
        let data = try DatasetReader.read(
            path: config.data.path, format: config.data.format.flatMap(DatasetFormat.init(rawValue:)),
            label: config.data.label, labelsPath: config.data.labelsPath)
        guard data.fingerprint == recordedData else {
            throw CLIError(message: "cannot reproduce run \(original.id.prefix(8)): \(config.data.path) now has sha256 \(data.fingerprint.prefix(12))…, the run was trained on \(recordedData.prefix(12))… (\(original.tags["ringmaster.data.version"] ?? "unknown version")); restore that data first")
        }

        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ringmaster-reproduce-\(original.id).yaml")
        try Data(yaml.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let ranks = Int(original.params["training.ranks"] ?? "1") ?? 1
        let result = try TrainingLauncher(ranks: ranks, store: self.store).train(
            config: file.path, arguments: ["--tag", "ringmaster.reproduces=\(original.id)", "--parent", original.id])

        let before = try store.latestMetrics(run: original.id)
        let after = try store.latestMetrics(run: result.runID)
        let keys = before.keys.filter { $0.hasPrefix("validation_") || $0 == "train_loss" }.sorted()
        let report = Report(
            runID: original.id, reproductionRunID: result.runID, ranks: ranks,
            bitIdentical: result.weightsSHA256 == recordedWeights, originalWeightsSHA256: recordedWeights,
            reproducedWeightsSHA256: result.weightsSHA256,
            metrics: keys.map { key in
                let reproduced = after[key]?.value
                return .init(key: key, original: before[key]!.value, reproduced: reproduced,
                             difference: reproduced.map { $0 - before[key]!.value })
            })
        if json {
            print(try JSONOutput.line(report))
            return
        }
        print("run \(original.id.prefix(8)) reproduced as \(result.runID.prefix(8)) on \(ranks) rank\(ranks == 1 ? "" : "s")")
        print(report.bitIdentical
              ? "  final weights: bit-identical (sha256 \(recordedWeights.prefix(16))…)"
              : "  final weights: DIFFERENT (\(recordedWeights.prefix(16))… recorded, \(result.weightsSHA256.prefix(16))… now)")
        var table = TextTable(headers: ["METRIC", "RECORDED", "REPRODUCED", "DIFFERENCE"], rightAligned: [1, 2, 3])
        for metric in report.metrics {
            table.append([
                metric.key, Format.number(metric.original), metric.reproduced.map(Format.number) ?? "-",
                metric.difference.map { String(format: "%+.3g", $0) } ?? "-",
            ])
        }
        table.lines().forEach { print("  " + $0) }
    }
}
