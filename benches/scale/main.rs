//! `make bench`: how close lzctl comes, on a large organization, to the floor AWS's published
//! API rates set. It seeds the emulator (moto) with the organization `fixture` describes, puts
//! the project's forwarding proxy in front of it holding every API to its published rate, and
//! runs lzctl through it at the published pace, one command after another:
//!
//! plan · plan --format json, twice (byte-identical) · inventory --format csv ·
//! inventory --expand-groups · an apply with nothing to do · import (the organization as a
//! blueprint) and a plan of what it wrote (No changes.) · an apply that creates accounts and
//! assignments and changes permission sets · a plan after it (No changes.) · then count mode:
//! a million generated events replayed offline through 50 SCPs by a release build on one core
//! (at least 200,000 events/s; peak memory)
//!
//! For each: wall time; the floor — the slowest rate bucket for the calls the run made that AWS
//! answered (the proxy's count of forwarded requests per API: `(calls − burst) ÷ rate`, the
//! least time AWS lets those calls take; APIs AWS publishes no rate for do not count), and for
//! an apply that changes things, the floor of its reads up to the first change plus the floor
//! of everything after (nothing can change before the read that plans it); wall ÷ floor; calls
//! per API; calls the proxy throttled; peak memory (lzctl's `--stats`). It exits non-zero when
//! a line misses its target.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[path = "../../tests/integration/moto_server.rs"]
#[allow(dead_code)]
#[macro_use]
mod moto_server;
#[path = "../../tests/integration/proxy.rs"]
#[allow(dead_code)]
mod proxy;

mod count_mode;
mod fixture;

use fixture::{Growth, Sizes};
use proxy::{Counts, Proxy, published};

#[derive(Debug, clap::Parser)]
#[command(about = "lzctl's scale benchmark: wall time against the floor AWS's published rates set")]
struct Args {
    /// Accounts in the organization.
    #[arg(long, default_value_t = 1000)]
    accounts: usize,
    /// OUs (default: one per ten accounts, at most 2,000).
    #[arg(long)]
    ous: Option<usize>,
    #[arg(long, default_value_t = 50)]
    policies: usize,
    #[arg(long, default_value_t = 50)]
    permission_sets: usize,
    #[arg(long, default_value_t = 200)]
    groups: usize,
    #[arg(long, default_value_t = 200)]
    users: usize,
    #[arg(long, default_value_t = 20)]
    assignments_per_account: usize,
    /// The apply benchmark: accounts it creates, assignments it adds, permission sets it changes.
    #[arg(long, default_value_t = 20)]
    new_accounts: usize,
    #[arg(long, default_value_t = 1000)]
    new_assignments: usize,
    #[arg(long, default_value_t = 20)]
    changed_sets: usize,
    /// Skip the apply that changes things (the read-only lines only).
    #[arg(long)]
    no_apply: bool,
    /// The target: wall ÷ floor at most this, for every line.
    #[arg(long, default_value_t = 1.25)]
    max_ratio: f64,
    /// The target: peak memory of every command at most this many MB.
    #[arg(long, default_value_t = 150)]
    max_rss_mb: u64,
    /// Count mode: events replayed offline (0: no count-mode line).
    #[arg(long, default_value_t = 1_000_000)]
    simulate_events: usize,
    /// A release build of lzctl for the count-mode line, which holds it to 200,000 events/s
    /// on one core (`make bench` builds one); without it, this build's figure is reported only.
    #[arg(long)]
    simulate_release: Option<PathBuf>,
    /// Only the count-mode line (no emulator, no organization).
    #[arg(long)]
    simulate_only: bool,
    /// Passed by `cargo bench`; ignored.
    #[arg(long, hide = true)]
    bench: bool,
}

/// One measured command.
struct Line {
    name: String,
    wall: Duration,
    floor: Duration,
    /// The bucket that sets the floor.
    slowest: String,
    counts: BTreeMap<String, Counts>,
    peak_rss_kb: Option<u64>,
    exit: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Line {
    fn ratio(&self) -> f64 {
        self.wall.as_secs_f64() / self.floor.as_secs_f64().max(0.001)
    }
    fn throttled(&self) -> u64 {
        self.counts.values().map(|c| c.throttled).sum()
    }
    fn calls(&self) -> u64 {
        self.counts.values().map(|c| c.forwarded).sum()
    }
}

/// The floor of a run: the floor of what it read before its first change, then the floor of
/// the rest (a change cannot start before the read that plans it ends); each the slowest
/// bucket, the least time its calls take at the published rate.
fn floor(counts: &BTreeMap<String, Counts>) -> (Duration, String) {
    let slowest = |calls_of: &dyn Fn(&Counts) -> u64| -> (Duration, String) {
        let mut buckets: BTreeMap<String, (u64, proxy::Published)> = BTreeMap::new();
        for (api, c) in counts {
            if let Some(p) = published(api) {
                buckets.entry(p.bucket(api).to_string()).or_insert((0, p)).0 += calls_of(c);
            }
        }
        buckets
            .into_iter()
            .map(|(bucket, (calls, p))| {
                (Duration::from_secs_f64((calls as f64 - p.burst).max(0.0) / p.rate), format!("{bucket} ×{calls}"))
            })
            .max()
            .unwrap_or_default()
    };
    let read = slowest(&|c| c.forwarded - c.after_first_write);
    let write = slowest(&|c| c.after_first_write);
    if write.0.is_zero() { read } else { (read.0 + write.0, format!("{}, then {}", read.1, write.1)) }
}

struct Bench {
    proxy: Proxy,
    dir: PathBuf,
}

impl Bench {
    /// Runs lzctl through the paced proxy at the published pace and measures it.
    fn run(&self, name: &str, args: &[&str]) -> Line {
        // Let every bucket fill again (the slowest, CreateAccount's, is not read by commands
        // before the apply), and start the count afresh.
        std::thread::sleep(Duration::from_secs(3));
        self.proxy.take_counts();
        let started = Instant::now();
        let out = lzctl(&self.dir, &self.proxy.url, args, None);
        let wall = started.elapsed();
        let counts = self.proxy.take_counts();
        let (floor, slowest) = floor(&counts);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let peak_rss_kb = stderr
            .split("peak_rss_kb=")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse().ok());
        Line {
            name: name.to_string(),
            wall,
            floor,
            slowest,
            counts,
            peak_rss_kb,
            exit: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr,
        }
    }
}

/// Runs lzctl in `dir` against `endpoint`: at the published pace, or (`fast`) that many times
/// faster, for setting up.
fn lzctl(dir: &Path, endpoint: &str, args: &[&str], fast: Option<u32>) -> std::process::Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_lzctl"));
    command
        .current_dir(dir)
        .args(args)
        .arg("--stats")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_ACCESS_KEY_ID", "bench")
        .env("AWS_SECRET_ACCESS_KEY", "bench")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", "/nonexistent/lzctl-bench-config")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/lzctl-bench-credentials")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        // The emulator's ListAccountsForProvisionedPermissionSet ignores assignments; per
        // principal is also what lzctl's cost rule picks for this organization on AWS.
        .env("LZCTL_ASSIGNMENT_READ", "per-principal")
        .stdin(Stdio::null());
    if let Some(scale) = fast {
        command.env("LZCTL_RATE_SCALE", scale.to_string());
    }
    command.output().expect("run lzctl")
}

/// The count-mode line, with the release build where one was given.
fn count_mode_line(args: &Args, dir: &Path) -> Result<(), String> {
    if args.simulate_events == 0 {
        return Ok(());
    }
    let (lzctl, release) = match &args.simulate_release {
        Some(path) => (path.clone(), true),
        None => (PathBuf::from(env!("CARGO_BIN_EXE_lzctl")), false),
    };
    count_mode::run(dir, args.simulate_events, &lzctl, release, args.max_rss_mb)
}

fn main() {
    let args = <Args as clap::Parser>::parse();
    if args.simulate_only {
        let dir = tempfile::tempdir().expect("a temporary directory");
        if let Err(missed) = count_mode_line(&args, dir.path()) {
            eprintln!("missed:\n  {missed}");
            std::process::exit(1);
        }
        return;
    }
    let sizes = Sizes {
        accounts: args.accounts,
        ous: args.ous.unwrap_or((args.accounts / 10).clamp(10, 2000)),
        policies: args.policies,
        permission_sets: args.permission_sets,
        groups: args.groups,
        users: args.users,
        assignments_per_account: args.assignments_per_account,
    };
    let growth = Growth {
        new_accounts: args.new_accounts,
        new_assignments: args.new_assignments,
        changed_sets: args.changed_sets,
    };
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (mut moto, url) = moto_server::start(dir.path(), &[]);
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");

    let started = Instant::now();
    let seeded = runtime.block_on(fixture::seed(&url, &sizes));
    println!(
        "seeded {} accounts, {} OUs, {} SCPs, {} permission sets, {} groups, {} users, {} assignments in {:.0}s",
        sizes.accounts,
        seeded.ous.len(),
        sizes.policies,
        sizes.permission_sets,
        sizes.groups,
        sizes.users,
        seeded.assignments,
        started.elapsed().as_secs_f64()
    );
    std::fs::create_dir_all(dir.path().join("templates")).unwrap();
    std::fs::write(dir.path().join("templates/baseline.yaml"), fixture::TEMPLATE).unwrap();
    std::fs::write(dir.path().join("bench.yaml"), fixture::blueprint(&seeded, None)).unwrap();
    std::fs::write(dir.path().join("grown.yaml"), fixture::blueprint(&seeded, Some(&growth))).unwrap();

    // The stack set over ten OUs and two regions is made by lzctl itself, unpaced.
    // As fast as the emulator keeps up: the larger the organization, the slower each of its
    // answers, and a flood of requests times out connecting.
    let setup_pace = Some(if sizes.accounts > 1000 { 1 } else { 20 });
    let setup = lzctl(dir.path(), &url, &["apply", "-f", "bench.yaml", "--auto-approve"], setup_pace);
    let check = lzctl(dir.path(), &url, &["plan", "-f", "bench.yaml", "--detailed-exitcode"], setup_pace);
    if check.status.code() != Some(0) {
        eprintln!("{}", String::from_utf8_lossy(&setup.stdout));
        eprintln!("{}", String::from_utf8_lossy(&setup.stderr));
        eprintln!("{}", String::from_utf8_lossy(&check.stdout));
        let log = std::fs::read_to_string(dir.path().join("moto.log")).unwrap_or_default();
        let tail: Vec<&str> =
            log.lines().filter(|l| !l.starts_with(' ') && !l.contains("\" 200 -")).rev().take(400).collect();
        eprintln!("the emulator's log ends:\n{}", tail.into_iter().rev().collect::<Vec<_>>().join("\n"));
        let _ = moto.kill();
        panic!("the seeded organization does not match its blueprint (setup apply above)");
    }
    println!("stack set applied; the blueprint matches the organization\n");

    let bench = Bench { proxy: Proxy::paced(&url), dir: dir.path().to_path_buf() };
    let mut lines = vec![
        bench.run("plan", &["plan", "-f", "bench.yaml"]),
        bench.run("plan --format json (1)", &["plan", "-f", "bench.yaml", "--format", "json"]),
        bench.run("plan --format json (2)", &["plan", "-f", "bench.yaml", "--format", "json"]),
        bench.run("inventory --format csv", &["inventory", "--format", "csv"]),
        bench.run("inventory --expand-groups", &["inventory", "--expand-groups"]),
        bench.run("apply, nothing to do", &["apply", "-f", "bench.yaml", "--auto-approve"]),
        bench.run("import", &["import", "--out", "imported"]),
        bench.run("plan of the import", &["plan", "-f", "imported/blueprint.yaml"]),
    ];
    if !args.no_apply {
        lines.push(bench.run("apply at scale", &["apply", "-f", "grown.yaml", "--auto-approve"]));
        lines.push(bench.run("plan after it", &["plan", "-f", "grown.yaml"]));
    }
    let _ = moto.kill();
    let _ = moto.wait();
    let mut missed = Vec::new();
    if let Err(line) = count_mode_line(&args, dir.path()) {
        missed.push(line);
    }
    println!(
        "{:<28} {:>8} {:>8} {:>6} {:>7} {:>9} {:>9}  slowest bucket",
        "command", "wall s", "floor s", "ratio", "calls", "throttled", "peak MB"
    );
    for line in &lines {
        let mb = line.peak_rss_kb.map_or("?".to_string(), |kb| format!("{:.0}", kb as f64 / 1024.0));
        println!(
            "{:<28} {:>8.1} {:>8.1} {:>6.2} {:>7} {:>9} {:>9}  {}",
            line.name,
            line.wall.as_secs_f64(),
            line.floor.as_secs_f64(),
            line.ratio(),
            line.calls(),
            line.throttled(),
            mb,
            line.slowest
        );
        let per_api: Vec<String> = line
            .counts
            .iter()
            .map(|(api, c)| {
                if c.throttled > 0 {
                    format!("{api}={}+{}t", c.forwarded, c.throttled)
                } else {
                    format!("{api}={}", c.forwarded)
                }
            })
            .collect();
        println!("    calls: {}", per_api.join(" "));
        if line.exit != Some(0) {
            missed.push(format!("{}: exit {:?}\n{}", line.name, line.exit, line.stderr));
        }
        if line.ratio() > args.max_ratio && line.floor >= Duration::from_secs(1) {
            missed.push(format!("{}: wall ÷ floor {:.2} > {}", line.name, line.ratio(), args.max_ratio));
        }
        if line.peak_rss_kb.is_none_or(|kb| kb > args.max_rss_mb * 1024) {
            missed.push(format!("{}: peak memory {mb} MB (at most {})", line.name, args.max_rss_mb));
        }
        let says_no_changes = line.stdout.trim_end().ends_with("No changes.");
        let plans_nothing = ["plan", "plan after it", "apply, nothing to do", "plan of the import"];
        if plans_nothing.contains(&line.name.as_str()) && !says_no_changes {
            missed.push(format!("{}: not \"No changes.\":\n{}", line.name, line.stdout));
        }
    }
    if lines[1].stdout != lines[2].stdout || lines[1].stdout.is_empty() {
        missed.push("plan --format json: the two runs differ".to_string());
    }
    println!(
        "\nfloor: per rate bucket, (calls AWS answered − burst) ÷ published rate; the slowest bucket \
         (an apply: that of its reads up to its first change, then that of the rest)."
    );
    if missed.is_empty() {
        println!("every line within its target: wall ÷ floor ≤ {}, peak ≤ {} MB", args.max_ratio, args.max_rss_mb);
        if args.simulate_release.is_some() && args.simulate_events > 0 {
            println!("count mode: at least 200,000 events/s on one core (release build)");
        }
    } else {
        eprintln!("missed:\n  {}", missed.join("\n  "));
        std::process::exit(1);
    }
}
