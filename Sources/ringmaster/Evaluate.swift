import ArgumentParser
import Datasets
import Foundation
import Learning
import RingmasterCore

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score a model on labelled data with its saved preprocessing.")

    @Argument(help: ArgumentHelp(stringLiteral: ModelReference.help))
    var model: String

    @Option(help: "Labelled data (CSV, LIBSVM or IDX).")
    var data: String

    @Option(help: "Label column (default: the model's label name).")
    var label: String?

    @Option(help: World.storeHelp)
    var store: String?

    @Flag(help: "Print one JSON object.")
    var json = false

    func run() throws {
        let file = try ModelReference.load(model, store: store)
        let dataset = try DatasetReader.read(path: data, label: label ?? file.labelName)
        let scored = try ModelScoring(model: file).score(dataset)
        if json {
            print(try JSONOutput.line(scored))
        } else {
            var line = "\(scored.rows) rows  loss \(String(format: "%.4f", scored.loss))"
            if let accuracy = scored.accuracy { line += "  accuracy \(String(format: "%.4f", accuracy))" }
            if let r2 = scored.r2 { line += "  r2 \(String(format: "%.4f", r2))" }
            print(line)
        }
    }
}

struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Predict with a model, one output row per input row, as CSV (or JSON lines).")

    @Argument(help: ArgumentHelp(stringLiteral: ModelReference.help))
    var model: String

    @Option(help: "Data to predict (CSV, LIBSVM or IDX); a label column, if present, is ignored.")
    var data: String

    @Option(help: World.storeHelp)
    var store: String?

    @Flag(help: "Print one JSON object per row.")
    var json = false

    func run() throws {
        let file = try ModelReference.load(model, store: store)
        let dataset = try DatasetReader.readFeatures(path: data, label: file.labelName.isEmpty ? nil : file.labelName)
        let predictions = try ModelScoring(model: file).predict(dataset)
        var out = ""
        if json {
            for row in predictions { out += try JSONOutput.line(row) + "\n" }
        } else {
            let header = file.task == .regression
                ? ["prediction"] : ["prediction"] + (file.classLabels.map { "p_\($0)" })
            out = header.joined(separator: ",") + "\n"
            for row in predictions {
                out += ([row.prediction] + row.probabilities.map { String(format: "%.6g", $0) }).joined(separator: ",") + "\n"
            }
        }
        FileHandle.standardOutput.write(Data(out.utf8))
    }
}
