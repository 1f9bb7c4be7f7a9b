/// FNV-1a, 64 bits, continuing from `seed` (0 starts afresh): enough to tell a changed file
/// (this is not a security check). Shared by `build.rs`, which records the hashes of the
/// component and its sources, and the library, which checks them at run time.
pub fn fnv1a(seed: u64, bytes: &[u8]) -> u64 {
    let mut hash = if seed == 0 {
        0xcbf2_9ce4_8422_2325
    } else {
        seed
    };
    for &byte in bytes {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}
