import Foundation
import RingmasterCore
import Testing
import Training

@Suite struct ConfigurationLoaderTests {
    let minimal = """
        data:
          path: d.csv
        model:
          kind: mlp
          hidden: [32, 16]
        """

    @Test func defaultsAndValues() throws {
        let config = try ConfigurationLoader.parse(yaml: minimal, file: "c.yaml")
        #expect(config.data.path == "d.csv")
        #expect(config.model.hidden == [32, 16])
        #expect(config.training.batchSize == 32)
        #expect(config.optimizer.kind == .adam)
    }

    @Test func overridesApplyBeforeValidation() throws {
        let config = try ConfigurationLoader.parse(
            yaml: minimal, file: "c.yaml",
            overrides: ["model.hidden=[8]", "training.epochs=3", "optimizer.kind=sgd", "training.early_stopping=2"])
        #expect(config.model.hidden == [8])
        #expect(config.training.epochs == 3)
        #expect(config.optimizer.kind == .sgd)
        #expect(config.training.earlyStoppingPatience == 2)
    }

    @Test(arguments: [
        ("model:\n  hiden: [3]\ndata:\n  path: d.csv\n", "model.hiden", "c.yaml:2"),
        ("dta:\n  path: d.csv\n", "dta", "c.yaml:1"),
        ("data:\n  path: d.csv\ntraining:\n  epochs: many\n", "training.epochs", "c.yaml:4"),
        ("data:\n  path: d.csv\nmodel:\n  kind: forest\n", "model.kind", "c.yaml:4"),
        ("data:\n  path: d.csv\n  validation_fraction: 1.5\n", "data.validation_fraction", "c.yaml"),
        ("model:\n  kind: mlp\n", "data.path", "c.yaml"),
    ])
    func errorsNameTheKeyAndLine(yaml: String, key: String, place: String) {
        do {
            _ = try ConfigurationLoader.parse(yaml: yaml, file: "c.yaml")
            Issue.record("accepted invalid configuration for \(key)")
        } catch {
            let message = "\(error)"
            #expect(message.contains(key), "\(message)")
            #expect(message.hasPrefix(place), "\(message)")
        }
    }

    @Test func badOverrideIsRejected() {
        #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader.parse(yaml: minimal, file: "c.yaml", overrides: ["training.batch_size"])
        }
        #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader.parse(yaml: minimal, file: "c.yaml", overrides: ["training.batch_size=0"])
        }
    }
}

@Suite struct ConfigurationYAMLTests {
    @Test func writtenYAMLReadsBackEqual() throws {
        var config = try ConfigurationLoader.parse(
            yaml: "data:\n  path: /d/x.csv\n  label: 'it''s'\n", file: "c.yaml",
            overrides: ["optimizer.learning_rate=0.0003", "model.hidden=[256, 128]", "training.early_stopping={patience: 3, min_delta: 0.001}",
                        "optimizer.scale_lr=true", "model.dropout=0.25", "training.seed=12345678901"])
        config.experiment = "exp: with colon"
        let again = try ConfigurationLoader.parse(yaml: config.yaml, file: "written.yaml")
        #expect(again == config)
    }

    @Test func everyDefaultRoundTrips() throws {
        var config = TrainingConfiguration()
        config.data.path = "/data/digits.csv"
        #expect(try ConfigurationLoader.parse(yaml: config.yaml, file: "written.yaml") == config)
    }
}

@Suite struct WatchdogConfigurationTests {
    let minimal = "data:\n  path: d.csv\n"

    @Test func defaultsAndOverrides() throws {
        let defaults = try ConfigurationLoader.parse(yaml: minimal, file: "c.yaml")
        #expect(defaults.watchdog.stallTimeout == 60)
        #expect(defaults.watchdog.lostPeerTimeout == 10)
        let set = try ConfigurationLoader.parse(
            yaml: minimal + "watchdog:\n  stall_timeout: 5\n", file: "c.yaml", overrides: ["watchdog.lost_peer_timeout=0"])
        #expect(set.watchdog.stallTimeout == 5)
        #expect(set.watchdog.lostPeerTimeout == 0)
        #expect(try ConfigurationLoader.parse(yaml: set.yaml, file: "round-trip") == set)
    }

    @Test(arguments: [
        ("watchdog:\n  stall_timeout: -1\n", "watchdog.stall_timeout"),
        ("watchdog:\n  lost_peer_timeout: 1\n", "watchdog.lost_peer_timeout"),
        ("watchdog:\n  heartbeat_interval: 0\n", "watchdog.heartbeat_interval"),
        ("watchdog:\n  stall: 3\n", "watchdog.stall"),
    ])
    func badValuesNameTheKey(yaml: String, key: String) {
        #expect {
            try ConfigurationLoader.parse(yaml: minimal + yaml, file: "c.yaml")
        } throws: { error in
            "\(error)".contains(key)
        }
    }
}
