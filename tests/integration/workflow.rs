//! The GitHub Actions example (`examples/github-actions/lzctl.yml`) run for real: its shell
//! steps, taken from the file, run as GitHub runs them (`bash -eo pipefail`) with the real lzctl
//! against the emulator. GitHub itself is a stub `gh` on PATH answering the few calls the steps
//! make (the pull request, its head, the plan run, its artifact, its comments). Covered: a
//! merge without any signature comment where the blueprint needs no approval, a pull request
//! that changes nothing, and an approval commented as a signature.

use crate::support::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const GH_STUB: &str = r#"#!/usr/bin/env bash
# GitHub, as far as the workflow's steps ask it.
set -e
case "$*" in
  "pr comment "*) cp "${@: -1}" "$GH_STUB/comment.md" ;;
  "api repos/"*"/commits/"*"/pulls --jq "*) echo "${GH_STUB_PR:-null}" ;;
  "api repos/"*"/pulls/"*" --jq .head.sha") echo headsha ;;
  "run list "*) echo 4242 ;;
  "run download 4242 -n lzctl-plan-headsha") cp "$GH_STUB/lzctl-plan.json" . ;;
  "api --paginate repos/"*"/issues/"*"/comments --jq "*) cat "$GH_STUB/comments.txt" ;;
  *) echo "gh stub: unexpected: $*" >&2; exit 3 ;;
esac
"#;

/// The workflow's steps by job and name: (the script, its env).
struct Workflow(Value);

impl Workflow {
    fn load() -> Workflow {
        let text = std::fs::read_to_string(format!("{MANIFEST_DIR}/examples/github-actions/lzctl.yml")).unwrap();
        Workflow(serde_saphyr::from_str(&text).expect("the workflow is YAML"))
    }

    fn step(&self, job: &str, name: &str) -> (String, Vec<(String, String)>) {
        let steps = self.0["jobs"][job]["steps"].as_array().expect("steps");
        let step = steps.iter().find(|s| s["name"] == name).unwrap_or_else(|| panic!("no step {name:?} in {job}"));
        let env = step["env"].as_object().into_iter().flatten();
        let env = env.map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect();
        (step["run"].as_str().expect("a run step").to_string(), env)
    }

    fn global_env(&self) -> Vec<(String, String)> {
        let env = self.0["env"].as_object().expect("env");
        env.iter().map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_string))).collect()
    }
}

/// What a `${{ ... }}` in a step's env stands for here.
fn expression(value: &str) -> String {
    match value {
        "${{ github.event.pull_request.user.login }}" => "carol".into(),
        "${{ github.event.pull_request.head.sha }}" => "headsha".into(),
        "${{ github.event.pull_request.number }}" => "7".into(),
        "${{ github.repository }}" => "example/landing-zone".into(),
        "${{ github.token }}" => "stub-token".into(),
        other => other.to_string(),
    }
}

struct Runner<'a> {
    emu: &'a Emulator,
    workflow: Workflow,
    bin: tempfile::TempDir,
    github: tempfile::TempDir,
}

impl Runner<'_> {
    fn new(emu: &Emulator) -> Runner<'_> {
        let bin = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_lzctl"), bin.path().join("lzctl")).unwrap();
        std::fs::write(bin.path().join("gh"), GH_STUB).unwrap();
        let mut mode = std::fs::metadata(bin.path().join("gh")).unwrap().permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut mode, 0o755);
        std::fs::set_permissions(bin.path().join("gh"), mode).unwrap();
        Runner { emu, workflow: Workflow::load(), bin, github: tempfile::tempdir().unwrap() }
    }

    /// Runs one step in `dir` as GitHub would; its outputs (`$GITHUB_OUTPUT`) come back.
    fn run(&self, job: &str, step: &str, dir: &Path, extra: &[(&str, &str)]) -> (std::process::Output, String) {
        let (script, env) = self.workflow.step(job, step);
        let outputs = dir.join("github-output");
        std::fs::write(&outputs, "").unwrap();
        let mut command = Command::new("bash");
        command.args(["--noprofile", "--norc", "-eo", "pipefail", "-c", &script]);
        command.current_dir(dir).env_clear();
        for (key, value) in self.emu.lzctl_env_vars() {
            command.env(key, value);
        }
        for (key, value) in self.workflow.global_env() {
            command.env(key, value);
        }
        for (key, value) in env {
            command.env(key, expression(&value));
        }
        for (key, value) in extra {
            command.env(key, value);
        }
        let path = format!("{}:{}", self.bin.path().display(), std::env::var("PATH").unwrap_or_default());
        command
            .env("PATH", path)
            .env("GITHUB_OUTPUT", &outputs)
            .env("GITHUB_SHA", "mergesha")
            .env("GH_STUB", self.github.path());
        let out = command.output().expect("bash");
        (out, std::fs::read_to_string(outputs).unwrap_or_default())
    }

    /// The plan job on a checkout of `blueprint`: validate, plan, comment. The saved plan is
    /// handed to the stub as the run's artifact; the changes output comes back.
    fn pull_request(&self, checkout: &Path) -> String {
        let (validate, _) = self.run("plan", "Validate", checkout, &[]);
        assert_eq!(validate.status.code(), Some(0), "{}", stderr(&validate));
        let (plan, outputs) = self.run("plan", "Plan", checkout, &[]);
        assert_eq!(plan.status.code(), Some(0), "{}\n{}", stdout(&plan), stderr(&plan));
        let changes = outputs.trim().strip_prefix("changes=").expect("the changes output").to_string();
        let (comment, _) = self.run("plan", "Comment the plan", checkout, &[("CHANGES", &changes)]);
        assert_eq!(comment.status.code(), Some(0), "{}", stderr(&comment));
        std::fs::copy(checkout.join("lzctl-plan.json"), self.github.path().join("lzctl-plan.json")).unwrap();
        changes
    }

    /// The apply job on a fresh checkout, with these comments on the pull request.
    fn merge(&self, checkout: &Path, comments: &str) -> std::process::Output {
        std::fs::write(self.github.path().join("comments.txt"), comments).unwrap();
        let (fetch, _) = self.run(
            "apply",
            "Fetch the merged pull request's saved plan and its approvals",
            checkout,
            &[("GH_STUB_PR", "7")],
        );
        assert_eq!(fetch.status.code(), Some(0), "{}\n{}", stdout(&fetch), stderr(&fetch));
        self.run("apply", "Apply exactly the approved plan", checkout, &[]).0
    }

    fn comment(&self) -> String {
        std::fs::read_to_string(self.github.path().join("comment.md")).unwrap_or_default()
    }
}

/// A checkout of a repository whose blueprint is `yaml` (with the gitops fixture's approvers).
fn checkout(yaml: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let blueprints = dir.path().join("blueprints");
    std::fs::create_dir_all(blueprints.join("approvers")).unwrap();
    let signers = PathBuf::from(format!("{MANIFEST_DIR}/tests/fixtures/gitops/approvers/allowed_signers"));
    std::fs::copy(signers, blueprints.join("approvers/allowed_signers")).unwrap();
    std::fs::write(blueprints.join("landing-zone.yaml"), yaml).unwrap();
    dir
}

const NO_APPROVALS: &str = "version: 1\norganizational_units:\n  Workloads: {}\n";

#[test]
fn the_install_steps_are_valid_shell() {
    let workflow = Workflow::load();
    for job in ["plan", "apply"] {
        let (script, _) = workflow.step(job, "Install lzctl");
        let out = Command::new("bash").args(["-n", "-c", &script]).output().unwrap();
        assert!(out.status.success(), "{job}: {}", stderr(&out));
        assert!(script.contains("sha256sum -c"), "the binary is checked against the release's checksums");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_example_workflow_plans_comments_and_applies_against_the_emulator() {
    let emu = Emulator::start();
    let org = emu.create_organization().await;
    let runner = Runner::new(&emu);

    // A change, no approvals asked for, no signature commented: the merge applies it.
    let pr = checkout(NO_APPROVALS);
    assert_eq!(runner.pull_request(pr.path()), "true");
    assert!(runner.comment().starts_with("<!-- lzctl-plan -->\n### lzctl plan: 1 to create"), "{}", runner.comment());
    assert!(runner.comment().contains("To approve, sign digest"), "{}", runner.comment());
    let merged = runner.merge(checkout(NO_APPROVALS).path(), "");
    assert_eq!(merged.status.code(), Some(0), "{}\n{}", stdout(&merged), stderr(&merged));
    let roots = org.list_roots().send().await.unwrap();
    let ous =
        org.list_organizational_units_for_parent().parent_id(roots.roots()[0].id().unwrap()).send().await.unwrap();
    assert_eq!(ous.organizational_units().iter().filter_map(|o| o.name()).collect::<Vec<_>>(), ["Workloads"]);

    // The approval rule recorded (a first plan needs no approval), then a change approved by a
    // commented signature.
    let rule = "version: 1\norganizational_units:\n  Workloads: {}\napprovals: {required: 1, allowed_signers: approvers/allowed_signers}\n";
    runner.pull_request(checkout(rule).path());
    let merged = runner.merge(checkout(rule).path(), "");
    assert_eq!(merged.status.code(), Some(0), "{}\n{}", stdout(&merged), stderr(&merged));
    let change = rule.replace("  Workloads: {}\n", "  Workloads: {}\n  Sandbox: {}\n");
    runner.pull_request(checkout(&change).path());
    let unsigned = runner.merge(checkout(&change).path(), "Looks good!\n");
    assert_eq!(unsigned.status.code(), Some(1), "no approval: refused\n{}", stderr(&unsigned));
    let signature = sign(&runner, "bob");
    let signed = runner.merge(checkout(&change).path(), &format!("Approved:\n```\n{signature}```\n"));
    assert_eq!(signed.status.code(), Some(0), "{}\n{}", stdout(&signed), stderr(&signed));
    assert!(stderr(&signed).contains("Approved by bob@example.com."), "{}", stderr(&signed));

    // A pull request that changes nothing: no approval asked, the merge succeeds.
    assert_eq!(runner.pull_request(checkout(&change).path()), "false");
    assert!(!runner.comment().contains("To approve"), "{}", runner.comment());
    let nothing = runner.merge(checkout(&change).path(), "");
    assert_eq!(nothing.status.code(), Some(0), "{}\n{}", stdout(&nothing), stderr(&nothing));
}

/// A reviewer's signature over the stub's saved plan, as `lzctl approve --key` makes it.
fn sign(runner: &Runner<'_>, who: &str) -> String {
    let copy = runner.github.path().join("signed.json");
    std::fs::copy(runner.github.path().join("lzctl-plan.json"), &copy).unwrap();
    let key = format!("{MANIFEST_DIR}/tests/fixtures/keys/{who}");
    let out = lzctl_offline(runner.github.path(), &["approve", &copy.display().to_string(), "--key", &key]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&copy).unwrap()).unwrap();
    saved["approvals"][0].as_str().expect("the signature").to_string()
}
