/// FNV-1a, 64 bits, continuing from `seed` (0 starts afresh). A fixed, seedless hash: the
/// user-agent cache's hasher (so the component asks its host for no random seed), and
/// host-test's check that the component it loads is the one it built (`build.rs` includes
/// this file). Not a security check.
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
