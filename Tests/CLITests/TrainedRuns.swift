import Foundation
import MetadataSQLite
import RingmasterCore
import TestSupport

/// Four runs in one scratch store, made once and shared read-only by the search, compare
/// and export tests: three short digits trainings and one run imported as if from MLflow.
///
/// | run | experiment | optimizer.learning_rate | training.epochs | other |
/// |---|---|---|---|---|
/// | slow | digits | 0.002 | 2 | |
/// | fast | digits | 0.05 | 2 | |
/// | tiny | tiny | 0.01 | 1 | tag `note` with a comma and quotes |
/// | imported | mlflow | 0.1 | – | param `imported.only`, metric `validation_accuracy` 0.5 only; started 2024-01-01 |
struct TrainedRuns: Sendable {
    let cli: CLI
    let slow: String
    let fast: String
    let tiny: String
    let imported: String

    static let note = "has, a comma and \"quotes\""
    private static let shared = Result { try TrainedRuns() }

    static func get() throws -> TrainedRuns { try shared.get() }

    private init() throws {
        let cli = try CLI()
        self.cli = cli
        let config = CLI.example("digits.yaml")
        func train(_ settings: [String]) throws -> String {
            try cli.train(config, ["--set", "training.checkpoint_every=0"] + settings.flatMap { ["--set", $0] }).run_id
        }
        slow = try train(["training.epochs=2", "optimizer.learning_rate=0.002"])
        fast = try train(["training.epochs=2", "optimizer.learning_rate=0.05"])
        tiny = try train(["training.epochs=1", "optimizer.learning_rate=0.01", "experiment=tiny"])
        let store = try SQLiteStore(directory: cli.store)
        try store.setTags(run: tiny, ["note": Self.note])
        let imported = String(repeating: "0123abcd", count: 4)
        self.imported = imported
        let start = Date(timeIntervalSince1970: 1_704_067_200)
        try store.importRun(
            RunRecord(id: imported, experiment: "mlflow", name: "from-mlflow", status: .finished, startTime: start,
                      endTime: start.addingTimeInterval(90), params: ["optimizer.learning_rate": "0.1", "imported.only": "yes"]),
            metrics: [MetricPoint(key: "validation_accuracy", step: 1, value: 0.5, timestamp: start)])
    }

    /// `ringmaster ARGS --store STORE`, expected to succeed; returns standard output.
    func output(_ arguments: [String]) throws -> String {
        let result = try cli.run(arguments)
        guard result.status == 0 else {
            throw CLIFailure(message: "\(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)")
        }
        return result.stdout
    }

    /// The run ids `runs list ARGS --json` prints, in order.
    func listedIDs(_ arguments: [String]) throws -> [String] {
        let rows = try JSONSerialization.jsonObject(with: Data(try output(["runs", "list", "--json"] + arguments).utf8))
        return (rows as? [[String: Any]] ?? []).compactMap { ($0["run"] as? [String: Any])?["id"] as? String }
    }
}

/// Reads RFC 4180 CSV: quoted fields may hold commas, doubled quotes and line breaks.
func parseCSV(_ text: String) -> [[String]] {
    var rows: [[String]] = []
    var row: [String] = []
    var field = ""
    var quoted = false
    var characters = text.makeIterator()
    var pending: Character? = nil
    while let c = pending ?? characters.next() {
        pending = nil
        if quoted {
            if c == "\"" {
                if let next = characters.next() {
                    if next == "\"" { field.append("\"") } else { quoted = false; pending = next }
                } else {
                    quoted = false
                }
            } else {
                field.append(c)
            }
        } else if c == "\"" {
            quoted = true
        } else if c == "," {
            row.append(field)
            field = ""
        } else if c == "\n" || c == "\r\n" {
            row.append(field)
            rows.append(row)
            row = []
            field = ""
        } else {
            field.append(c)
        }
    }
    if !field.isEmpty || !row.isEmpty { rows.append(row + [field]) }
    return rows
}

extension ProcessResult {
    /// The one `ringmaster: error:` line of a failed command, or nil when it succeeded or printed several.
    var oneErrorLine: String? {
        let lines = ringmasterErrors
        return status != 0 && lines.count == 1 ? lines[0] : nil
    }
}
