//! `lzctl simulate` end to end: events of accounts the emulator made, in every file format
//! CloudTrail and its tools write, replayed through the blueprint's SCPs; accounts placed
//! through the live organization, or offline through pinned ids.

use crate::support::{Emulator, stderr, stdout};
use serde_json::{Value, json};
use std::io::Write;

const BLUEPRINT: &str = r#"version: 1
organizational_units:
  Workloads: {policies: [eu-only]}
accounts:
  app: {email: app@example.com, ou: Workloads}
policies:
  eu-only:
    document:
      Statement:
        - Sid: DenyOutsideEU
          Effect: Deny
          NotAction: ["iam:*", "sts:*"]
          Resource: "*"
          Condition: {StringNotEquals: {"aws:RequestedRegion": [eu-west-1]}}
"#;

/// The blueprint applied to a new organization in the emulator, in a folder of its own as
/// `lz.yaml`, and the id of its account `app`.
struct Applied {
    emu: Emulator,
    org: aws_sdk_organizations::Client,
    dir: tempfile::TempDir,
    app: String,
}

async fn applied() -> Applied {
    let emu = Emulator::start();
    let org = emu.create_organization().await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lz.yaml"), BLUEPRINT).unwrap();
    let apply = emu.lzctl_in(dir.path(), &["apply", "-f", "lz.yaml", "--auto-approve"]);
    assert_eq!(apply.status.code(), Some(0), "{}", stderr(&apply));
    let accounts = org.list_accounts().send().await.unwrap();
    let app = accounts.accounts().iter().find(|a| a.name() == Some("app")).unwrap().id().unwrap().to_string();
    Applied { emu, org, dir, app }
}

/// A folder holding the blueprint as `lz.yaml` with `app` pinned to 111122223333, for offline runs.
fn pinned() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let pinned = BLUEPRINT.replace("app: {email", "app: {id: \"111122223333\", email");
    std::fs::write(dir.path().join("lz.yaml"), pinned).unwrap();
    dir
}

fn record(account: &str, name: &str, region: &str, id: &str) -> Value {
    json!({
        "userIdentity": {"type": "AssumedRole", "accountId": account, "principalId": "AROA1:s",
            "arn": format!("arn:aws:sts::{account}:assumed-role/deployer/s"),
            "sessionContext": {"sessionIssuer": {"type": "Role", "arn": format!("arn:aws:iam::{account}:role/ci/deployer")}}},
        "eventTime": "2024-05-01T10:00:00Z", "eventSource": "ec2.amazonaws.com", "eventName": name,
        "awsRegion": region, "eventID": id, "eventType": "AwsApiCall"
    })
}

/// The same four events in every format: two allowed, one denied, one of the management account.
fn write_every_format(dir: &std::path::Path, app: &str, management: &str) {
    let events = [
        record(app, "RunInstances", "eu-west-1", "e1"),
        record(app, "RunInstances", "us-east-1", "e2"),
        record(app, "DescribeInstances", "eu-west-1", "e3"),
        record(management, "RunInstances", "us-east-1", "e4"),
    ];
    let logs = dir.join("AWSLogs/o-1/CloudTrail/eu-west-1/2024/05/01");
    std::fs::create_dir_all(&logs).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(json!({"Records": events}).to_string().as_bytes()).unwrap();
    std::fs::write(logs.join("a.json.gz"), gz.finish().unwrap()).unwrap();
    std::fs::write(dir.join("array.json"), json!(events).to_string()).unwrap();
    let lines: Vec<String> = events.iter().map(Value::to_string).collect();
    std::fs::write(dir.join("lake.jsonl"), lines.join("\n") + "\n").unwrap();
    let lookup: Vec<Value> =
        events.iter().map(|e| json!({"EventId": e["eventID"], "CloudTrailEvent": e.to_string()})).collect();
    std::fs::write(dir.join("lookup.json"), json!({"Events": lookup}).to_string()).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn events_in_every_format_are_replayed_on_the_accounts_live_path() {
    let Applied { emu, org, dir, app } = applied().await;
    let (app, management) = (
        app,
        org.describe_organization()
            .send()
            .await
            .unwrap()
            .organization()
            .unwrap()
            .master_account_id()
            .unwrap()
            .to_string(),
    );
    let events = dir.path().join("events");
    write_every_format(&events, &app, &management);

    emu.reset_recording();
    let out = emu.lzctl_in(dir.path(), &["simulate", "-f", "lz.yaml", "--events", "events", "--format", "json"]);
    assert_eq!(out.status.code(), Some(2), "something is denied: {}", stderr(&out));
    assert_eq!(emu.mutating_operations(), Vec::<String>::new(), "simulate only reads");
    let report: Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    assert_eq!(report["events_read"], 16, "four files of four events");
    assert_eq!(report["summary"]["allowed"], 8);
    assert_eq!(report["summary"]["denied"], 4);
    assert_eq!(report["summary"]["skipped"]["management_account"], 4);
    let denied = &report["results"][0];
    assert_eq!(denied["event_id"], "e2");
    assert_eq!(denied["account"], "app");
    assert_eq!(denied["ou_path"], "Workloads");
    assert_eq!(denied["principal_arn"], format!("arn:aws:iam::{app}:role/ci/deployer"));
    assert_eq!(denied["reasons"][0]["statement"], "DenyOutsideEU");

    // What is attached in AWS now: the same, until someone detaches the SCP by hand.
    let live = |emu: &Emulator| -> Value {
        let out = emu.lzctl_in(
            dir.path(),
            &["simulate", "-f", "lz.yaml", "--events", "events", "--format", "json", "--policies", "live"],
        );
        assert!(matches!(out.status.code(), Some(0 | 2)), "{}", stderr(&out));
        serde_json::from_str(&stdout(&out)).unwrap()
    };
    let now = live(&emu);
    assert_eq!((now["policies"].as_str(), &now["summary"]), (Some("live"), &report["summary"]));
    let policies = org
        .list_policies()
        .filter(aws_sdk_organizations::types::PolicyType::ServiceControlPolicy)
        .send()
        .await
        .unwrap();
    let eu_only = policies.policies().iter().find(|p| p.name() == Some("eu-only")).unwrap().id().unwrap().to_string();
    let targets = org.list_targets_for_policy().policy_id(&eu_only).send().await.unwrap();
    for target in targets.targets() {
        org.detach_policy().policy_id(&eu_only).target_id(target.target_id().unwrap()).send().await.unwrap();
    }
    let detached = live(&emu);
    assert_eq!(detached["summary"]["denied"], 0, "nothing attached denies it now");

    let human = emu.lzctl_in(dir.path(), &["simulate", "-f", "lz.yaml", "--events", "events/lake.jsonl"]);
    assert_eq!(human.status.code(), Some(2));
    assert!(stdout(&human).contains("denied       ec2:RunInstances  ×1"), "{}", stdout(&human));
    assert!(
        stdout(&human).ends_with("4 events: 2 allowed, 1 denied, 0 inconclusive, 1 skipped.\n"),
        "{}",
        stdout(&human)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn offline_only_pinned_accounts_are_placed_and_nothing_is_called() {
    let emu = Emulator::start();
    let dir = pinned();
    write_every_format(&dir.path().join("events"), "111122223333", "999988887777");
    let allowed_only = dir.path().join("ok.jsonl");
    std::fs::write(&allowed_only, record("111122223333", "RunInstances", "eu-west-1", "ok").to_string()).unwrap();
    emu.reset_recording();
    let out = emu.lzctl_in(dir.path(), &["simulate", "-f", "lz.yaml", "--events", "ok.jsonl", "--offline"]);
    assert_eq!(out.status.code(), Some(0), "nothing denied: {}", stderr(&out));
    let out = emu.lzctl_in(
        dir.path(),
        &["simulate", "-f", "lz.yaml", "--events", "events/array.json", "--offline", "--format", "json", "--all"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["summary"]["skipped"]["unplaced_account"], 1, "the other account is not pinned");
    assert_eq!(report["results"].as_array().unwrap().len(), 4, "--all lists every event");
    assert!(emu.operations().is_empty(), "offline makes no AWS call");

    std::fs::write(dir.path().join("notes.txt"), "not events").unwrap();
    let bad = emu.lzctl_in(dir.path(), &["simulate", "-f", "lz.yaml", "--events", "notes.txt", "--offline"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(stderr(&bad).contains("notes.txt: not CloudTrail events"), "{}", stderr(&bad));
}

#[test]
fn what_if_questions_are_answered_and_explained_level_by_level() {
    let dir = pinned();
    let emu = Emulator::start();
    let ask = |region: &str| {
        emu.lzctl_in(
            dir.path(),
            &[
                "simulate",
                "-f",
                "lz.yaml",
                "--offline",
                "--request",
                "ec2:RunInstances",
                "--account",
                "app",
                "--region",
                region,
            ],
        )
    };
    let denied = ask("us-east-1");
    assert_eq!(denied.status.code(), Some(2), "{}", stderr(&denied));
    assert_eq!(
        stdout(&denied),
        "ec2:RunInstances * in app (Workloads): denied\n  Workloads: Deny eu-only (statement DenyOutsideEU)\n"
    );
    let allowed = ask("eu-west-1");
    assert_eq!(allowed.status.code(), Some(0), "{}", stderr(&allowed));
    assert!(
        stdout(&allowed).starts_with("ec2:RunInstances * in app (Workloads): allowed\n  Root: Allow FullAWSAccess"),
        "{}",
        stdout(&allowed)
    );

    let questions = [
        json!({"id": "q1", "account": "111122223333", "action": "s3:PutObject", "resource": "arn:aws:s3:::b/k", "region": "eu-west-1"}),
        json!({"id": "q2", "account": "app", "action": "ec2:RunInstances", "context": {"aws:RequestedRegion": ["ap-south-1"]}}),
    ];
    let lines: Vec<String> = questions.iter().map(Value::to_string).collect();
    std::fs::write(dir.path().join("q.jsonl"), lines.join("\n")).unwrap();
    let out = emu
        .lzctl_in(dir.path(), &["simulate", "-f", "lz.yaml", "--offline", "--requests", "q.jsonl", "--format", "json"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let decisions: Vec<(&str, &str)> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["request_id"].as_str().unwrap(), r["decision"].as_str().unwrap()))
        .collect();
    assert_eq!(decisions, [("q1", "allowed"), ("q2", "denied")], "in input order");
    std::fs::write(dir.path().join("bad.jsonl"), "{\"account\": \"app\"}\n").unwrap();
    let bad = emu.lzctl_in(dir.path(), &["simulate", "-f", "lz.yaml", "--offline", "--requests", "bad.jsonl"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(stderr(&bad).contains("bad.jsonl:1: missing field `action`"), "{}", stderr(&bad));
}

#[test]
fn events_are_chosen_by_account_and_time_window() {
    let dir = pinned();
    let mut late = record("111122223333", "RunInstances", "us-east-1", "late");
    late["eventTime"] = json!("2024-06-01T00:00:00Z");
    let events = [
        record("111122223333", "RunInstances", "us-east-1", "early"),
        late,
        record("222233334444", "RunInstances", "us-east-1", "other"),
    ];
    std::fs::write(dir.path().join("e.json"), json!(events).to_string()).unwrap();
    let emu = Emulator::start();
    let ids = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["simulate", "-f", "lz.yaml", "--events", "e.json", "--offline", "--format", "json", "--all"];
        all.extend_from_slice(args);
        let out = emu.lzctl_in(dir.path(), &all);
        assert!(matches!(out.status.code(), Some(0 | 2)), "{}", stderr(&out));
        let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
        report["results"].as_array().unwrap().iter().map(|r| r["event_id"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(ids(&[]), ["early", "late", "other"]);
    assert_eq!(ids(&["--account", "app"]), ["early", "late"]);
    assert_eq!(ids(&["--account", "222233334444"]), ["other"]);
    assert_eq!(ids(&["--since", "2024-05-15T00:00:00Z"]), ["late"]);
    assert_eq!(ids(&["--until", "2024-05-15T00:00:00Z", "--account", "111122223333"]), ["early"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn plan_with_events_shows_which_recorded_calls_the_change_would_deny_or_allow() {
    let Applied { emu, dir, app, .. } = applied().await;
    let events = [
        record(&app, "RunInstances", "eu-west-1", "eu"),
        record(&app, "RunInstances", "us-east-1", "us"),
        record(&app, "DescribeInstances", "eu-west-1", "eu2"),
    ];
    std::fs::write(dir.path().join("week.json"), json!({"Records": events}).to_string()).unwrap();

    let unchanged = emu.lzctl_in(dir.path(), &["plan", "-f", "lz.yaml", "--events", "week.json"]);
    assert_eq!(unchanged.status.code(), Some(0), "{}", stderr(&unchanged));
    assert!(stdout(&unchanged).contains("No recorded call changes its answer (3 events)."), "{}", stdout(&unchanged));

    // The SCP now allows us-east-1 instead of eu-west-1.
    std::fs::write(dir.path().join("lz.yaml"), BLUEPRINT.replace("[eu-west-1]", "[us-east-1]")).unwrap();
    emu.reset_recording();
    let changed = emu.lzctl_in(dir.path(), &["plan", "-f", "lz.yaml", "--events", "week.json"]);
    assert_eq!(changed.status.code(), Some(0), "{}", stderr(&changed));
    assert_eq!(emu.mutating_operations(), Vec::<String>::new(), "a plan only reads");
    let text = stdout(&changed);
    assert!(text.contains("~ policy.eu-only"), "{text}");
    let impact = text.split("Impact on recorded activity:").nth(1).expect("the impact section");
    assert!(impact.contains("The plan would deny (now allowed):"), "{impact}");
    assert!(impact.contains("denied       ec2:RunInstances  ×1"), "{impact}");
    assert!(impact.contains("denied       ec2:DescribeInstances  ×1"), "{impact}");
    assert!(impact.contains("The plan would allow (now denied):"), "{impact}");
    assert!(impact.contains("allowed      ec2:RunInstances  ×1"), "{impact}");

    let json = emu.lzctl_in(dir.path(), &["plan", "-f", "lz.yaml", "--events", "week.json", "--format", "json"]);
    let plan: Value = serde_json::from_str(&stdout(&json)).expect("JSON");
    assert_eq!(plan["format_version"], 1);
    assert_eq!(plan["impact"]["format_version"], 1);
    assert_eq!(plan["impact"]["events_read"], 3);
    let ids = |key: &str| -> Vec<String> {
        plan["impact"][key].as_array().unwrap().iter().map(|r| r["event_id"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(
        (ids("newly_denied"), ids("newly_allowed")),
        (vec!["eu".to_string(), "eu2".to_string()], vec!["us".to_string()])
    );
}

/// The README's worked example runs as written and prints what the README shows.
#[test]
fn the_readme_worked_example_runs_as_written() {
    let emu = Emulator::start();
    let readme = std::fs::read_to_string(format!("{}/README.md", crate::support::MANIFEST_DIR)).unwrap();
    let command =
        "lzctl simulate -f examples/count-mode/blueprint.yaml --events examples/count-mode/cloudtrail --offline";
    assert!(readme.contains(&format!("```sh\n{command}\n```")), "the README shows the command");
    let args: Vec<&str> = command.split(' ').skip(1).collect();
    let out = emu.lzctl(&args);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let shown = format!("```\n{}\n```", stdout(&out).trim_end());
    assert!(readme.contains(&shown), "the README shows this output:\n{shown}");
    assert!(emu.operations().is_empty(), "offline");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_organization_trails_bucket_is_read_directly() {
    let Applied { emu, dir, app, .. } = applied().await;
    let local = dir.path().join("local");
    write_every_format(&local, &app, "000000000000");
    let s3 = emu.s3();
    s3.create_bucket().bucket("org-trail").send().await.unwrap();
    let gz = std::fs::read(local.join("AWSLogs/o-1/CloudTrail/eu-west-1/2024/05/01/a.json.gz")).unwrap();
    for key in [
        "AWSLogs/o-1/111/CloudTrail/eu-west-1/2024/05/01/a.json.gz",
        "AWSLogs/o-1/111/CloudTrail/eu-west-1/2024/05/02/b.json.gz",
        "elsewhere/c.json.gz",
    ] {
        s3.put_object().bucket("org-trail").key(key).body(gz.clone().into()).send().await.unwrap();
    }
    emu.reset_recording();
    let out = emu.lzctl_in(
        dir.path(),
        &["simulate", "-f", "lz.yaml", "--events", "s3://org-trail/AWSLogs/", "--format", "json"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["events_read"], 8, "the two objects under the prefix, not the third");
    assert_eq!(report["summary"]["denied"], 2);
    assert_eq!(emu.mutating_operations(), Vec::<String>::new());
    // The bucket read as another profile (the log-archive account's).
    let credentials = dir.path().join("credentials");
    std::fs::write(&credentials, "[archive]\naws_access_key_id = testing\naws_secret_access_key = testing\n").unwrap();
    let env = [("AWS_SHARED_CREDENTIALS_FILE", credentials.to_str().unwrap())];
    let args = ["simulate", "-f", "lz.yaml", "--events", "s3://org-trail/AWSLogs/", "--events-profile", "archive"];
    let as_archive = emu.lzctl_env(dir.path(), &args, &env);
    assert_eq!(as_archive.status.code(), Some(2), "{}", stderr(&as_archive));
    let args = ["simulate", "-f", "lz.yaml", "--events", "s3://org-trail/AWSLogs/", "--events-profile", "nobody"];
    let unknown = emu.lzctl_env(dir.path(), &args, &env);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(stderr(&unknown).contains("nobody"), "{}", stderr(&unknown));
    let offline = emu.lzctl_in(dir.path(), &["simulate", "-f", "lz.yaml", "--events", "s3://org-trail/", "--offline"]);
    assert_eq!(offline.status.code(), Some(1));
    assert!(stderr(&offline).contains("--offline rules out"), "{}", stderr(&offline));
}

/// The Markdown report, as a pull request shows it.
#[test]
fn the_markdown_report_is_a_verdict_and_a_grouped_table() {
    let emu = Emulator::start();
    let out = emu.lzctl(&[
        "simulate",
        "-f",
        "examples/count-mode/blueprint.yaml",
        "--events",
        "examples/count-mode/cloudtrail",
        "--offline",
        "--format",
        "markdown",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    insta::assert_snapshot!("count_mode_markdown", stdout(&out));
}

/// `--lookup-events` reads CloudTrail in each member account through the role. The emulator
/// has no LookupEvents (its paging and pace are tested with mocks), so the read fails, naming
/// the operation and the account and region, after assuming the role there.
#[tokio::test(flavor = "multi_thread")]
async fn lookup_events_reads_each_member_account_through_the_role() {
    let Applied { emu, dir, app, .. } = applied().await;
    emu.reset_recording();
    let out = emu.lzctl_in(dir.path(), &["simulate", "-f", "lz.yaml", "--lookup-events", "--regions", "eu-west-1"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stderr(&out).contains(&format!("cloudtrail:LookupEvents on {app} in eu-west-1")), "{}", stderr(&out));
    assert!(emu.operations().iter().any(|o| o.contains("AssumeRole")), "{:?}", emu.operations());
    assert_eq!(emu.mutating_operations(), Vec::<String>::new());
}
