//! An apply interrupted half-way — Ctrl-C (SIGINT), SIGTERM, or killed outright — never leaves
//! the organization worse than a re-run can mend: a stopped apply finishes what it started,
//! starts nothing new, says what it did not do, gives the lock back and exits 130; a killed one
//! leaves its lock, which `unlock` removes; and the next apply converges.

use crate::support::{Emulator, stderr, stdout};
use std::process::Output;
use std::time::{Duration, Instant};

const OUS: usize = 12;

/// A blueprint of `OUS` OUs, which AWS's own pace (one OU a second) makes a slow apply.
fn slow_blueprint(dir: &std::path::Path) {
    let ous: String = (0..OUS).map(|i| format!("  OU{i:02}: {{}}\n")).collect();
    std::fs::write(dir.join("lz.yaml"), format!("version: 1\norganizational_units:\n{ous}")).unwrap();
}

/// Starts a slow apply and sends it `signals` (as `kill` names them), the first once the apply has
/// started changing things.
fn interrupted_apply(emu: &Emulator, dir: &std::path::Path, signals: &[&str]) -> Output {
    let child = emu.spawn_lzctl(dir, &["apply", "-f", "lz.yaml", "--auto-approve"], &[("LZCTL_RATE_SCALE", "1")]);
    let pid = child.id().to_string();
    let deadline = Instant::now() + Duration::from_secs(30);
    while emu.mutating_operations().iter().filter(|op| *op == "CreateOrganizationalUnit").count() < 2 {
        assert!(Instant::now() < deadline, "the apply never started");
        std::thread::sleep(Duration::from_millis(50));
    }
    for signal in signals {
        let sent = std::process::Command::new("kill").args([&format!("-{signal}"), &pid]).status().unwrap();
        assert!(sent.success());
        std::thread::sleep(Duration::from_millis(100));
    }
    child.wait_with_output().unwrap()
}

async fn ou_count(emu: &Emulator) -> usize {
    let root = emu.org().list_roots().send().await.unwrap().roots()[0].id().unwrap().to_string();
    emu.org().list_organizational_units_for_parent().parent_id(&root).send().await.unwrap().organizational_units().len()
}

#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_finishes_what_started_says_what_did_not_and_a_rerun_converges() {
    for signal in ["INT", "TERM"] {
        let emu = Emulator::start();
        emu.create_organization().await;
        let dir = tempfile::tempdir().unwrap();
        slow_blueprint(dir.path());
        emu.reset_recording();
        let out = interrupted_apply(&emu, dir.path(), &[signal]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(130), "{signal}: {err}");
        assert!(
            err.contains("Stopping: changes under way finish") && err.contains("lzctl::apply::interrupted"),
            "{err}"
        );
        assert!(err.contains("not started:") && err.contains("organizational_unit.OU11"), "{err}");
        let made = ou_count(&emu).await;
        assert!((2..OUS).contains(&made), "{signal}: it stopped early, after finishing what it started: {made} OUs");
        let ops = emu.mutating_operations();
        assert_eq!(ops.last().map(String::as_str), Some("UntagResource"), "{signal}: the lock was given back: {ops:?}");
        let rerun = emu.lzctl_in(dir.path(), &["apply", "-f", "lz.yaml", "--auto-approve"]);
        assert_eq!(rerun.status.code(), Some(0), "{}", stderr(&rerun));
        assert_eq!(ou_count(&emu).await, OUS, "{signal}: the re-run made the rest, once each");
        let plan = emu.lzctl_in(dir.path(), &["plan", "-f", "lz.yaml", "--detailed-exitcode"]);
        assert_eq!(plan.status.code(), Some(0), "{}", stdout(&plan));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_ctrl_c_quits_at_once() {
    let emu = Emulator::start();
    emu.create_organization().await;
    let dir = tempfile::tempdir().unwrap();
    slow_blueprint(dir.path());
    emu.reset_recording();
    let out = interrupted_apply(&emu, dir.path(), &["INT", "INT"]);
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    assert!(stderr(&out).contains("Quitting at once"), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_apply_leaves_its_lock_and_unlock_then_a_rerun_converge() {
    let emu = Emulator::start();
    emu.create_organization().await;
    let dir = tempfile::tempdir().unwrap();
    slow_blueprint(dir.path());
    emu.reset_recording();
    let out = interrupted_apply(&emu, dir.path(), &["KILL"]);
    assert_eq!(out.status.code(), None, "killed by a signal");
    let locked = emu.lzctl_in(dir.path(), &["apply", "-f", "lz.yaml", "--auto-approve"]);
    assert_eq!(locked.status.code(), Some(1));
    assert!(stderr(&locked).contains("lzctl::apply::locked"), "{}", stderr(&locked));
    let unlock = emu.lzctl_in(dir.path(), &["unlock", "--yes"]);
    assert_eq!(unlock.status.code(), Some(0), "{}", stderr(&unlock));
    let rerun = emu.lzctl_in(dir.path(), &["apply", "-f", "lz.yaml", "--auto-approve"]);
    assert_eq!(rerun.status.code(), Some(0), "{}", stderr(&rerun));
    assert_eq!(ou_count(&emu).await, OUS);
}
