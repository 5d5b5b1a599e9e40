import ArgumentParser
import Foundation
import MLflowInterchange
import RingmasterCore

/// `ringmaster runs import-mlflow PATH`: copies runs from an MLflow SQLite tracking database.
struct ImportMLflow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-mlflow",
        abstract: "Import runs from an MLflow SQLite tracking database (read-only).",
        discussion: """
            PATH is the file of MLflow's sqlite:///PATH tracking URI. Runs keep their MLflow id, \
            name, status, times, params, tags (mlflow.* included) and full metric histories. \
            Importing again skips runs already in the store.
            """)

    @Argument(help: "MLflow's SQLite database, e.g. mlflow.db.")
    var path: String
    @Option(help: "Only runs of this MLflow experiment.")
    var experiment: String?
    @Flag(help: "Also import runs that MLflow marks deleted.")
    var includeDeleted = false
    @Option(help: World.storeHelp)
    var store: String?
    @Flag(help: "Print the summary as JSON.")
    var json = false

    func run() throws {
        let summary: MLflowImportSummary
        do {
            let database = try MLflowDatabase(path: path)
            let target: any MetadataStore = try World.openStore(store)
            summary = try MLflowImporter(
                database: database, options: MLflowImportOptions(experiment: experiment, includeDeleted: includeDeleted)
            ).run(into: target)
        } catch let error as MLflowImportError {
            throw CLIError(message: "\(error)")
        } catch let error as StoreError {
            throw CLIError(message: "\(error)")
        }
        if json {
            print(try JSONOutput.line(summary))
            return
        }
        var line = "imported \(summary.runsImported) runs with \(summary.metricPoints) metric points "
            + "from \(summary.experiments) experiments of \(path)"
        if summary.runsSkipped > 0 { line += "; skipped \(summary.runsSkipped) runs already in the store" }
        if summary.deletedRunsExcluded > 0 {
            line += "; left out \(summary.deletedRunsExcluded) deleted runs (--include-deleted imports them)"
        }
        print(line)
    }
}
