import CBLAS
public enum BLASInfo { public static var threads: Int { Int(openblas_get_num_threads()) } }
