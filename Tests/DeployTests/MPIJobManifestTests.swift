import Deploy
import Testing
import Yams

@Suite struct MPIJobManifestTests {
    let configText = """
        experiment: digits
        data:
          path: /data/digits.csv
          label: label
        model:
          kind: mlp
          hidden: [128]
        training:
          epochs: 3

        """

    func manifest() -> MPIJobManifest {
        var manifest = MPIJobManifest(name: "Digits_Run", configFileName: "digits.yaml", configText: configText)
        manifest.workers = 3
        manifest.slotsPerWorker = 2
        manifest.image = "registry.example/ringmaster:0.1"
        return manifest
    }

    func load(_ yaml: String) throws -> [String: Any] {
        try #require(try Yams.load(yaml: yaml) as? [String: Any])
    }

    @Test func mpiJobFields() throws {
        let manifest = manifest()
        try manifest.validate()
        let job = try load(try manifest.mpiJobYAML())
        #expect(job["apiVersion"] as? String == "kubeflow.org/v2beta1")
        #expect(job["kind"] as? String == "MPIJob")
        #expect((job["metadata"] as? [String: Any])?["name"] as? String == "digits-run")
        let spec = try #require(job["spec"] as? [String: Any])
        #expect(spec["slotsPerWorker"] as? Int == 2)
        #expect(spec["launcherCreationPolicy"] as? String == "WaitForWorkersReady")
        #expect(spec["mpiImplementation"] as? String == "OpenMPI")
        #expect((spec["runPolicy"] as? [String: Any])?["cleanPodPolicy"] as? String == "Running")

        let replicas = try #require(spec["mpiReplicaSpecs"] as? [String: Any])
        let launcher = try #require(replicas["Launcher"] as? [String: Any])
        let worker = try #require(replicas["Worker"] as? [String: Any])
        #expect(launcher["replicas"] as? Int == 1)
        #expect(worker["replicas"] as? Int == 3)

        let launcherPod = try pod(launcher)
        let container = try #require((launcherPod["containers"] as? [[String: Any]])?.first)
        #expect(container["image"] as? String == "registry.example/ringmaster:0.1")
        let command = try #require(container["command"] as? [String])
        #expect(command.first == "mpirun")
        let np = try #require(command.firstIndex(of: "-np"))
        #expect(command[np + 1] == "6")
        #expect(command.contains("--allow-run-as-root"))
        #expect(command.contains("OPENBLAS_NUM_THREADS=1"))
        #expect(Array(command.suffix(3)) == ["ringmaster", "train", "/config/digits.yaml"])

        let env = try #require((container["env"] as? [[String: Any]])?.first)
        #expect(env["name"] as? String == "RINGMASTER_STORE")
        #expect(env["value"] == nil)
        let secret = try #require(((env["valueFrom"] as? [String: Any])?["secretKeyRef"]) as? [String: Any])
        #expect(secret["name"] as? String == "digits-run-store")
        #expect(secret["key"] as? String == "url")

        let workerPod = try pod(worker)
        let workerContainer = try #require((workerPod["containers"] as? [[String: Any]])?.first)
        let resources = try #require(workerContainer["resources"] as? [String: Any])
        #expect((resources["requests"] as? [String: Any])?["cpu"] as? String == "2")
        for pod in [launcherPod, workerPod] {
            let volume = try #require((pod["volumes"] as? [[String: Any]])?.first)
            #expect((volume["configMap"] as? [String: Any])?["name"] as? String == "digits-run-config")
            let containers = try #require(pod["containers"] as? [[String: Any]])
            let mount = try #require((containers.first?["volumeMounts"] as? [[String: Any]])?.first)
            #expect(mount["name"] as? String == volume["name"] as? String)
            #expect(mount["mountPath"] as? String == "/config")
        }
        // Workers' ranks share gradients through /dev/shm: a memory-backed volume, not 64 MB.
        let shm = try #require((workerPod["volumes"] as? [[String: Any]])?.first { $0["name"] as? String == "dshm" })
        #expect((shm["emptyDir"] as? [String: Any])?["medium"] as? String == "Memory")
        let shmMount = (workerContainer["volumeMounts"] as? [[String: Any]])?.first { $0["name"] as? String == "dshm" }
        #expect(shmMount?["mountPath"] as? String == "/dev/shm")
    }

    @Test func configMapHoldsTheConfigurationVerbatim() throws {
        let map = try load(try manifest().configMapYAML())
        #expect(map["apiVersion"] as? String == "v1")
        #expect(map["kind"] as? String == "ConfigMap")
        #expect((map["metadata"] as? [String: Any])?["name"] as? String == "digits-run-config")
        let data = try #require(map["data"] as? [String: Any])
        #expect(data["digits.yaml"] as? String == configText)
    }

    @Test func numberLikeStringsStayStrings() throws {
        var manifest = manifest()
        manifest.image = "1234"
        let job = try load(try manifest.mpiJobYAML())
        let spec = try #require(job["spec"] as? [String: Any])
        let launcher = try #require((spec["mpiReplicaSpecs"] as? [String: Any])?["Launcher"] as? [String: Any])
        let container = try #require((try pod(launcher)["containers"] as? [[String: Any]])?.first)
        #expect(container["image"] as? String == "1234")
    }

    @Test func invalidOptionsNameTheOption() {
        var zeroWorkers = manifest()
        zeroWorkers.workers = 0
        var zeroSlots = manifest()
        zeroSlots.slotsPerWorker = 0
        var badImage = manifest()
        badImage.image = "a b"
        for (manifest, option) in [(zeroWorkers, "--workers"), (zeroSlots, "--slots-per-worker"), (badImage, "--image")] {
            do {
                try manifest.validate()
                Issue.record("\(option) accepted")
            } catch let error as DeployError {
                #expect(error.option == option)
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
    }

    @Test func passwordNeverInManifestsOrNotes() throws {
        let store = try StoreReference.parse("postgres://rm:s3cret-pw@db/runs")
        let manifest = manifest()
        let everything = [try manifest.mpiJobYAML(), try manifest.configMapYAML(), RingmasterDockerfile.text()]
            + manifest.notes(store: store)
        #expect(!everything.joined().contains("s3cret-pw"))
        #expect(manifest.notes(store: store).joined().contains("kubectl create secret generic digits-run-store"))
    }

    private func pod(_ replica: [String: Any]) throws -> [String: Any] {
        try #require((replica["template"] as? [String: Any])?["spec"] as? [String: Any])
    }
}
