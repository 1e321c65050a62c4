//! One file per subcommand, each a thin wrapper over one operation of the library.

pub(crate) mod apply;
pub(crate) mod approve;
pub(crate) mod config_status;
pub(crate) mod inventory;
pub(crate) mod plan;
pub(crate) mod show;
pub(crate) mod validate;

use crate::aws::Aws;
use crate::cli::Format;
use crate::plan::Plan;
use crate::render::{self, Color};

/// A plan in the format asked for.
fn render_plan(plan: &Plan, format: Format, color: Color) -> String {
    match format {
        Format::Human => render::human(plan, color),
        Format::Json => serde_json::to_string_pretty(&render::json(plan)).expect("JSON values serialize") + "\n",
        Format::Markdown => render::markdown(plan),
    }
}

/// Reads a saved plan, checking it is whole and made by this version.
fn read_saved(path: &std::path::Path) -> Result<crate::saved::SavedPlan, crate::error::Error> {
    let text = std::fs::read_to_string(path)
        .map_err(|source| crate::error::Error::Io { what: format!("reading {}", path.display()), source })?;
    Ok(crate::saved::SavedPlan::parse(&path.display().to_string(), &text)?)
}
use crate::aws::pacing::is_mutating;

/// `--stats`: calls per API, throttled calls and wall time, on stderr, one `stats:` line each.
/// `floor_ms` is the least time an API's calls take at its published rate; the largest of them
/// is the floor of the whole run, which `make bench` compares the wall time with.
fn print_stats(aws: &Aws, enabled: bool) {
    if !enabled {
        return;
    }
    let pacer = aws.pacer();
    let stats = pacer.stats();
    for note in pacer.notes() {
        eprintln!("stats: {note}");
    }
    let (mut calls, mut mutating, mut throttled) = (0, 0, 0);
    let floor = pacer.run_floor(&stats);
    for (api, s) in &stats {
        let api_floor = pacer.floor(api, s.calls);
        eprintln!(
            "stats: {api} calls={} throttled={} retried={} failed={} floor_ms={}",
            s.calls,
            s.throttled,
            s.retried,
            s.failed,
            api_floor.as_millis()
        );
        calls += s.calls;
        throttled += s.throttled;
        if is_mutating(api) {
            mutating += s.calls;
        }
    }
    eprintln!(
        "stats: total calls={calls} mutating={mutating} throttled={throttled} wall_ms={} floor_ms={}",
        pacer.elapsed().as_millis(),
        floor.as_millis()
    );
}
