import ArgumentParser
import Deploy
import Foundation
import Training
import Tuning

/// `ringmaster deploy slurm|k8s`: writes the files that launch a training run on a cluster.
struct Deploy: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the files that launch training on a cluster: an sbatch script, or a Kubeflow MPIJob.",
        discussion: "See docs/operations.md for multi-node launches, the shared store and troubleshooting.",
        subcommands: [Slurm.self, Kubernetes.self])

    struct Slurm: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write an sbatch script that runs training (or a sweep) with srun, one rank per core.",
            discussion: "ringmaster deploy slurm examples/digits.yaml --nodes 2 --ranks-per-node 8 --output digits.sbatch")

        @Argument(help: "Training configuration (YAML).") var config: String
        @Option(help: "Nodes to allocate.") var nodes = 1
        @Option(help: "MPI ranks per node (one core each).") var ranksPerNode = 1
        @Option(help: "Wall-clock limit, HH:MM:SS.") var time = "01:00:00"
        @Option(help: "Slurm partition (default: the cluster's default).") var partition: String?
        @Option(help: "postgres:// URL every node can reach; a password in it is read from $RINGMASTER_STORE at run time, never written.")
        var store: String?
        @Option(help: "Run this sweep specification instead of training CONFIG once.") var sweep: String?
        @Option(help: "Ranks per trial for --sweep; must divide nodes × ranks-per-node.") var ranksPerTrial: Int?
        @Option(help: "Write the script here instead of standard output.") var output: String?

        func run() throws {
            let configuration = try ConfigurationLoader.load(path: config)
            var job = SlurmJob(configPath: Deploy.absolute(config), name: configuration.experiment)
            job.nodes = nodes
            job.ranksPerNode = ranksPerNode
            job.time = time
            job.partition = partition
            job.store = try store.map { try StoreReference.parse($0) }
            if case .directory(let path) = job.store { job.store = .directory(Deploy.absolute(path)) }
            if let sweep {
                _ = try SweepSpec.load(path: sweep)
                job.sweep = .init(path: Deploy.absolute(sweep), ranksPerTrial: ranksPerTrial ?? 1)
            } else if ranksPerTrial != nil {
                throw CLIError(message: "--ranks-per-trial: only applies with --sweep")
            }
            try job.validate()
            try Deploy.write(job.script(), to: output)
            Deploy.note(job.notes)
        }
    }

    struct Kubernetes: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "k8s",
            abstract: "Write a Kubeflow MPIJob, the ConfigMap holding the configuration, and a Dockerfile for the image.",
            discussion: "ringmaster deploy k8s examples/digits.yaml --workers 4 --slots-per-worker 2 --image registry/ringmaster:0.1")

        @Argument(help: "Training configuration (YAML).") var config: String
        @Option(help: "Worker pods.") var workers = 1
        @Option(help: "MPI ranks per worker pod; also its CPU request.") var slotsPerWorker = 1
        @Option(help: "Container image built from the generated Dockerfile.") var image = "ringmaster:latest"
        @Option(help: "postgres:// URL of the store; it goes into a Secret you create, never into the manifest.")
        var store: String?
        @Option(help: "Folder to write the manifests and Dockerfile into.") var outputDir = "deploy"

        func run() throws {
            let configuration = try ConfigurationLoader.load(path: config)
            let text = try String(contentsOfFile: config, encoding: .utf8)
            let reference = try store.map { try StoreReference.parse($0) }
            if case .directory = reference {
                throw CLIError(message: "--store: pods do not share a file system; give a postgres:// URL")
            }
            var manifest = MPIJobManifest(
                name: configuration.experiment, configFileName: URL(fileURLWithPath: config).lastPathComponent, configText: text)
            manifest.workers = workers
            manifest.slotsPerWorker = slotsPerWorker
            manifest.image = image
            try manifest.validate()
            let folder = URL(fileURLWithPath: outputDir)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let files = [
                ("\(manifest.jobName)-configmap.yaml", try manifest.configMapYAML()),
                ("\(manifest.jobName)-mpijob.yaml", try manifest.mpiJobYAML()),
                ("Dockerfile", RingmasterDockerfile.text()),
            ]
            for (name, contents) in files {
                let path = folder.appendingPathComponent(name).path
                try Deploy.write(contents, to: path)
                print("wrote \(path)")
            }
            var notes = manifest.notes(store: reference)
            // Relative data paths resolve against the config's folder, which in the pods is the ConfigMap mount.
            let dataPath = try ConfigurationLoader.parse(yaml: text, file: config).data.path
            let podPath = dataPath.hasPrefix("/") ? dataPath : "\(MPIJobManifest.configDirectory)/\(dataPath)"
            notes.append("note: the pods read data from \(podPath); put it there in the image or a volume (a relative data.path lands in the read-only ConfigMap folder, so prefer an absolute one)")
            Deploy.note(notes)
        }
    }

    static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardized.path
    }

    /// Writes `text` to `path`, or to standard output when there is no path.
    static func write(_ text: String, to path: String?) throws {
        guard let path else {
            FileHandle.standardOutput.write(Data(text.utf8))
            return
        }
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw CLIError(message: "\(path): cannot write: \(error.localizedDescription)")
        }
    }

    static func note(_ lines: [String]) {
        for line in lines { FileHandle.standardError.write(Data("ringmaster: \(line)\n".utf8)) }
    }
}
