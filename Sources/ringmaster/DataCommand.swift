import ArgumentParser
import Datasets
import Foundation
import RingmasterCore

struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data", abstract: "Record and list dataset versions.", subcommands: [Import.self, List.self])

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fingerprint a data file and record it as a version of a named dataset.")
        @Argument(help: "Data file (CSV, LIBSVM or IDX images).") var file: String
        @Option(help: "Dataset name (default: the file's base name).") var name: String?
        @Option(help: "Label column (CSV).") var label: String?
        @Option(help: "IDX labels file.") var labelsPath: String?
        @Option(help: World.storeHelp) var store: String?
        @Flag(help: "Print the version as JSON.") var json = false

        func run() throws {
            let dataset = try DatasetReader.read(path: file, label: label, labelsPath: labelsPath)
            let store = try World.openStore(store)
            let source = URL(fileURLWithPath: file).standardizedFileURL.path
            let version = try store.recordDatasetVersion(NewDatasetVersion(
                name: name ?? URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent,
                fingerprint: dataset.fingerprint, schema: dataset.schema.json, rows: dataset.rowCount, source: source))
            if json {
                print(try JSONOutput.line(version))
            } else {
                print("\(version.reference)  \(version.rows) rows × \(dataset.featureCount) features  sha256 \(version.fingerprint)")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Dataset versions, oldest first.")
        @Argument(help: "Only this dataset.") var name: String?
        @Option(help: World.storeHelp) var store: String?
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let versions = try World.openStore(store).datasetVersions(name: name)
            if json {
                print(try JSONOutput.line(versions))
                return
            }
            var table = TextTable(headers: ["DATASET", "ROWS", "SHA256", "SOURCE"], rightAligned: [1])
            for version in versions {
                table.append([version.reference, "\(version.rows)", Format.digest(version.fingerprint), version.source])
            }
            table.lines().forEach { print($0) }
        }
    }
}
