//! Saved plans and approvals end to end: the real lzctl against moto. A saved plan is applied
//! exactly; a stale, edited, unapproved or self-approved one is refused before any mutating call.

use crate::support::{Emulator, MANIFEST_DIR, stderr, stdout};

fn blueprint() -> String {
    format!("{MANIFEST_DIR}/tests/fixtures/gitops/blueprint.yaml")
}

fn key(name: &str) -> String {
    format!("{MANIFEST_DIR}/tests/fixtures/keys/{name}")
}

struct Saved {
    emu: Emulator,
    org: aws_sdk_organizations::Client,
    _dir: tempfile::TempDir,
    plan: String,
}

/// A fresh organization where the approval rule is in force (recorded by a first saved plan,
/// which needs no approvals), and a saved plan of the fixture against it.
async fn saved() -> Saved {
    let emu = Emulator::start();
    let org = emu.create_organization().await;
    let dir = tempfile::tempdir().unwrap();
    let bootstrap = dir.path().join("bootstrap.json").display().to_string();
    let rule = format!("{MANIFEST_DIR}/tests/fixtures/gitops/bootstrap.yaml");
    let out = emu.lzctl(&["plan", "-f", &rule, "--out", &bootstrap]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("+ organization_setting.approval_rule"), "{}", stdout(&out));
    let out = emu.lzctl(&["apply", &bootstrap, "--auto-approve"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let plan = dir.path().join("plan.json").display().to_string();
    let out = emu.lzctl(&["plan", "-f", &blueprint(), "--out", &plan]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("Saved the plan to"), "{}", stderr(&out));
    emu.reset_recording();
    Saved { emu, org, _dir: dir, plan }
}

impl Saved {
    fn approve(&self, who: &str) -> std::process::Output {
        self.emu.lzctl(&["approve", &self.plan, "--key", &key(who)])
    }

    fn apply(&self) -> std::process::Output {
        self.emu.lzctl(&["apply", &self.plan, "--auto-approve"])
    }

    fn refused(&self, out: &std::process::Output, why: &str) {
        assert_eq!(out.status.code(), Some(1), "{}\n{}", stdout(out), stderr(out));
        assert!(stderr(out).contains(why), "expected {why:?} in:\n{}", stderr(out));
        assert!(
            self.emu.mutating_operations().is_empty(),
            "a refused plan changed {:?}",
            self.emu.mutating_operations()
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_approved_saved_plan_is_applied_exactly_and_the_next_plan_is_empty() {
    let s = saved().await;
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&s.plan).unwrap()).unwrap();
    for key in
        ["format_version", "tool_version", "blueprint_digest", "creator", "created_at", "state_fingerprint", "digest"]
    {
        assert!(json.get(key).is_some(), "the saved plan has {key}");
    }
    assert_eq!(json["creator"], "arn:aws:sts::123456789012:user/moto");
    let approve = s.approve("bob");
    assert_eq!(approve.status.code(), Some(0), "{}", stderr(&approve));
    assert!(stdout(&approve).contains("it has 1 approval(s)"), "{}", stdout(&approve));

    let apply = s.apply();
    assert_eq!(apply.status.code(), Some(0), "{}\n{}", stdout(&apply), stderr(&apply));
    assert!(stderr(&apply).contains("Approved by bob@example.com."), "{}", stderr(&apply));
    // Exactly the saved changes, no re-planning.
    let mutating = s.emu.mutating_operations();
    assert_eq!(mutating.iter().filter(|o| *o == "CreateOrganizationalUnit").count(), 2, "{mutating:?}");
    assert!(mutating.contains(&"EnablePolicyType".to_string()));
    let root = s.org.list_roots().send().await.unwrap().roots()[0].id().unwrap().to_string();
    let ous = s.org.list_organizational_units_for_parent().parent_id(&root).send().await.unwrap();
    assert_eq!(ous.organizational_units().len(), 2);

    let again = s.emu.lzctl(&["plan", "-f", &blueprint(), "--detailed-exitcode"]);
    assert_eq!(again.status.code(), Some(0), "{}", stdout(&again));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_plan_made_stale_by_an_out_of_band_change_is_refused_and_nothing_changes() {
    let s = saved().await;
    assert_eq!(s.approve("alice").status.code(), Some(0));
    let root = s.org.list_roots().send().await.unwrap().roots()[0].id().unwrap().to_string();
    s.org.create_organizational_unit().parent_id(&root).name("Sandbox").send().await.unwrap();
    s.emu.reset_recording();
    let out = s.apply();
    s.refused(&out, "the plan is stale: the organization changed since it was made");
    assert!(
        stderr(&out).contains("organizational_unit.Sandbox appeared"),
        "names what changed as plans do:\n{}",
        stderr(&out)
    );
    let ous = s.org.list_organizational_units_for_parent().parent_id(&root).send().await.unwrap();
    assert_eq!(ous.organizational_units().len(), 1, "only the out-of-band OU exists");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_plan_edited_after_signing_is_refused() {
    let s = saved().await;
    assert_eq!(s.approve("bob").status.code(), Some(0));
    let text = std::fs::read_to_string(&s.plan).unwrap();
    std::fs::write(&s.plan, text.replacen("\"Suspended\"", "\"Unsuspended\"", 1)).unwrap();
    s.refused(&s.apply(), "the plan file was altered after it was made");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_plan_without_the_required_approvals_is_refused() {
    let s = saved().await;
    s.refused(&s.apply(), "the plan needs 1 approval(s) from distinct allowed signers and has 0");
    // Applying the blueprint directly would skip the review: refused too.
    let direct = s.emu.lzctl(&["apply", "-f", &blueprint(), "--auto-approve"]);
    s.refused(&direct, "the blueprint requires 1 approval(s)");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_creators_own_approval_does_not_count() {
    let s = saved().await;
    let approve = s.approve("creator");
    assert_eq!(approve.status.code(), Some(1), "approve checks before it writes");
    assert!(stderr(&approve).contains("the plan's creator cannot approve it"), "{}", stderr(&approve));
    // Slipped into the file by hand, it still does not count.
    let digest = stdout(&s.emu.lzctl(&["show", &s.plan, "--digest"])).trim().to_string();
    let signed = s.emu.lzctl(&["approve", &s.plan, "--key", &key("alice")]);
    assert_eq!(signed.status.code(), Some(0), "{}", stderr(&signed));
    let mut json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&s.plan).unwrap()).unwrap();
    let creator_key = std::fs::read_to_string(key("creator")).unwrap();
    let forged = ssh_key::PrivateKey::from_openssh(&creator_key)
        .unwrap()
        .sign("lzctl-plan", ssh_key::HashAlg::Sha512, digest.as_bytes())
        .unwrap()
        .to_pem(ssh_key::LineEnding::LF)
        .unwrap();
    json["approvals"] = serde_json::json!([forged]);
    std::fs::write(&s.plan, serde_json::to_string_pretty(&json).unwrap()).unwrap();
    s.refused(&s.apply(), "the plan's creator cannot approve it");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_approval_made_with_ssh_keygen_counts() {
    let s = saved().await;
    let digest = s.emu.lzctl(&["show", &s.plan, "--digest"]);
    let digest = stdout(&digest).trim().to_string();
    let message = format!("{}.digest", s.plan);
    std::fs::write(&message, &digest).unwrap();
    // ssh-keygen uses only a private key no one else can read; git does not keep modes.
    let private = format!("{}.alice", s.plan);
    std::fs::copy(key("alice"), &private).unwrap();
    std::fs::set_permissions(&private, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let signed = std::process::Command::new("ssh-keygen")
        .args(["-Y", "sign", "-n", "lzctl-plan", "-f", &private, &message])
        .output()
        .expect("ssh-keygen runs");
    assert!(signed.status.success(), "{}", String::from_utf8_lossy(&signed.stderr));
    let attach = s.emu.lzctl(&["approve", &s.plan, "--signature", &format!("{message}.sig")]);
    assert_eq!(attach.status.code(), Some(0), "{}", stderr(&attach));
    let apply = s.apply();
    assert_eq!(apply.status.code(), Some(0), "{}", stderr(&apply));
    assert!(stderr(&apply).contains("Approved by alice@example.com."), "{}", stderr(&apply));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_saved_plan_shows_as_markdown_for_a_pull_request() {
    let s = saved().await;
    let out = s.emu.lzctl(&["show", &s.plan, "--format", "markdown"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // The header: the organization, who planned, when, and the digest approvals sign.
    let text = stdout(&out);
    let digest = s.emu.lzctl(&["show", &s.plan, "--digest"]);
    assert!(text.contains(&format!("saved plan digest `{}`.", stdout(&digest).trim())), "{text}");
    assert!(text.contains("Organization `o-") && text.contains(" · planned by `arn:aws:"), "{text}");
    // What differs from run to run (the organization, who, when, the digest) is named instead.
    let saved: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&s.plan).unwrap()).unwrap();
    let mut text = text;
    for (key, name) in
        [("organization_id", "ORGANIZATION"), ("creator", "CREATOR"), ("created_at", "TIME"), ("digest", "DIGEST")]
    {
        let value = saved[key].as_str().unwrap_or_else(|| panic!("the saved plan's {key}"));
        assert!(text.contains(value), "{key} {value} in\n{text}");
        text = text.replace(value, name);
    }
    insta::assert_snapshot!("saved_plan_markdown", text);
    // `plan` renders the same comment; its header has its own time, and the JSON plan's digest.
    let same = s.emu.lzctl(&["plan", "-f", &blueprint(), "--format", "markdown"]);
    let body = |text: &str| text.lines().filter(|l| !l.starts_with("Organization `")).collect::<Vec<_>>().join("\n");
    assert_eq!(body(&stdout(&same)), body(&stdout(&out)), "plan and show render the same Markdown");
    assert!(stdout(&same).contains(" · JSON plan digest `"), "{}", stdout(&same));
}

/// A saved plan names its blueprint relative to itself, so it is applied from anywhere; applied
/// twice, the second time says it is already applied (not stale); a blueprint edited since
/// names the file that changed; a blueprint that cannot be found says to pass -f.
#[tokio::test(flavor = "multi_thread")]
async fn saved_plans_find_their_blueprint_say_already_applied_and_name_the_changed_file() {
    let emu = Emulator::start();
    emu.create_organization().await;
    let repo = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::create_dir(repo.path().join("policies")).unwrap();
    std::fs::write(
        repo.path().join("policies/deny-leave.json"),
        r#"{"Statement": [{"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}]}"#,
    )
    .unwrap();
    std::fs::write(
        repo.path().join("lz.yaml"),
        "version: 1\norganizational_units:\n  Workloads: {policies: [deny-leave]}\npolicies:\n  deny-leave: {file: policies/deny-leave.json}\n",
    )
    .unwrap();
    let plan = |out: &str| emu.lzctl_in(repo.path(), &["plan", "-f", "lz.yaml", "--out", out]);
    assert_eq!(plan("plan.json").status.code(), Some(0));
    let saved = repo.path().join("plan.json").display().to_string();

    let applied = emu.lzctl_in(elsewhere.path(), &["apply", &saved, "--auto-approve"]);
    assert_eq!(applied.status.code(), Some(0), "{}\n{}", stdout(&applied), stderr(&applied));
    assert!(stdout(&applied).contains("Apply complete:"), "{}", stdout(&applied));

    let again = emu.lzctl_in(elsewhere.path(), &["apply", &saved, "--auto-approve"]);
    assert_eq!(again.status.code(), Some(0), "{}\n{}", stdout(&again), stderr(&again));
    assert!(stderr(&again).contains("already applied"), "{}", stderr(&again));

    std::fs::write(
        repo.path().join("lz.yaml"),
        std::fs::read_to_string(repo.path().join("lz.yaml")).unwrap() + "  extra: {file: policies/deny-leave.json}\n",
    )
    .unwrap();
    assert_eq!(plan("next.json").status.code(), Some(0));
    std::fs::write(
        repo.path().join("policies/deny-leave.json"),
        r#"{"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}"#,
    )
    .unwrap();
    let changed = emu
        .lzctl_in(elsewhere.path(), &["apply", &repo.path().join("next.json").display().to_string(), "--auto-approve"]);
    assert_eq!(changed.status.code(), Some(1));
    assert!(stderr(&changed).contains("(policies/deny-leave.json changed)"), "{}", stderr(&changed));

    let moved = elsewhere.path().join("moved.json");
    std::fs::copy(repo.path().join("next.json"), &moved).unwrap();
    let lost = emu.lzctl_in(elsewhere.path(), &["apply", &moved.display().to_string(), "--auto-approve"]);
    assert_eq!(lost.status.code(), Some(1));
    assert!(stderr(&lost).contains("pass it with -f"), "{}", stderr(&lost));
    assert!(stderr(&lost).contains("lzctl::saved::blueprint_missing"), "{}", stderr(&lost));
}
