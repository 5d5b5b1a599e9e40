import Yams

/// A Kubeflow `MPIJob` (mpi-operator v2, Open MPI over SSH) that trains one configuration on
/// `workers × slotsPerWorker` ranks, and the `ConfigMap` that carries the configuration.
///
/// The store URL never appears here: the launcher reads `RINGMASTER_STORE` from a `Secret`
/// and `mpirun -x` forwards it to the ranks (processes started over SSH do not see a pod's
/// environment).
public struct MPIJobManifest: Sendable {
    /// Object name, normally the experiment name; cleaned to an RFC 1123 label.
    public var name: String
    /// File name of the configuration inside the ConfigMap and under `/config`.
    public var configFileName: String
    /// The configuration's YAML text, copied verbatim into the ConfigMap.
    public var configText: String
    /// Worker pods; default 1.
    public var workers: Int = 1
    /// Ranks (and CPU cores requested) per worker pod; default 1.
    public var slotsPerWorker: Int = 1
    /// Container image holding `ringmaster`, Open MPI and sshd (see `Dockerfile`).
    public var image: String = "ringmaster:latest"

    /// Where the configuration is mounted in every pod.
    public static let configDirectory = "/config"

    public init(name: String, configFileName: String, configText: String) {
        self.name = name
        self.configFileName = configFileName
        self.configText = configText
    }

    /// The Kubernetes object names derived from `name`.
    public var jobName: String { Naming.kubernetesName(name) }
    public var configMapName: String { "\(jobName)-config" }
    /// The Secret the user creates with the store URL under key `url`.
    public var storeSecretName: String { "\(jobName)-store" }
    /// Total MPI ranks.
    public var ranks: Int { workers * slotsPerWorker }

    /// Checks every option; throws the first problem, naming its option.
    public func validate() throws {
        if workers < 1 { throw DeployError(option: "--workers", reason: "must be at least 1 (got \(workers))") }
        if slotsPerWorker < 1 {
            throw DeployError(option: "--slots-per-worker", reason: "must be at least 1 (got \(slotsPerWorker))")
        }
        if image.isEmpty || image.contains(where: \.isWhitespace) {
            throw DeployError(option: "--image", reason: "expected one image reference (got '\(image)')")
        }
    }

    /// The ConfigMap as YAML.
    public func configMapYAML() throws -> String {
        let configMap: Node = [
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": ["name": Self.string(configMapName), "labels": labels],
            "data": [Self.string(configFileName): Node(configText, .implicit, .literal)],
        ]
        return try Yams.serialize(node: configMap)
    }

    /// The MPIJob as YAML; call `validate()` first.
    public func mpiJobYAML() throws -> String {
        let configPath = "\(Self.configDirectory)/\(configFileName)"
        let command: [String] = [
            "mpirun", "-np", String(ranks), "--allow-run-as-root",
            "-x", "OPENBLAS_NUM_THREADS=1", "-x", "RINGMASTER_STORE",
            "ringmaster", "train", configPath,
        ]
        let mount: Node = [["name": "config", "mountPath": Node(Self.configDirectory), "readOnly": Node("true", Tag(.bool))]]
        let volumes: Node = [["name": "config", "configMap": ["name": Self.string(configMapName)]]]
        // A worker's ranks exchange gradients through shared memory in /dev/shm, which a
        // container gets at 64 MB unless a memory-backed volume replaces it.
        let workerMounts: Node = [
            ["name": "config", "mountPath": Node(Self.configDirectory), "readOnly": Node("true", Tag(.bool))],
            ["name": "dshm", "mountPath": "/dev/shm"],
        ]
        let workerVolumes: Node = [
            ["name": "config", "configMap": ["name": Self.string(configMapName)]],
            ["name": "dshm", "emptyDir": ["medium": "Memory"]],
        ]
        let cpu = Self.string(String(slotsPerWorker))
        let launcher: Node = [
            "replicas": 1,
            "template": [
                "metadata": ["labels": labels],
                "spec": [
                    "containers": [[
                        "name": "launcher",
                        "image": Self.string(image),
                        "command": Node(command.map { Self.string($0) }),
                        "env": [[
                            "name": "RINGMASTER_STORE",
                            "valueFrom": ["secretKeyRef": ["name": Self.string(storeSecretName), "key": "url"]],
                        ]],
                        "volumeMounts": mount,
                    ]],
                    "volumes": volumes,
                ],
            ],
        ]
        let worker: Node = [
            "replicas": Node(String(workers), Tag(.int)),
            "template": [
                "metadata": ["labels": labels],
                "spec": [
                    "containers": [[
                        "name": "worker",
                        "image": Self.string(image),
                        // The operator's launcher reaches workers over SSH with keys it mounts in /root/.ssh.
                        "command": ["/usr/sbin/sshd", "-De"],
                        "resources": ["requests": ["cpu": cpu], "limits": ["cpu": cpu]],
                        "volumeMounts": workerMounts,
                    ]],
                    "volumes": workerVolumes,
                ],
            ],
        ]
        let job: Node = [
            "apiVersion": "kubeflow.org/v2beta1",
            "kind": "MPIJob",
            "metadata": ["name": Self.string(jobName), "labels": labels],
            "spec": [
                "slotsPerWorker": Node(String(slotsPerWorker), Tag(.int)),
                "launcherCreationPolicy": "WaitForWorkersReady",
                "mpiImplementation": "OpenMPI",
                "runPolicy": ["cleanPodPolicy": "Running"],
                "mpiReplicaSpecs": ["Launcher": launcher, "Worker": worker],
            ],
        ]
        return try Yams.serialize(node: job)
    }

    /// Lines for standard error: the Secret the job needs. Never holds a password.
    public func notes(store: StoreReference?) -> [String] {
        let value: String
        switch store {
        case .postgres(let url, false): value = Naming.shellQuoted(url)
        default: value = "\"$RINGMASTER_STORE\""
        }
        return ["note: the launcher reads the store URL from Secret \(storeSecretName); create it with: kubectl create secret generic \(storeSecretName) --from-literal=url=\(value)"]
    }

    private var labels: Node { ["app.kubernetes.io/name": "ringmaster", "app.kubernetes.io/instance": Self.string(jobName)] }

    /// A scalar that stays a string when read back, even when it looks like a number.
    private static func string(_ text: String) -> Node {
        let plain = Resolver.default.resolveTag(of: Node(text)) == .str
        return Node(text, Tag(.str), plain ? .any : .doubleQuoted)
    }
}
