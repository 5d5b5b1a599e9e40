import ArgumentParser
import Foundation
import RingmasterCore

struct Models: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The model registry: versions of named models, and aliases such as production.",
        discussion: """
            A registered version is the model artifact of one run. Refer to it as NAME:VERSION \
            (digits:3) or through an alias as NAME@ALIAS (digits@production) wherever a model is \
            accepted (evaluate, predict, lineage model:REF). Every move of an alias is kept in \
            the model's history.
            """,
        subcommands: [Register.self, List.self, Show.self, Alias.self, Promote.self, Rollback.self])

    struct Register: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register a run's model as the next version of NAME.")
        @OptionGroup var options: Runs.StoreOptions
        @Argument(help: "Registered model name (letters, digits, '-', '_', '.'); created when new.") var name: String
        @Option(name: .customLong("run"), help: "The run whose model to register (id or unique prefix).") var runID: String
        @Option(help: "What this version is.") var description = ""
        @Option(help: "Set a tag on the version: key=value (repeatable).") var tag: [String] = []

        func run() throws {
            let tags = try KeyValueOption.parse(tag, option: "--tag")
            let store = try World.openStore(options.store)
            let version = try ModelRegistry(store: store).register(
                model: name, run: runID, description: description, tags: tags)
            if options.json {
                print(try JSONOutput.line(version))
                return
            }
            var line = "registered \(version.reference): run \(version.runID.prefix(8)) \(version.artifactName) "
                + "(sha256 \(Format.digest(version.artifactSHA256)))"
            if let dataset = version.dataset { line += ", dataset \(dataset)" }
            print(line)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every registered model, with its versions and aliases.")
        @OptionGroup var options: Runs.StoreOptions

        func run() throws {
            let store = try World.openStore(options.store)
            let models = try store.registeredModels().map { ModelSummary(model: $0, aliases: try store.modelAliases(model: $0.name)) }
            if options.json {
                print(try JSONOutput.line(models))
                return
            }
            if models.isEmpty {
                print("no registered models yet; `ringmaster models register NAME --run RUN` adds one")
                return
            }
            var table = TextTable(headers: ["MODEL", "VERSIONS", "ALIASES", "UPDATED", "DESCRIPTION"], rightAligned: [1])
            for summary in models {
                table.append([summary.model.name, "\(summary.model.latestVersion)", ModelSummary.aliasText(summary.aliases),
                              Format.timestamp(summary.model.updated), Format.clip(summary.model.description, 40)])
            }
            table.lines().forEach { print($0) }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A model's versions (run, metrics, dataset), its aliases and every move of them.")
        @OptionGroup var options: Runs.StoreOptions
        @Argument(help: "Registered model name.") var name: String

        func run() throws {
            let store = try World.openStore(options.store)
            let detail = try ModelDetail(store: store, name: name)
            if options.json {
                print(try JSONOutput.line(detail))
                return
            }
            detail.lines().forEach { print($0) }
        }
    }
}

extension Models {
    struct Alias: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Point an alias at a version, or delete it; the move is recorded in the model's history.")
        @OptionGroup var options: Runs.StoreOptions
        @Argument(help: "Registered model name.") var name: String
        @Argument(help: "Alias (e.g. production, staging, champion).") var alias: String
        @Option(help: "The version the alias points at from now on.") var version: Int?
        @Flag(help: "Delete the alias.") var delete = false
        @Option(help: "Why, for the history.") var reason: String?

        func validate() throws {
            if (version == nil) == !delete { throw ValidationError("give either --version V or --delete") }
        }

        func run() throws {
            let store = try World.openStore(options.store)
            let event = try store.moveModelAlias(
                model: name, alias: alias, to: version, reason: reason ?? (delete ? "deleted" : "set"))
            try Models.report(event, json: options.json)
        }
    }

    struct Promote: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Point an alias (default production) at a version, if its run meets --require.",
            discussion: """
                --require takes the run search syntax of `runs list --filter`, evaluated against the \
                version's run: "metrics.validation_accuracy >= 0.97 and params.optimizer.kind = 'adam'". \
                When a condition fails, nothing moves and the failing condition is printed with the \
                run's actual value.
                """)
        @OptionGroup var options: Runs.StoreOptions
        @Argument(help: "Registered model name.") var name: String
        @Option(help: "The version to promote.") var version: Int
        @Option(help: "The alias to move.") var alias = "production"
        @Option(help: "A condition the version's run must meet, e.g. \"metrics.validation_accuracy >= 0.97\".")
        var require: String?
        @Option(help: "Why, for the history (default: the requirement).") var reason: String?

        func run() throws {
            let store = try World.openStore(options.store)
            let event: ModelAliasEvent
            do {
                event = try ModelRegistry(store: store).promote(
                    model: name, version: version, alias: alias, requirement: require, reason: reason)
            } catch let error as RunFilterError {
                throw CLIError(message: "--require: \(error)")
            }
            try Models.report(event, json: options.json)
        }
    }

    struct Rollback: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move an alias (default production) back to the version it pointed at before its last move.")
        @OptionGroup var options: Runs.StoreOptions
        @Argument(help: "Registered model name.") var name: String
        @Option(help: "The alias to move back.") var alias = "production"
        @Option(help: "Why, for the history.") var reason: String?

        func run() throws {
            let store = try World.openStore(options.store)
            let event = try ModelRegistry(store: store).rollback(model: name, alias: alias, reason: reason)
            try Models.report(event, json: options.json)
        }
    }

    /// `digits@production: 2 → 3 (promoted: metrics.validation_accuracy >= 0.9)`, or the event as JSON.
    static func report(_ event: ModelAliasEvent, json: Bool) throws {
        if json {
            print(try JSONOutput.line(event))
            return
        }
        print("\(event.model)@\(event.alias): \(ModelDetail.move(event)) (\(event.reason))")
    }
}
