//! What the commands share, decided once per run: whether each output stream is coloured, and —
//! for commands that talk to AWS — one connection (credentials, region, pacing) whose `--stats`
//! are printed once, when the command is done.

use crate::aws::{Aws, ConnectOptions};
use crate::cli::AwsArgs;
use crate::error::Error;
use crate::render::Color;
use std::io::IsTerminal;

/// Colour for stdout and stderr, by one rule: off with `--no-color`; else off when `NO_COLOR` is
/// set to anything non-empty; else on when `FORCE_COLOR` (not `0` or `false`) or
/// `CLICOLOR_FORCE` (not `0`) is set; else on only where the stream is a terminal.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Terminal {
    pub(crate) stdout: Color,
    pub(crate) stderr: Color,
    /// Whether a person watches stderr: progress indicators are drawn only then.
    pub(crate) stderr_is_terminal: bool,
}

impl Terminal {
    pub(crate) fn detect(no_color_flag: bool) -> Terminal {
        let set = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let wanted = !no_color_flag && set("NO_COLOR").is_none();
        let forced = set("FORCE_COLOR").is_some_and(|v| v != "0" && v != "false")
            || set("CLICOLOR_FORCE").is_some_and(|v| v != "0");
        let on = |terminal: bool| if wanted && (forced || terminal) { Color::On } else { Color::Off };
        let stderr_is_terminal = std::io::stderr().is_terminal();
        Terminal { stdout: on(std::io::stdout().is_terminal()), stderr: on(stderr_is_terminal), stderr_is_terminal }
    }
}

/// One run's connection to AWS.
pub(crate) struct Session {
    pub(crate) aws: Aws,
    stats: bool,
}

impl Session {
    pub(crate) async fn connect(args: &AwsArgs) -> Result<Session, Error> {
        let options = ConnectOptions { profile: args.profile.clone(), region: args.region.clone() };
        let aws = Aws::connect(&options).await.map_err(|err| Error::Credentials(Box::new(err)))?;
        Ok(Session { aws, stats: args.stats })
    }

    /// A second connection, as another profile (count mode reads an organization trail's bucket
    /// in the log-archive account this way); its calls are not in `--stats`.
    pub(crate) async fn connect_as(args: &AwsArgs, profile: &str) -> Result<Session, Error> {
        let options = ConnectOptions { profile: Some(profile.to_string()), region: args.region.clone() };
        let aws = Aws::connect(&options).await.map_err(|err| Error::Credentials(Box::new(err)))?;
        Ok(Session { aws, stats: false })
    }

    /// Ends the session: prints `--stats` when asked, whatever the command's result, and hands
    /// the result on.
    pub(crate) fn finish<T>(&self, result: T) -> T {
        if self.stats {
            print_stats(&self.aws);
        }
        result
    }
}

/// `--stats`: calls per API, throttled calls and wall time, on stderr, one `stats:` line each.
/// `floor_ms` is the least time an API's calls take at its published rate; the largest of them
/// is the floor of the whole run, which `make bench` compares the wall time with.
fn print_stats(aws: &Aws) {
    let pacer = aws.pacer();
    let stats = pacer.stats();
    for note in pacer.notes() {
        eprintln!("stats: {note}");
    }
    let (mut calls, mut mutating, mut throttled) = (0, 0, 0);
    let floor = pacer.run_floor(&stats);
    for (api, s) in &stats {
        eprintln!(
            "stats: {api} calls={} throttled={} retried={} failed={} floor_ms={}",
            s.calls,
            s.throttled,
            s.retried,
            s.failed,
            pacer.floor(*api, s.calls).as_millis()
        );
        calls += s.calls;
        throttled += s.throttled;
        if api.is_mutating() {
            mutating += s.calls;
        }
    }
    let memory = peak_rss_kb().map(|kb| format!(" peak_rss_kb={kb}")).unwrap_or_default();
    eprintln!(
        "stats: total calls={calls} mutating={mutating} throttled={throttled} wall_ms={} floor_ms={}{memory}",
        pacer.elapsed().as_millis(),
        floor.as_millis()
    );
}

/// `--stats` of a run that made no AWS call (`simulate --offline`): its wall time and memory.
pub(crate) fn print_offline_stats(started: std::time::Instant) {
    let memory = peak_rss_kb().map(|kb| format!(" peak_rss_kb={kb}")).unwrap_or_default();
    eprintln!(
        "stats: total calls=0 mutating=0 throttled=0 wall_ms={} floor_ms=0{memory}",
        started.elapsed().as_millis()
    );
}

/// The most memory the process has held resident so far, where the system says (Linux).
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find_map(|l| l.strip_prefix("VmHWM:"))?;
    line.trim().trim_end_matches("kB").trim().parse().ok()
}
