//! lzctl under attack (issue 10): a blueprint under review trying to read secrets through a file
//! reference, approvals the change under review tries to weaken, and the other bypasses — each
//! reproduced against the emulator and refused.

use crate::support::{Emulator, stderr, stdout};
use std::os::unix::fs::symlink;

const SECRET: &str = "AWS_SECRET_ACCESS_KEY";

/// A fresh organization in the emulator, and a folder holding `lz.yaml` with `blueprint`.
async fn with_blueprint(blueprint: &str) -> (Emulator, tempfile::TempDir) {
    let emu = Emulator::start();
    emu.create_organization().await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lz.yaml"), blueprint).unwrap();
    (emu, dir)
}

/// A stack set whose template is `template`, in a folder of its own.
fn stack_set_blueprint(dir: &std::path::Path, template: &str) -> std::path::PathBuf {
    let yaml = format!(
        "version: 1\norganizational_units:\n  Workloads: {{}}\nstack_sets:\n  leak:\n    template: {template}\n    permission_model: SELF_MANAGED\n    targets: {{ous: [Workloads]}}\n    regions: [us-east-1]\n"
    );
    let path = dir.join("lz.yaml");
    std::fs::write(&path, yaml).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread")]
async fn a_file_reference_cannot_read_the_process_environment() {
    let emu = Emulator::start();
    emu.create_organization().await;
    emu.reset_recording();
    let dir = tempfile::tempdir().unwrap();
    symlink("/proc/self/environ", dir.path().join("innocent.yaml")).unwrap();
    for template in ["/proc/self/environ", "innocent.yaml", "../../proc/self/environ"] {
        let blueprint = stack_set_blueprint(dir.path(), template);
        let plan_file = dir.path().join("plan.json");
        for command in [
            vec!["plan", "-f", blueprint.to_str().unwrap(), "--out", plan_file.to_str().unwrap()],
            vec!["plan", "-f", blueprint.to_str().unwrap(), "--format", "json"],
            vec!["apply", "-f", blueprint.to_str().unwrap(), "--auto-approve"],
        ] {
            let out = emu.lzctl(&command);
            let (stdout, stderr) = (stdout(&out), stderr(&out));
            assert_eq!(out.status.code(), Some(1), "{template}: {command:?} must fail:\n{stdout}\n{stderr}");
            assert!(stderr.contains("lzctl::blueprint::unsafe_path"), "{template}: {stderr}");
            assert!(!stdout.contains(SECRET) && !stderr.contains(SECRET), "{template}: the environment leaked");
            assert!(!plan_file.exists(), "{template}: no plan file is written");
        }
    }
    assert!(emu.mutating_operations().is_empty(), "{:?}", emu.mutating_operations());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_named_profile_wins_over_environment_credentials_and_an_unknown_one_is_an_error() {
    let emu = Emulator::start();
    emu.create_organization().await;
    let dir = tempfile::tempdir().unwrap();
    let credentials = dir.path().join("credentials");
    std::fs::write(
        &credentials,
        "[ci]\naws_access_key_id = AKIAPROFILE000000001\naws_secret_access_key = from-the-profile\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("lz.yaml"), "version: 1\n").unwrap();
    let env = [("AWS_SHARED_CREDENTIALS_FILE", credentials.to_str().unwrap())];

    emu.reset_recording();
    let out = emu.lzctl_env(dir.path(), &["plan", "-f", "lz.yaml", "--profile", "ci"], &env);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let keys = emu.access_keys();
    assert!(!keys.is_empty() && keys.iter().all(|k| k == "AKIAPROFILE000000001"), "signed with {keys:?}");

    emu.reset_recording();
    let out = emu.lzctl_env(dir.path(), &["plan", "-f", "lz.yaml", "--profile", "ghost"], &env);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("lzctl::aws::credentials") && err.contains("profile ghost"), "{err}");
    assert!(emu.operations().is_empty(), "nothing is read with the wrong credentials");

    // Without --profile, environment keys are used, as the AWS CLI does.
    emu.reset_recording();
    let out = emu.lzctl_env(dir.path(), &["plan", "-f", "lz.yaml"], &env);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(emu.access_keys().iter().all(|k| k == "testing"), "{:?}", emu.access_keys());
}

/// A JSON value with every object's keys sorted, printed compactly: what a saved plan's digest
/// is taken over.
fn canonical(value: &serde_json::Value) -> String {
    fn sorted(value: &serde_json::Value) -> serde_json::Value {
        match value {
            serde_json::Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                serde_json::Value::Object(keys.into_iter().map(|k| (k.clone(), sorted(&map[k]))).collect())
            }
            serde_json::Value::Array(items) => serde_json::Value::Array(items.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    serde_json::to_string(&sorted(value)).unwrap()
}

/// Re-signs nothing, but recomputes the digest the way lzctl does, as an attacker with the file
/// (and no approvals required) would.
fn with_fresh_digest(mut plan: serde_json::Value) -> serde_json::Value {
    use sha2::Digest;
    let mut body = plan.clone();
    body.as_object_mut().unwrap().remove("digest");
    body.as_object_mut().unwrap().remove("approvals");
    let digest: String = sha2::Sha256::digest(canonical(&body).as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
    plan["digest"] = serde_json::Value::String(digest);
    plan
}

#[tokio::test(flavor = "multi_thread")]
async fn a_saved_plan_applies_exactly_what_show_shows_or_nothing() {
    let (emu, dir) = with_blueprint("version: 1\norganizational_units:\n  Foundational: {}\n  Suspended: {policies: [deny-all]}\npolicies:\n  deny-all: {document: {Statement: [{Effect: Deny, Action: \"*\", Resource: \"*\"}]}}\n").await;
    let setup = emu.lzctl_in(dir.path(), &["apply", "-f", "lz.yaml", "--auto-approve"]);
    assert_eq!(setup.status.code(), Some(0), "{}", stderr(&setup));
    // Suspended's deny-all was detached by hand; the plan puts it back.
    let ous = emu.org().list_roots().send().await.unwrap();
    let root = ous.roots()[0].id().unwrap().to_string();
    let children = emu.org().list_organizational_units_for_parent().parent_id(&root).send().await.unwrap();
    let id_of = |name: &str| {
        children.organizational_units().iter().find(|o| o.name() == Some(name)).unwrap().id().unwrap().to_string()
    };
    let policies = emu.org().list_policies().filter(aws_sdk_organizations::types::PolicyType::ServiceControlPolicy);
    let policies = policies.send().await.unwrap();
    let deny_all = policies.policies().iter().find(|p| p.name() == Some("deny-all")).unwrap().id().unwrap().to_string();
    emu.org().detach_policy().policy_id(&deny_all).target_id(id_of("Suspended")).send().await.unwrap();

    let plan = emu.lzctl_in(dir.path(), &["plan", "-f", "lz.yaml", "--out", "plan.json"]);
    assert_eq!(plan.status.code(), Some(0), "{}", stderr(&plan));
    let path = dir.path().join("plan.json");
    let mut saved: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let change = saved["plan"]["changes"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|c| c["address"] == "policy_attachment.deny-all/Suspended")
        .expect("the plan attaches deny-all to Suspended");
    change["op"]["target"]["name"] = "Foundational".into();
    std::fs::write(&path, serde_json::to_string_pretty(&with_fresh_digest(saved)).unwrap()).unwrap();

    let show = emu.lzctl_in(dir.path(), &["show", "plan.json"]);
    assert!(stdout(&show).contains("policy_attachment.deny-all/Suspended"), "{}", stdout(&show));
    emu.reset_recording();
    let apply = emu.lzctl_in(dir.path(), &["apply", "plan.json", "--auto-approve"]);
    let err = stderr(&apply);
    assert_eq!(apply.status.code(), Some(1), "{err}");
    assert!(err.contains("lzctl::saved::tampered") && err.contains("deny-all/Suspended"), "{err}");
    assert!(emu.mutating_operations().is_empty(), "{:?}", emu.mutating_operations());
    let on_foundational = emu.org().list_policies_for_target().target_id(id_of("Foundational"));
    let on_foundational = on_foundational.filter(aws_sdk_organizations::types::PolicyType::ServiceControlPolicy);
    let names: Vec<String> =
        on_foundational.send().await.unwrap().policies().iter().filter_map(|p| p.name().map(str::to_string)).collect();
    assert_eq!(names, ["FullAWSAccess"], "deny-all never reached Foundational");
}

/// The GitOps fixture in a folder of its own, the approval rule recorded in a fresh organization
/// (by a first saved plan, which needs none), ready for a change under review.
struct Governed {
    emu: Emulator,
    dir: tempfile::TempDir,
}

fn test_key(name: &str) -> String {
    format!("{}/tests/fixtures/keys/{name}", crate::support::MANIFEST_DIR)
}

async fn governed() -> Governed {
    let emu = Emulator::start();
    emu.create_organization().await;
    let dir = tempfile::tempdir().unwrap();
    let fixture = format!("{}/tests/fixtures/gitops", crate::support::MANIFEST_DIR);
    std::fs::create_dir(dir.path().join("approvers")).unwrap();
    for file in ["blueprint.yaml", "bootstrap.yaml", "approvers/allowed_signers"] {
        std::fs::copy(format!("{fixture}/{file}"), dir.path().join(file)).unwrap();
    }
    let g = Governed { emu, dir };
    let out = g.run(&["plan", "-f", "bootstrap.yaml", "--out", "bootstrap.json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = g.run(&["apply", "bootstrap.json", "--auto-approve"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    g.emu.reset_recording();
    g
}

impl Governed {
    fn run(&self, args: &[&str]) -> std::process::Output {
        self.emu.lzctl_in(self.dir.path(), args)
    }

    /// Writes a file of the change under review.
    fn write(&self, name: &str, text: &str) {
        std::fs::write(self.dir.path().join(name), text).unwrap();
    }

    fn refused(&self, out: &std::process::Output, why: &str) {
        let err = stderr(out);
        assert_eq!(out.status.code(), Some(1), "{}\n{err}", stdout(out));
        assert!(err.contains(why), "expected {why:?} in:\n{err}");
        assert!(self.emu.mutating_operations().is_empty(), "refused, yet changed {:?}", self.emu.mutating_operations());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_change_that_deletes_the_approval_rule_is_itself_approved_under_it() {
    let g = governed().await;
    let text = std::fs::read_to_string(g.dir.path().join("blueprint.yaml")).unwrap();
    let without = &text[..text.find("approvals:").unwrap()];
    g.write("blueprint.yaml", without);
    let plan = g.run(&["plan", "-f", "blueprint.yaml", "--out", "plan.json"]);
    assert!(stdout(&plan).contains("- organization_setting.approval_rule"), "the plan shows it: {}", stdout(&plan));
    g.refused(&g.run(&["apply", "plan.json", "--auto-approve"]), "needs 1 approval(s)");
    // Nor can the same change be applied straight from the blueprint.
    g.refused(&g.run(&["apply", "-f", "blueprint.yaml", "--auto-approve"]), "requires 1 approval(s)");
    // Approved by someone the rule in force allows, it applies, and the rule is gone.
    assert_eq!(g.run(&["approve", "plan.json", "--key", &test_key("bob")]).status.code(), Some(0));
    let apply = g.run(&["apply", "plan.json", "--auto-approve"]);
    assert_eq!(apply.status.code(), Some(0), "{}", stderr(&apply));
    let again = g.run(&["plan", "-f", "blueprint.yaml", "--detailed-exitcode"]);
    assert_eq!(again.status.code(), Some(0), "{}", stdout(&again));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_change_that_adds_its_authors_key_cannot_approve_itself() {
    let g = governed().await;
    let key = g.dir.path().join("mallory");
    let made = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "mallory", "-f"])
        .arg(&key)
        .status()
        .expect("ssh-keygen runs");
    assert!(made.success());
    let mallory = std::fs::read_to_string(key.with_extension("pub")).unwrap();
    let signers = std::fs::read_to_string(g.dir.path().join("approvers/allowed_signers")).unwrap();
    g.write("approvers/allowed_signers", &format!("{signers}mallory@example.com {mallory}"));
    let plan = g.run(&["plan", "-f", "blueprint.yaml", "--out", "plan.json", "--requested-by", "mallory@example.com"]);
    assert_eq!(plan.status.code(), Some(0), "{}", stderr(&plan));
    assert!(stdout(&plan).contains("~ organization_setting.approval_rule"), "{}", stdout(&plan));
    let approve = g.run(&["approve", "plan.json", "--key", key.to_str().unwrap()]);
    g.refused(&approve, "a key the rule in force does not allow");
    g.refused(&g.run(&["apply", "plan.json", "--auto-approve"]), "needs 1 approval(s)");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_plan_made_from_another_blueprint_file_is_approved_under_the_rule_in_force() {
    let g = governed().await;
    g.write("other.yaml", "version: 1\norganizational_units:\n  Sneaky: {}\n");
    let plan = g.run(&["plan", "-f", "other.yaml", "--out", "plan.json"]);
    assert_eq!(plan.status.code(), Some(0), "{}", stderr(&plan));
    g.refused(&g.run(&["apply", "plan.json", "--auto-approve"]), "needs 1 approval(s)");
    g.refused(&g.run(&["apply", "-f", "other.yaml", "--auto-approve"]), "requires 1 approval(s)");
    let show = g.run(&["show", "plan.json"]);
    assert!(stdout(&show).contains("Needs 1 approval(s) under the rule in force"), "{}", stdout(&show));
}

#[tokio::test(flavor = "multi_thread")]
async fn whoever_requested_the_change_cannot_approve_it_and_show_says_who_counts() {
    let g = governed().await;
    let plan = g.run(&["plan", "-f", "blueprint.yaml", "--out", "plan.json", "--requested-by", "bob@example.com"]);
    assert_eq!(plan.status.code(), Some(0), "{}", stderr(&plan));
    let approve = g.run(&["approve", "plan.json", "--key", &test_key("bob")]);
    g.refused(&approve, "whoever requested the change (bob@example.com) cannot approve it");
    assert_eq!(g.run(&["approve", "plan.json", "--key", &test_key("alice")]).status.code(), Some(0));
    let twice = g.run(&["approve", "plan.json", "--key", &test_key("alice")]);
    g.refused(&twice, "a second approval by the same signer counts once");
    let show = stdout(&g.run(&["show", "plan.json"]));
    assert!(show.contains("Requested by bob@example.com.") && show.contains("1. counts: alice@example.com"), "{show}");
    // The requester is covered by the digest: removing it voids the plan.
    let text = std::fs::read_to_string(g.dir.path().join("plan.json")).unwrap();
    g.write("edited.json", &text.replace("\"requested_by\": \"bob@example.com\"", "\"requested_by\": null"));
    g.refused(&g.run(&["apply", "edited.json", "--auto-approve"]), "altered");
    let apply = g.run(&["apply", "plan.json", "--auto-approve"]);
    assert_eq!(apply.status.code(), Some(0), "{}", stderr(&apply));
    assert!(stderr(&apply).contains("Approved by alice@example.com"), "{}", stderr(&apply));
}

/// Puts a lock on the root as another apply would, expiring `expires` (seconds since the epoch).
async fn held_lock(emu: &Emulator, expires: u64) -> String {
    let root = emu.org().list_roots().send().await.unwrap().roots()[0].id().unwrap().to_string();
    let value =
        format!("run=other1 since=1764000000 expires={expires} holder=arn:aws:sts::123456789012:assumed-role/ci/other");
    let tag = aws_sdk_organizations::types::Tag::builder().key("lzctl:lock").value(value).build().unwrap();
    emu.org().tag_resource().resource_id(&root).tags(tag).send().await.unwrap();
    root
}

async fn root_tags(emu: &Emulator, root: &str) -> Vec<String> {
    let tags = emu.org().list_tags_for_resource().resource_id(root).send().await.unwrap();
    tags.tags().iter().map(|t| t.key().to_string()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn one_apply_at_a_time_and_unlock_for_a_lock_left_behind() {
    let (emu, dir) = with_blueprint("version: 1\norganizational_units:\n  Workloads: {}\n").await;
    let root = held_lock(&emu, 4_000_000_000).await;

    let plan = emu.lzctl_in(dir.path(), &["plan", "-f", "lz.yaml"]);
    assert!(
        stdout(&plan).contains("apply lock is held by arn:aws:sts::123456789012:assumed-role/ci/other"),
        "{}",
        stdout(&plan)
    );
    emu.reset_recording();
    let apply = emu.lzctl_in(dir.path(), &["apply", "-f", "lz.yaml", "--auto-approve"]);
    let err = stderr(&apply);
    assert_eq!(apply.status.code(), Some(1), "{err}");
    assert!(
        err.contains("lzctl::apply::locked")
            && err.contains("held by arn:aws:sts::123456789012:assumed-role/ci/other since 2025-11-24"),
        "{err}"
    );
    assert!(emu.mutating_operations().is_empty(), "{:?}", emu.mutating_operations());

    let refused = emu.lzctl_in(dir.path(), &["unlock"]);
    assert_eq!(refused.status.code(), Some(1), "no terminal to ask: {}", stderr(&refused));
    assert_eq!(root_tags(&emu, &root).await, ["lzctl:lock"]);
    let unlock = emu.lzctl_in(dir.path(), &["unlock", "--yes"]);
    assert_eq!(unlock.status.code(), Some(0), "{}", stderr(&unlock));
    assert!(stderr(&unlock).contains("run other1") && stdout(&unlock).contains("Unlocked."), "{}", stderr(&unlock));

    let apply = emu.lzctl_in(dir.path(), &["apply", "-f", "lz.yaml", "--auto-approve"]);
    assert_eq!(apply.status.code(), Some(0), "{}", stderr(&apply));
    assert!(root_tags(&emu, &root).await.is_empty(), "the apply gave its lock back");
    assert_eq!(stdout(&emu.lzctl_in(dir.path(), &["unlock", "--yes"])), "The organization is not locked.\n");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_lock_is_taken_over_with_a_warning() {
    let (emu, dir) = with_blueprint("version: 1\norganizational_units:\n  Workloads: {}\n").await;
    let root = held_lock(&emu, 1_000).await;
    let apply = emu.lzctl_in(dir.path(), &["apply", "-f", "lz.yaml", "--auto-approve"]);
    assert_eq!(apply.status.code(), Some(0), "{}", stderr(&apply));
    assert!(stderr(&apply).contains("taking over the organization's expired lock"), "{}", stderr(&apply));
    assert!(root_tags(&emu, &root).await.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_plan_that_locks_everyone_out_is_shown_and_refused_without_allow_hazards() {
    let (emu, dir) = with_blueprint("version: 1\norganization: {root_policies: [deny-all]}\npolicies:\n  deny-all: {document: {Statement: [{Effect: Deny, Action: \"*\", Resource: \"*\"}]}}\n").await;
    let plan = emu.lzctl_in(dir.path(), &["plan", "-f", "lz.yaml"]);
    assert!(stdout(&plan).contains("Hazards: apply refuses this plan without --allow-hazards:"), "{}", stdout(&plan));
    emu.reset_recording();
    let apply = emu.lzctl_in(dir.path(), &["apply", "-f", "lz.yaml", "--auto-approve"]);
    assert_eq!(apply.status.code(), Some(1), "{}", stderr(&apply));
    assert!(
        stderr(&apply).contains("lzctl::apply::hazards") && stderr(&apply).contains("policy_attachment.deny-all/Root")
    );
    assert!(emu.mutating_operations().is_empty(), "{:?}", emu.mutating_operations());
    let meant = emu.lzctl_in(dir.path(), &["apply", "-f", "lz.yaml", "--auto-approve", "--allow-hazards"]);
    assert_eq!(meant.status.code(), Some(0), "{}", stderr(&meant));
}
