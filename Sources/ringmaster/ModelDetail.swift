import Foundation
import RingmasterCore

/// A registered model with its aliases, for `models list`.
struct ModelSummary: Encodable {
    var model: RegisteredModelRecord
    var aliases: [ModelAliasRecord]

    /// `production→3 staging→4`, or `-`.
    static func aliasText(_ aliases: [ModelAliasRecord]) -> String {
        aliases.isEmpty ? "-" : aliases.map { "\($0.alias)→\($0.version)" }.joined(separator: " ")
    }
}

/// Everything `models show` prints: the model, each version with its run's status and latest
/// metrics, the aliases, and every alias move, oldest first.
struct ModelDetail: Encodable {
    struct Version: Encodable {
        var version: ModelVersionRecord
        /// The run's status, or nil when the run is no longer in the store.
        var runStatus: RunStatus?
        var metrics: [String: Double]
        var aliases: [String]
    }

    var model: RegisteredModelRecord
    var versions: [Version]
    var aliases: [ModelAliasRecord]
    var history: [ModelAliasEvent]

    init(store: any MetadataStore, name: String) throws {
        model = try store.registeredModel(name)
        aliases = try store.modelAliases(model: name)
        history = try store.modelAliasEvents(model: name, alias: nil)
        let aliases = self.aliases
        versions = try store.modelVersions(model: name).map { version in
            let run: RunRecord?
            do {
                run = try store.run(version.runID)
            } catch StoreError.unknownRun {
                run = nil
            }
            let metrics = run == nil ? [:] : try store.latestMetrics(run: version.runID).mapValues(\.value)
            return Version(version: version, runStatus: run?.status, metrics: metrics,
                           aliases: aliases.filter { $0.version == version.version }.map(\.alias))
        }
    }

    /// The metrics shown as columns: the validation metrics any version's run recorded.
    var metricColumns: [String] {
        Set(versions.flatMap(\.metrics.keys)).filter { $0.hasPrefix("validation_") }.sorted()
    }

    func lines() -> [String] {
        var lines = ["model \(model.name)" + (model.description.isEmpty ? "" : ": \(model.description)")
                     + "  (\(versions.count) version\(versions.count == 1 ? "" : "s"), created \(Format.timestamp(model.created)))"]
        let metrics = metricColumns
        var table = TextTable(
            headers: ["VERSION", "RUN", "STATUS"] + metrics.map { $0.uppercased() } + ["DATASET", "ALIASES", "REGISTERED", "DESCRIPTION"],
            rightAligned: Set([0] + metrics.indices.map { $0 + 3 }))
        for entry in versions {
            let version = entry.version
            table.append(["\(version.version)", String(version.runID.prefix(8)), entry.runStatus?.rawValue ?? "gone"]
                         + metrics.map { entry.metrics[$0].map(Format.number) ?? "-" }
                         + [version.dataset ?? "-", entry.aliases.isEmpty ? "-" : entry.aliases.joined(separator: " "),
                            Format.timestamp(version.created), Format.clip(version.description, 40)])
        }
        lines += table.lines()
        if !history.isEmpty {
            lines.append("")
            lines.append("alias history")
            var moves = TextTable(headers: ["TIME", "ALIAS", "MOVE", "REASON"])
            for event in history {
                moves.append([Format.timestamp(event.time), event.alias, Self.move(event), event.reason])
            }
            lines += moves.lines()
        }
        return lines
    }

    /// `set → 1`, `1 → 3`, `3 → deleted`.
    static func move(_ event: ModelAliasEvent) -> String {
        "\(event.from.map(String.init) ?? "set") → \(event.to.map(String.init) ?? "deleted")"
    }
}
