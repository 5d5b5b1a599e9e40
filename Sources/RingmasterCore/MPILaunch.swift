/// The command line that starts a ringmaster job on several ranks from outside MPI: the
/// restart supervisor, pipeline steps and reproductions all launch `mpirun` the same way.
public enum MPILaunch {
    /// `command` unchanged for one rank; otherwise under `mpirun -np RANKS`, oversubscribed
    /// and unbound (a job may ask for more ranks than this machine has cores, as a 4-rank
    /// reproduction on a laptop does), with `mpirunArguments` (hosts, MCA settings) before `-np`.
    public static func command(_ command: [String], ranks: Int, mpirunArguments: [String] = []) -> [String] {
        guard ranks > 1 else { return command }
        return ["mpirun", "--oversubscribe", "--bind-to", "none"] + mpirunArguments + ["-np", "\(ranks)"] + command
    }
}
