import Foundation
import Pipelines
import Testing
import TestSupport
import Training

/// Every bad pipeline is rejected before anything runs, with the file, line and field named.
@Suite struct PipelineParserTests {
    let folder: URL

    init() throws {
        folder = try ProcessRunner.temporaryDirectory("pipeline-parse")
        try "a,b\n1,2\n".write(to: folder.appendingPathComponent("data.csv"), atomically: true, encoding: .utf8)
    }

    func parse(_ yaml: String) throws -> PipelineSpec {
        try PipelineParser.parse(yaml: yaml, file: "p.yaml", folder: folder)
    }

    /// The one-line message of the error parsing `yaml` throws.
    func failure(_ yaml: String) -> String {
        do {
            _ = try parse(yaml)
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    @Test func ordersStepsAfterWhatTheyNeedAndIndependentOnesAsDeclared() throws {
        let spec = try parse("""
            name: order
            steps:
              report: {uses: custom, needs: [b, c], with: {command: "true"}}
              b: {uses: custom, needs: a, with: {command: "true"}}
              c: {uses: custom, with: {command: "true"}}
              a: {uses: custom, with: {command: "true"}}
            """)
        #expect(spec.order == ["c", "a", "b", "report"])
        #expect(spec.ancestors(of: "report") == ["a", "b", "c"])
    }

    @Test func aCycleIsNamedInFull() {
        let message = failure("""
            name: cyclic
            steps:
              a: {uses: custom, needs: c, with: {command: "true"}}
              b: {uses: custom, needs: a, with: {command: "true"}}
              c: {uses: custom, needs: b, with: {command: "true"}}
            """)
        #expect(message.hasPrefix("p.yaml:3: steps.a.needs: cycle in needs: a -> c -> b -> a"), "\(message)")
    }

    @Test func unknownStepTypeAndUnknownNeedAreNamed() {
        let type = failure("""
            name: p
            steps:
              fetch: {uses: download, with: {url: x}}
            """)
        #expect(type.hasPrefix("p.yaml:3: steps.fetch.uses: unknown step type 'download'"), "\(type)")
        let need = failure("""
            name: p
            steps:
              a: {uses: custom, needs: missing, with: {command: "true"}}
            """)
        #expect(need.contains("steps.a.needs: unknown step 'missing'"), "\(need)")
    }

    @Test func aMissingInputFileOrRequiredFieldIsNamed() {
        let file = failure("""
            name: p
            steps:
              import:
                uses: import-data
                with: {file: nowhere.csv}
            """)
        #expect(file.hasPrefix("p.yaml:5: steps.import.with.file: no such file: \(folder.path)/nowhere.csv"), "\(file)")
        let required = failure("""
            name: p
            steps:
              train: {uses: train, with: {ranks: 2}}
            """)
        #expect(required.contains("steps.train.with.config: is required for a train step"), "\(required)")
    }

    @Test func aThresholdOfTheWrongTypeIsNamed() {
        let base = """
            name: p
            steps:
              gate:
                uses: gate
                with:
                  candidate: abc
                  model: digits
                  data: data.csv
                  metrics:

            """
        let text = failure(base + "        accuracy: {min: high}\n")
        #expect(text.hasPrefix("p.yaml:10: steps.gate.with.metrics.accuracy.min: expected a number, got 'high'"), "\(text)")
        let flag = failure(base + "        loss: {max: 0.5, higher_is_better: 3}\n")
        #expect(flag.contains("steps.gate.with.metrics.loss.higher_is_better: expected true or false"), "\(flag)")
        let metric = failure(base + "        f1: {min: 0.5}\n")
        #expect(metric.contains("steps.gate.with.metrics.f1: unknown metric"), "\(metric)")
        let none = failure(base + "        accuracy: {higher_is_better: true}\n")
        #expect(none.contains("steps.gate.with.metrics.accuracy: needs at least one of min"), "\(none)")
        let ranks = failure("""
            name: p
            steps:
              train: {uses: train, with: {config: data.csv, ranks: two}}
            """)
        #expect(ranks.contains("steps.train.with.ranks: expected an integer, got 'two'"), "\(ranks)")
    }

    @Test func referencesMustNameANeededStepAndAKnownOutput() {
        let unneeded = failure("""
            name: p
            steps:
              a: {uses: import-data, with: {file: data.csv}}
              b: {uses: evaluate, with: {model: "${{ steps.a.outputs.path }}", data: data.csv}}
            """)
        #expect(unneeded.contains("steps.b.with.model: refers to step 'a', which b does not need"), "\(unneeded)")
        let output = failure("""
            name: p
            steps:
              a: {uses: import-data, with: {file: data.csv}}
              b: {uses: evaluate, needs: a, with: {model: "${{ steps.a.outputs.run_id }}", data: data.csv}}
            """)
        #expect(output.contains("steps.b.with.model: step 'a' (import-data) has no output 'run_id'"), "\(output)")
        let syntax = failure("""
            name: p
            steps:
              a: {uses: custom, with: {command: "echo ${{ a.path }}"}}
            """)
        #expect(syntax.contains("steps.a.with.command: '${{ a.path }}' is not a reference"), "\(syntax)")
    }

    @Test func promoteNeedsAGateAndUnknownKeysAreRefused() {
        let promote = failure("""
            name: p
            steps:
              promote: {uses: promote, with: {model: digits, version: 1}}
            """)
        #expect(promote.contains("steps.promote.needs: a promote step must need a gate step"), "\(promote)")
        let key = failure("""
            name: p
            steps:
              a: {uses: custom, with: {command: "true", retries: 3}}
            """)
        #expect(key.contains("steps.a.with.retries: unknown key (expected one of: command, timeout, inputs)"), "\(key)")
        let top = failure("name: p\nstages: {}\nsteps:\n  a: {uses: custom, with: {command: 'true'}}\n")
        #expect(top.hasPrefix("p.yaml:2: stages: unknown key"), "\(top)")
        let rows = failure("""
            name: p
            triggers: {interval: 60, min_new_rows: 10}
            steps:
              a: {uses: custom, with: {command: "true"}}
            """)
        #expect(rows.contains("triggers.min_new_rows: counts rows of new files: add triggers.watch"), "\(rows)")
    }
}
