//! The crate's rayon thread pool. Sized by `SHELFCAST_NUM_THREADS` (default: all cores),
//! built once, and used only inside the core (callers release the GIL around it).

use rayon::{ThreadPool, ThreadPoolBuilder};
use std::sync::OnceLock;

static POOL: OnceLock<ThreadPool> = OnceLock::new();

/// Number of worker threads requested through `SHELFCAST_NUM_THREADS`, if valid.
fn requested_threads() -> Option<usize> {
    std::env::var("SHELFCAST_NUM_THREADS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
}

/// The shared pool.
pub fn pool() -> &'static ThreadPool {
    POOL.get_or_init(|| {
        let mut b = ThreadPoolBuilder::new().thread_name(|i| format!("shelfcast-{i}"));
        if let Some(n) = requested_threads() {
            b = b.num_threads(n);
        }
        // Building a pool only fails if the OS refuses to spawn threads; fall back to
        // a single-threaded pool rather than panicking into Python.
        b.build().unwrap_or_else(|_| {
            ThreadPoolBuilder::new()
                .num_threads(1)
                .build()
                .expect("a one-thread pool can always be built")
        })
    })
}

/// Run `f` inside the shared pool.
pub fn install<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    pool().install(f)
}

/// Threads in the shared pool.
pub fn num_threads() -> usize {
    pool().current_num_threads()
}
