import Foundation
import Testing
import TestSupport
import Yams

/// `ringmaster deploy` end to end: the files it writes, its one-line errors, and that a store
/// password reaches none of its output.
@Suite struct DeployCommandTests {
    let binary = ProcessRunner.executable("ringmaster")
    let config = ProcessRunner.packageRoot.appendingPathComponent("examples/digits.yaml").path
    let password = "s3cret-pw"
    var store: String { "postgres://ringmaster:\(password)@db.internal/runs" }

    @Test func slurmScriptWithPasswordStore() throws {
        let folder = try ProcessRunner.temporaryDirectory("deploy-slurm")
        let output = folder.appendingPathComponent("digits.sbatch").path
        let result = try ProcessRunner.run(
            [binary, "deploy", "slurm", config, "--nodes", "2", "--ranks-per-node", "4", "--time", "00:30:00",
             "--partition", "cpu", "--store", store, "--output", output])
        #expect(result.status == 0, "\(result.stderr)")
        let script = try String(contentsOfFile: output, encoding: .utf8)
        #expect(script.contains("#SBATCH --nodes=2\n#SBATCH --ntasks-per-node=4\n"))
        #expect(script.contains("srun --mpi=pmix ringmaster train '\(config)'"))
        #expect(result.stderr.contains("RINGMASTER_STORE"))
        #expect(result.stderr.split(separator: "\n").count == 1)
        for text in [script, result.stdout, result.stderr] { #expect(!text.contains(password)) }
    }

    @Test func k8sFilesWithPasswordStore() throws {
        let folder = try ProcessRunner.temporaryDirectory("deploy-k8s")
        let result = try ProcessRunner.run(
            [binary, "deploy", "k8s", config, "--workers", "2", "--slots-per-worker", "3", "--store", store,
             "--output-dir", folder.path])
        #expect(result.status == 0, "\(result.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(names == ["Dockerfile", "digits-configmap.yaml", "digits-mpijob.yaml"])
        var texts = [result.stdout, result.stderr]
        for name in names { texts.append(try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)) }
        for text in texts { #expect(!text.contains(password)) }
        let job = try #require(try Yams.load(yaml: texts[4]) as? [String: Any])
        #expect((job["spec"] as? [String: Any])?["slotsPerWorker"] as? Int == 3)
        #expect(texts[4].contains("- '6'") || texts[4].contains("- \"6\""))
        let map = try #require(try Yams.load(yaml: texts[3]) as? [String: Any])
        let original = try String(contentsOfFile: config, encoding: .utf8)
        #expect((map["data"] as? [String: Any])?["digits.yaml"] as? String == original)
    }

    @Test func errorsAreOneLineNamingTheOption() throws {
        let cases: [([String], String)] = [
            (["slurm", config, "--nodes", "0"], "--nodes"),
            (["slurm", config, "--time", "90 minutes"], "--time"),
            (["slurm", config, "--ranks-per-trial", "2"], "--ranks-per-trial"),
            (["slurm", "/nonexistent/config.yaml"], "/nonexistent/config.yaml"),
            (["k8s", config, "--workers", "0", "--output-dir", NSTemporaryDirectory()], "--workers"),
            (["k8s", config, "--store", "/shared/store", "--output-dir", NSTemporaryDirectory()], "--store"),
        ]
        for (arguments, named) in cases {
            let result = try ProcessRunner.run([binary, "deploy"] + arguments)
            #expect(result.status != 0, "\(arguments) succeeded")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(named), "\(arguments): \(result.stderr)")
        }
    }
}
