import CMPI
import RingmasterCore
public enum MPIInfo { public static func version() -> Int { var v: Int32 = 0; var s: Int32 = 0; MPI_Get_version(&v, &s); return Int(v) } }
