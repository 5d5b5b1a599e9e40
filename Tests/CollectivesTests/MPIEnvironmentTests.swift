import Collectives
import RingmasterCore
import Testing

@Suite struct MPIEnvironmentTests {
    @Test func detectsLaunchersFromTheEnvironment() {
        #expect(!MPIEnvironment.launchedByMPI(environment: [:]))
        #expect(!MPIEnvironment.launchedByMPI(environment: ["SLURM_PROCID": "0", "HOME": "/root"]))
        for variable in ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"] {
            #expect(MPIEnvironment.launchedByMPI(environment: [variable: "0"]), "\(variable)")
        }
    }

    /// Without a launcher the world is one local rank, and MPI is never started.
    @Test(.enabled(if: !MPIEnvironment.launchedByMPI))
    func worldWithoutLauncherIsLocal() throws {
        let world = try Collectives.makeWorld()
        #expect(world is LocalCommunicator)
        #expect(world.size == 1 && world.rank == 0)
        #expect(MPIEnvironment.current == nil)
        try Collectives.shutdown()
    }
}
