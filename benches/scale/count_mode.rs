//! The count-mode line of `make bench`: a blueprint of 50 SCPs over ten OUs and a hundred
//! pinned accounts, and a generated file of CloudTrail events, replayed offline; events per
//! second and peak memory.

use std::io::Write;
use std::path::Path;
use std::process::Command;

/// The blueprint: 50 SCPs (region, service and condition denies), four on each of ten OUs and
/// one on each of ten accounts (AWS's default quota is five per target, FullAWSAccess
/// included), a hundred accounts pinned by id.
fn blueprint() -> String {
    let mut yaml = String::from("version: 1\norganizational_units:\n");
    for ou in 0..10 {
        let policies: Vec<String> = (0..4).map(|p| format!("scp-{}", ou * 4 + p)).collect();
        yaml.push_str(&format!("  ou-{ou}: {{policies: [{}]}}\n", policies.join(", ")));
    }
    yaml.push_str("accounts:\n");
    for a in 0..100 {
        let own = if a < 10 { format!(", policies: [scp-{}]", 40 + a) } else { String::new() };
        yaml.push_str(&format!(
            "  a{a}: {{id: \"{:012}\", email: a{a}@example.com, ou: ou-{}{own}}}\n",
            100_000_000_000u64 + a,
            a % 10
        ));
    }
    yaml.push_str("policies:\n");
    let services = ["ec2", "s3", "rds", "lambda", "dynamodb", "glue", "kms", "sqs", "sns", "iam"];
    for p in 0..50 {
        let service = services[p % services.len()];
        let document = match p % 3 {
            0 => format!(
                r#"{{Statement: [{{Sid: R{p}, Effect: Deny, NotAction: ["iam:*", "sts:*"], Resource: "*", Condition: {{StringNotEquals: {{"aws:RequestedRegion": [us-east-1, eu-west-1]}}, ArnNotLike: {{"aws:PrincipalArn": "arn:aws:iam::*:role/admin-*"}}}}}}]}}"#
            ),
            1 => format!(
                r#"{{Statement: [{{Sid: S{p}, Effect: Deny, Action: ["{service}:Delete*", "{service}:Put*Policy"], Resource: "*"}}]}}"#
            ),
            _ => format!(
                r#"{{Statement: [{{Sid: T{p}, Effect: Deny, Action: "{service}:*", Resource: "*", Condition: {{Bool: {{"aws:MultiFactorAuthPresent": "false"}}, StringLike: {{"aws:PrincipalArn": "arn:aws:iam::*:user/*"}}}}}}]}}"#
            ),
        };
        yaml.push_str(&format!("  scp-{p}: {{document: {document}}}\n"));
    }
    yaml
}

/// `count` CloudTrail records as JSON lines, spread over the accounts, regions and actions.
fn events(path: &Path, count: usize) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("create the events file"));
    let regions = ["us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2"];
    let actions = [
        ("ec2", "RunInstances"),
        ("s3", "GetObject"),
        ("iam", "CreateRole"),
        ("glue", "StartJobRun"),
        ("kms", "Decrypt"),
        ("s3", "DeleteObject"),
    ];
    for i in 0..count {
        let account = 100_000_000_000u64 + (i % 100) as u64;
        let (service, name) = actions[i % actions.len()];
        let record = serde_json::json!({
            "eventVersion": "1.09",
            "userIdentity": {"type": "AssumedRole", "principalId": "AROA:s", "accountId": format!("{account:012}"),
                "arn": format!("arn:aws:sts::{account:012}:assumed-role/app/s"),
                "sessionContext": {"sessionIssuer": {"type": "Role", "arn": format!("arn:aws:iam::{account:012}:role/team/app")},
                    "attributes": {"creationDate": "2024-05-01T00:00:00Z", "mfaAuthenticated": "false"}}},
            "eventTime": "2024-05-01T10:00:00Z", "eventSource": format!("{service}.amazonaws.com"), "eventName": name,
            "awsRegion": regions[i % regions.len()], "sourceIPAddress": "203.0.113.9", "eventID": format!("e{i}"),
            "eventType": "AwsApiCall"
        });
        writeln!(out, "{record}").expect("write an event");
    }
}

/// The target for a release build: events per second on one core.
const TARGET_EVENTS_PER_SECOND: f64 = 200_000.0;

/// Replays `count` events offline with the `lzctl` binary given, pinned to one core where
/// `taskset` exists, and prints events per second and peak memory. `release`: the binary is a
/// release build, which is held to the target; a dev build's figure is only reported. Err
/// names what missed its target.
pub(crate) fn run(dir: &Path, count: usize, lzctl: &Path, release: bool, max_rss_mb: u64) -> Result<(), String> {
    std::fs::write(dir.join("count-mode.yaml"), blueprint()).expect("write the blueprint");
    events(&dir.join("events.jsonl"), count);
    let one_core = Command::new("taskset").arg("--version").output().is_ok_and(|o| o.status.success());
    let mut command = if one_core {
        let mut taskset = Command::new("taskset");
        taskset.args(["--cpu-list", "0"]).arg(lzctl);
        taskset
    } else {
        Command::new(lzctl)
    };
    let started = std::time::Instant::now();
    let out = command
        .current_dir(dir)
        .args(["simulate", "-f", "count-mode.yaml", "--events", "events.jsonl", "--offline", "--stats"])
        .env_clear()
        .output()
        .expect("run lzctl");
    let wall = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let peak = stderr
        .split("peak_rss_kb=")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .and_then(|n| n.parse::<u64>().ok());
    let verdict = String::from_utf8_lossy(&out.stdout).lines().last().unwrap_or_default().to_string();
    let rate = count as f64 / wall;
    let build = if release { "release build" } else { "this build (dev)" };
    let cores = if one_core { "one core" } else { "no taskset: not pinned to one core" };
    println!(
        "\nsimulate, offline, 50 SCPs, {build}, {cores}: {count} events in {wall:.1} s = {rate:.0} events/s, peak {} MB (exit {:?}: {verdict})",
        peak.map_or("?".into(), |kb| format!("{:.0}", kb as f64 / 1024.0)),
        out.status.code()
    );
    let mut missed = Vec::new();
    if !matches!(out.status.code(), Some(0 | 2)) {
        missed.push(format!("simulate: exit {:?}\n{stderr}", out.status.code()));
    }
    if peak.is_none_or(|kb| kb > max_rss_mb * 1024) {
        missed.push(format!("simulate: peak memory above {max_rss_mb} MB"));
    }
    if release && rate < TARGET_EVENTS_PER_SECOND {
        missed.push(format!("simulate: {rate:.0} events/s, below {TARGET_EVENTS_PER_SECOND:.0}"));
    }
    if !release {
        println!(
            "  (the target, {TARGET_EVENTS_PER_SECOND:.0} events/s on one core, holds a release build: make bench builds one)"
        );
    }
    if missed.is_empty() { Ok(()) } else { Err(missed.join("\n  ")) }
}
