/// The 64-bit FNV-1a hash of UTF-8 bytes: the same on every platform and in every process,
/// unlike `Hasher`, whose seed changes per process. A/B assignments depend on it, so it
/// must never change.
enum StableHash {
    static func fnv1a(_ text: String, seed: UInt64 = 0xCBF2_9CE4_8422_2325) -> UInt64 {
        var hash = seed
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        return hash
    }

    /// A uniform value in [0, 1) for `key` under `salt`. FNV-1a alone spreads short, similar
    /// keys (`user-1`, `user-2`) poorly in its high bits, so the hash goes through
    /// MurmurHash3's 64-bit finalizer first.
    static func unit(salt: String, key: String) -> Double {
        var hash = fnv1a(key, seed: fnv1a(salt + "\u{1F}"))
        hash ^= hash >> 33
        hash &*= 0xFF51_AFD7_ED55_8CCD
        hash ^= hash >> 33
        hash &*= 0xC4CE_B9FE_1A85_EC53
        hash ^= hash >> 33
        return Double(hash >> 11) * 0x1.0p-53
    }
}
