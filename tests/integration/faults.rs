//! Apply under injected faults (the proxy in front of the emulator): throttling, server errors
//! and broken connections, before and after AWS acted on a create — the apply converges, and
//! nothing is made twice. And two applies at once: the second is refused while the first holds
//! the lock. And AWS's published rates, held by the proxy the benchmark measures through:
//! throttling is retried, never surfaced, and lzctl at its own pace is not throttled.

use crate::proxy::{Fault, Proxy, Rule};
use crate::support::{Emulator, stderr, stdout};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

const BLUEPRINT: &str = "version: 1
organizational_units:
  Workloads: {policies: [deny-s3], children: {Prod: {}}}
accounts:
  prod: {email: prod@example.com, ou: Workloads/Prod}
policies:
  deny-s3: {document: {Statement: [{Effect: Deny, Action: \"s3:DeleteBucket\", Resource: \"*\"}]}}
";

/// The creates of the blueprint, each faulted on its first attempt.
fn first_creates(fault: Fault) -> Vec<Rule> {
    ["CreateOrganizationalUnit", "CreatePolicy", "CreateAccount", "AttachPolicy", "MoveAccount"]
        .into_iter()
        .map(|operation| Rule { operation, nth: 1, fault })
        .collect()
}

/// How many of each thing the organization holds, by name (OUs, policies) or email (accounts).
async fn census(emu: &Emulator) -> BTreeMap<String, usize> {
    let org = emu.org();
    let mut counts = BTreeMap::new();
    let root = org.list_roots().send().await.unwrap().roots()[0].id().unwrap().to_string();
    let mut parents = vec![root];
    while let Some(parent) = parents.pop() {
        let ous = org.list_organizational_units_for_parent().parent_id(&parent).send().await.unwrap();
        for ou in ous.organizational_units() {
            *counts.entry(format!("ou {}", ou.name().unwrap())).or_default() += 1;
            parents.push(ou.id().unwrap().to_string());
        }
    }
    let filter = aws_sdk_organizations::types::PolicyType::ServiceControlPolicy;
    for p in org.list_policies().filter(filter).send().await.unwrap().policies() {
        *counts.entry(format!("policy {}", p.name().unwrap())).or_default() += 1;
    }
    for a in org.list_accounts().send().await.unwrap().accounts() {
        *counts.entry(format!("account {}", a.email().unwrap())).or_default() += 1;
    }
    counts
}

#[tokio::test(flavor = "multi_thread")]
async fn under_every_fault_apply_converges_and_makes_nothing_twice() {
    use Fault::*;
    for fault in
        [Throttle, ServerErrorBefore, ServerErrorAfter, ResetBefore, ResetAfter, Latency(Duration::from_millis(300))]
    {
        let emu = Emulator::start();
        emu.create_organization().await;
        let proxy = Proxy::start(&emu.url, first_creates(fault));
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("lz.yaml"), BLUEPRINT).unwrap();
        let apply = emu.lzctl_env(
            dir.path(),
            &["apply", "-f", "lz.yaml", "--auto-approve"],
            &[("AWS_ENDPOINT_URL", &proxy.url)],
        );
        assert_eq!(apply.status.code(), Some(0), "{fault:?}: {}\n{}", stdout(&apply), stderr(&apply));
        let injected = proxy.injected();
        assert!(injected.len() >= 4, "{fault:?}: the faults happened: {injected:?}");
        let counts = census(&emu).await;
        for thing in ["ou Workloads", "ou Prod", "policy deny-s3", "account prod@example.com"] {
            assert_eq!(counts.get(thing), Some(&1), "{fault:?}: {thing} made once: {counts:?}");
        }
        let plan = emu.lzctl_in(dir.path(), &["plan", "-f", "lz.yaml", "--detailed-exitcode"]);
        assert_eq!(plan.status.code(), Some(0), "{fault:?}: converged\n{}", stdout(&plan));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn two_applies_at_once_the_second_is_refused_while_the_first_holds_the_lock() {
    let emu = Emulator::start();
    emu.create_organization().await;
    // The first apply goes through a slow line, so it is still running when the second starts.
    let slow = Proxy::start(
        &emu.url,
        vec![Rule { operation: "*", nth: 0, fault: Fault::Latency(Duration::from_millis(150)) }],
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lz.yaml"), BLUEPRINT).unwrap();
    emu.reset_recording();
    let first =
        emu.spawn_lzctl(dir.path(), &["apply", "-f", "lz.yaml", "--auto-approve"], &[("AWS_ENDPOINT_URL", &slow.url)]);
    let deadline = Instant::now() + Duration::from_secs(60);
    while !emu.mutating_operations().iter().any(|op| op == "CreateOrganizationalUnit") {
        assert!(Instant::now() < deadline, "the first apply never started changing things");
        std::thread::sleep(Duration::from_millis(50));
    }
    let second = emu.lzctl_in(dir.path(), &["apply", "-f", "lz.yaml", "--auto-approve"]);
    assert_eq!(second.status.code(), Some(1), "{}", stderr(&second));
    assert!(stderr(&second).contains("lzctl::apply::locked"), "{}", stderr(&second));
    let first = first.wait_with_output().unwrap();
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let counts = census(&emu).await;
    assert!(counts.values().all(|n| *n == 1), "{counts:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn at_the_published_rates_throttling_is_retried_and_lzctl_at_its_pace_is_not_throttled() {
    let emu = Emulator::start();
    emu.create_organization().await;
    let proxy = Proxy::paced(&emu.url);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lz.yaml"), BLUEPRINT).unwrap();
    let env = [("AWS_ENDPOINT_URL", proxy.url.as_str())];

    // Eight plans at once, each paced as if alone: ListRoots (1/s, burst 2) is over its rate.
    let plans: Vec<_> =
        (0..8).map(|_| emu.spawn_lzctl(dir.path(), &["plan", "-f", "lz.yaml", "--detailed-exitcode"], &env)).collect();
    for plan in plans {
        let out = plan.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(2), "throttling retried, not surfaced: {}", stderr(&out));
    }
    let counts = proxy.take_counts();
    let roots = counts["organizations.ListRoots"];
    assert!(roots.throttled > 0, "the proxy throttled what went over the published rate: {counts:?}");
    assert!(roots.forwarded >= 8, "{counts:?}");

    // One plan at the published pace, the buckets full again (a fresh proxy): nothing is over
    // any rate.
    let proxy = Proxy::paced(&emu.url);
    let plan = emu.lzctl_env(
        dir.path(),
        &["plan", "-f", "lz.yaml", "--detailed-exitcode"],
        &[("AWS_ENDPOINT_URL", &proxy.url), ("LZCTL_RATE_SCALE", "1")],
    );
    assert_eq!(plan.status.code(), Some(2), "{}", stderr(&plan));
    let counts = proxy.take_counts();
    assert!(counts.values().all(|c| c.throttled == 0), "{counts:?}");
    assert!(counts.values().all(|c| c.after_first_write == 0), "a plan writes nothing: {counts:?}");
    assert!(counts.keys().any(|api| api == "organizations.DescribeOrganization"), "{counts:?}");
}
