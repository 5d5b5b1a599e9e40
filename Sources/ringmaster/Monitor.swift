import ArgumentParser
import Datasets
import Foundation
import Learning
import Monitoring
import RingmasterCore

struct Monitor: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare new data with what a model was trained on.", subcommands: [Drift.self, Profile.self])

    struct Drift: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Per-feature drift (PSI, Kolmogorov–Smirnov, Jensen–Shannon, Wasserstein) of new data against the model's training profile.",
            discussion: """
                Each feature drifts by one statistic: with --method auto (the default), the KS test \
                (p < --ks-p-value) when the reference or the new data holds at most --small-reference \
                values, the Wasserstein distance in reference standard deviations (>= --wasserstein) \
                when both are larger. \
                The dataset drifts when at least --drift-share of its features do. Prediction (and, \
                for labelled data, label) distributions are compared by Jensen–Shannon distance.
                """)

        @Argument(help: ArgumentHelp(stringLiteral: ModelReference.help))
        var model: String

        @Option(help: "New data (CSV, LIBSVM or IDX); a label column, if present, adds label drift and accuracy.")
        var data: String

        @Option(help: "auto, ks, wasserstein, psi or jensen_shannon.")
        var method: String = "auto"

        @Option(name: .customLong("ks-p-value"), help: "KS: a feature drifts below this p-value.")
        var ksPValue = DriftThresholds().ksPValue

        @Option(help: "Wasserstein distance over the reference standard deviation at which a feature drifts.")
        var wasserstein = DriftThresholds().wasserstein

        @Option(name: .customLong("jensen-shannon"), help: "Jensen–Shannon distance (natural log) at which a feature or class distribution drifts.")
        var jensenShannon = DriftThresholds().jensenShannon

        @Option(help: "Population stability index at which a feature drifts.")
        var psi = DriftThresholds().psi

        @Option(help: "Share of drifted features at which the dataset drifts.")
        var driftShare = DriftThresholds().driftShare

        @Option(help: "auto: KS when the reference or the new data has at most this many values, Wasserstein above.")
        var smallReference = DriftThresholds().smallReference

        @Flag(help: "Exit with status 3 when the dataset drifts.")
        var failOnDrift = false

        @Option(help: World.storeHelp)
        var store: String?

        @Flag(help: "Print one JSON object.")
        var json = false

        func run() throws {
            guard let method = DriftMethod(rawValue: method) else {
                throw CLIError(message: "--method: '\(self.method)' is not one of \(DriftMethod.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            var thresholds = DriftThresholds()
            thresholds.method = method
            thresholds.ksPValue = ksPValue
            thresholds.wasserstein = wasserstein
            thresholds.jensenShannon = jensenShannon
            thresholds.psi = psi
            thresholds.driftShare = driftShare
            thresholds.smallReference = smallReference

            let file = try ModelReference.load(model, store: store)
            guard let profile = file.profile else { throw CLIError(message: DriftError.noProfile(model: model).description) }
            let dataset = try DatasetReader.readFeatures(path: data, label: file.labelName.isEmpty ? nil : file.labelName)
            let report = try DriftAnalysis(model: file, profile: profile, detector: DriftDetector(thresholds: thresholds))
                .report(dataset)
            if json {
                print(try JSONOutput.line(report))
            } else {
                print(Self.describe(report))
            }
            if failOnDrift && report.datasetDrift {
                throw CLIError(
                    message: "\(data): dataset drifted: \(report.driftedFeatures) of \(report.features.count) features against \(model)'s training data",
                    code: 3)
            }
        }

        static func describe(_ report: DriftReport) -> String {
            var table = TextTable(
                headers: ["FEATURE", "METHOD", "SCORE", "DRIFT", "KS", "KS P", "WASSERSTEIN", "JS", "PSI", "MEAN REF", "MEAN NOW"],
                rightAligned: [2, 4, 5, 6, 7, 8, 9, 10])
            for f in report.features {
                table.append([
                    f.name, f.method.rawValue, Format.number(f.score), f.drifted ? "yes" : "-", Format.number(f.ksStatistic),
                    Format.number(f.ksPValue), Format.number(f.wasserstein), Format.number(f.jensenShannon),
                    Format.number(f.psi), Format.number(f.referenceMean), Format.number(f.currentMean),
                ])
            }
            var lines = table.lines()
            lines.append("")
            lines.append(
                "\(report.driftedFeatures) of \(report.features.count) features drifted (\(Format.number(report.driftedShare * 100))%, threshold \(Format.number(report.thresholds.driftShare * 100))%): "
                    + (report.datasetDrift ? "dataset DRIFTED" : "no dataset drift")
                    + "  (reference \(report.referenceRows) rows, current \(report.currentRows))")
            if let p = report.predictions {
                lines.append("predictions: Jensen–Shannon \(Format.number(p.jensenShannon)), PSI \(Format.number(p.psi))" + (p.drifted ? "  DRIFTED" : ""))
            }
            if let p = report.predictionValues {
                lines.append("predictions: KS p \(Format.number(p.ksPValue)), Wasserstein \(Format.number(p.wasserstein))" + (p.drifted ? "  DRIFTED" : ""))
            }
            if let l = report.labels {
                lines.append("labels: Jensen–Shannon \(Format.number(l.jensenShannon)), PSI \(Format.number(l.psi))" + (l.drifted ? "  DRIFTED" : ""))
            }
            if let accuracy = report.accuracy { lines.append("accuracy on this data: \(Format.number(accuracy))") }
            return lines.joined(separator: "\n")
        }
    }

    struct Profile: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The training-data profile saved with a model.")

        @Argument(help: ArgumentHelp(stringLiteral: ModelReference.help))
        var model: String

        @Option(help: World.storeHelp)
        var store: String?

        @Flag(help: "Print the whole profile as one JSON object (samples included).")
        var json = false

        func run() throws {
            let file = try ModelReference.load(model, store: store)
            guard let profile = file.profile else { throw CLIError(message: DriftError.noProfile(model: model).description) }
            if json {
                print(try JSONOutput.line(profile))
                return
            }
            var table = TextTable(
                headers: ["FEATURE", "COUNT", "MISSING", "MEAN", "STD", "MIN", "P25", "P50", "P75", "MAX"],
                rightAligned: Set(1...9))
            for f in profile.features {
                let q = { (level: Int) in f.quantiles.indices.contains(level) ? Format.number(f.quantiles[level]) : "-" }
                table.append([
                    f.name, "\(f.count)", "\(f.missing)", Format.number(f.mean), Format.number(f.standardDeviation),
                    Format.number(f.minimum), q(25), q(50), q(75), Format.number(f.maximum),
                ])
            }
            table.lines().forEach { print($0) }
            if case .classes(let names, let counts)? = profile.labels {
                print("\nlabels: " + zip(names, counts).map { "\($0)=\($1)" }.joined(separator: " "))
            }
            if case .classes(let names, let counts)? = profile.predictions {
                print("predictions: " + zip(names, counts).map { "\($0)=\($1)" }.joined(separator: " "))
            }
        }
    }
}

/// Drift of a dataset against a model's profile, with the model's predictions on it.
struct DriftAnalysis {
    let model: ModelFile
    let profile: FeatureProfile
    let detector: DriftDetector

    func report(_ dataset: Dataset) throws -> DriftReport {
        var report = try detector.compare(
            reference: profile, features: dataset.features, rows: dataset.rowCount, names: dataset.featureNames,
            source: dataset.source)
        let scoring = ModelScoring(model: model)
        let ordered = try scoring.aligned(dataset)
        let predictions = try scoring.predict(ordered)
        // Predicted class names back to class indices, or predicted values as numbers.
        let values: [Double]
        if case .classes(let names, _)? = profile.predictions {
            let index = Dictionary(names.enumerated().map { ($1, Double($0)) }, uniquingKeysWith: { a, _ in a })
            values = predictions.map { index[$0.prediction] ?? -1 }
        } else {
            values = predictions.compactMap { Double($0.prediction) }
        }
        detector.addPredictionDrift(profile.predictions, predictions: values, to: &report)
        if !dataset.labelName.isEmpty {
            if case .classes(let names, let counts)? = profile.labels {
                let labels = dataset.labels.map { value -> String in
                    if let classNames = dataset.classNames { return classNames[Int(value)] }
                    return names.indices.contains(Int(value)) ? names[Int(value)] : String(value)
                }
                report.labels = detector.distributionDrift(reference: names, counts, current: Self.count(labels, over: names))
            }
            report.accuracy = try scoring.score(ordered).accuracy
        }
        return report
    }

    static func count(_ values: [String], over names: [String]) -> [Int] {
        let index = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        var counts = [Int](repeating: 0, count: names.count)
        for value in values { if let i = index[value] { counts[i] += 1 } }
        return counts
    }
}
