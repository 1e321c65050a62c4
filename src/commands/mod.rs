//! One file per subcommand, each a thin wrapper over one operation of the library.

pub mod apply;
pub mod plan;
pub mod validate;

use crate::aws::Aws;
use crate::aws::pacing::is_mutating;

/// `--stats`: calls per API, throttled calls and wall time, on stderr, one `stats:` line each.
fn print_stats(aws: &Aws, enabled: bool) {
    if !enabled {
        return;
    }
    let pacer = aws.pacer();
    let stats = pacer.stats();
    let (mut calls, mut mutating, mut throttled) = (0, 0, 0);
    for (api, s) in &stats {
        eprintln!("stats: {api} calls={} throttled={} retried={} failed={}", s.calls, s.throttled, s.retried, s.failed);
        calls += s.calls;
        throttled += s.throttled;
        if is_mutating(api) {
            mutating += s.calls;
        }
    }
    eprintln!(
        "stats: total calls={calls} mutating={mutating} throttled={throttled} wall_ms={}",
        pacer.elapsed().as_millis()
    );
}
