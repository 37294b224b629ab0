//! Memory the process gives back.
//!
//! A login hashes its password with argon2id, which needs one block of
//! `memory_kib` (19 MiB by default) for the length of the hash. glibc's
//! malloc serves a block that large with `mmap` and unmaps it when freed, but
//! only at first: each such free raises its "mmap threshold" to the freed
//! size, so from then on the blocks come from the heaps of malloc's arenas
//! (one per blocking thread, up to eight per core) and stay there. A login
//! storm left the server at 2.5–3.3 GB and it never shrank. Fixing the
//! threshold below the argon2 block keeps every block mapped and returned on
//! free; smaller allocations are unaffected.

/// Blocks at least this large are always mapped on their own.
const MMAP_THRESHOLD: i32 = 4 << 20;

/// Call once at start-up, before the runtime's threads start.
pub fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only adjusts malloc's parameters; it is called before
    // other threads allocate, and both arguments are valid constants.
    unsafe {
        // Setting the threshold also turns off its dynamic adjustment.
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
    }
}
