import Deploy
import Testing

@Suite struct SlurmJobTests {
    func job(_ edit: (inout SlurmJob) -> Void = { _ in }) -> SlurmJob {
        var job = SlurmJob(configPath: "/work/examples/digits.yaml", name: "digits")
        edit(&job)
        return job
    }

    func sbatchLines(_ script: String) -> [String] {
        script.split(separator: "\n").map(String.init).filter { $0.hasPrefix("#SBATCH ") }
    }

    @Test func directivesAndLaunchLine() throws {
        let job = job {
            $0.nodes = 2
            $0.ranksPerNode = 8
            $0.time = "02:30:00"
            $0.partition = "cpu"
        }
        try job.validate()
        let script = job.script()
        #expect(script.hasPrefix("#!/bin/bash\n"))
        #expect(sbatchLines(script) == [
            "#SBATCH --job-name=digits", "#SBATCH --nodes=2", "#SBATCH --ntasks-per-node=8",
            "#SBATCH --cpus-per-task=1", "#SBATCH --time=02:30:00", "#SBATCH --partition=cpu",
            "#SBATCH --output=digits-%j.out", "#SBATCH --error=digits-%j.err",
        ])
        #expect(script.contains("\nexport OPENBLAS_NUM_THREADS=1\n"))
        #expect(script.hasSuffix("\nsrun --mpi=pmix ringmaster train '/work/examples/digits.yaml'\n"))
        #expect(!script.contains("RINGMASTER_STORE"))
    }

    @Test func noPartitionLineUnlessGiven() {
        #expect(!job().script().contains("--partition"))
    }

    @Test func sweepLaunchesWithRanksPerTrial() throws {
        let job = job {
            $0.nodes = 2
            $0.ranksPerNode = 4
            $0.sweep = .init(path: "/work/sweep.yaml", ranksPerTrial: 2)
        }
        try job.validate()
        #expect(job.script().hasSuffix("\nsrun --mpi=pmix ringmaster sweep '/work/sweep.yaml' --ranks-per-trial 2\n"))
    }

    @Test func invalidOptionsNameTheOption() {
        let cases: [(SlurmJob, String)] = [
            (job { $0.nodes = 0 }, "--nodes"),
            (job { $0.ranksPerNode = -1 }, "--ranks-per-node"),
            (job { $0.time = "1:00" }, "--time"),
            (job { $0.time = "01:60:00" }, "--time"),
            (job { $0.time = "00:00:00" }, "--time"),
            (job { $0.time = "aa:bb:cc" }, "--time"),
            (job { $0.partition = "a b" }, "--partition"),
            (job { $0.nodes = 2; $0.store = .directory("/tmp/store") }, "--store"),
            (job { $0.ranksPerNode = 3; $0.sweep = .init(path: "s.yaml", ranksPerTrial: 2) }, "--ranks-per-trial"),
        ]
        for (job, option) in cases {
            #expect(throws: DeployError.self) { try job.validate() }
            do {
                try job.validate()
            } catch let error as DeployError {
                #expect(error.option == option)
                #expect(!error.description.contains("\n"))
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
    }

    @Test func longHoursAreAccepted() throws {
        try job { $0.time = "120:00:00" }.validate()
    }

    @Test func storeWithoutPasswordIsWritten() throws {
        let job = job { $0.nodes = 2; $0.store = try! StoreReference.parse("postgres://ringmaster@db.internal/runs") }
        try job.validate()
        #expect(job.script().contains("\nexport RINGMASTER_STORE='postgres://ringmaster@db.internal/runs'\n"))
        #expect(job.notes.isEmpty)
    }

    @Test func passwordNeverWritten() throws {
        for url in ["postgres://ringmaster:s3cret-pw@db.internal:5432/runs", "postgresql://db.internal/runs?user=rm&password=s3cret-pw"] {
            let store = try StoreReference.parse(url)
            #expect(store == .postgres(url: url, hasPassword: true))
            #expect(!store.redacted.contains("s3cret-pw"))
            let job = job { $0.nodes = 2; $0.store = store }
            try job.validate()
            let script = job.script()
            #expect(!script.contains("s3cret-pw"))
            #expect(script.contains("export RINGMASTER_STORE=\"${RINGMASTER_STORE:?"))
            #expect(job.notes.count == 1)
            #expect(!job.notes.joined().contains("s3cret-pw"))
        }
    }

    @Test func malformedPostgresURLIsRefused() {
        #expect(throws: DeployError(option: "--store", reason: "not a valid PostgreSQL URL (expected postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE)")) {
            try StoreReference.parse("postgres://")
        }
    }
}
