//! End to end: the real lzctl binary against a real, independent AWS emulator (moto), with
//! every outcome checked through the SDK rather than through lzctl.

use crate::support::{Emulator, changes, landing_zone, stderr, stdout};
use aws_sdk_organizations::Client;
use aws_sdk_organizations::types::PolicyType;
use std::collections::{BTreeMap, BTreeSet};

/// Every OU by its path from the root.
async fn ou_paths(org: &Client) -> BTreeMap<String, String> {
    let root = org.list_roots().send().await.unwrap().roots()[0].id().unwrap().to_string();
    let mut paths = BTreeMap::new();
    let mut queue = vec![(root, String::new())];
    while let Some((parent, prefix)) = queue.pop() {
        let out = org.list_organizational_units_for_parent().parent_id(&parent).send().await.unwrap();
        for ou in out.organizational_units() {
            let path = if prefix.is_empty() {
                ou.name().unwrap().to_string()
            } else {
                format!("{prefix}/{}", ou.name().unwrap())
            };
            paths.insert(path.clone(), ou.id().unwrap().to_string());
            queue.push((ou.id().unwrap().to_string(), path));
        }
    }
    paths
}

async fn policy_ids(org: &Client) -> BTreeMap<String, String> {
    let out = org.list_policies().filter(PolicyType::ServiceControlPolicy).send().await.unwrap();
    out.policies().iter().map(|p| (p.name().unwrap().to_string(), p.id().unwrap().to_string())).collect()
}

async fn attached_names(org: &Client, target: &str) -> BTreeSet<String> {
    let out =
        org.list_policies_for_target().target_id(target).filter(PolicyType::ServiceControlPolicy).send().await.unwrap();
    out.policies().iter().map(|p| p.name().unwrap().to_string()).collect()
}

async fn account_id(org: &Client, email: &str) -> String {
    let out = org.list_accounts().send().await.unwrap();
    out.accounts()
        .iter()
        .find(|a| a.email() == Some(email))
        .unwrap_or_else(|| panic!("no account {email}"))
        .id()
        .unwrap()
        .to_string()
}

async fn parent_of(org: &Client, account: &str) -> String {
    org.list_parents().child_id(account).send().await.unwrap().parents()[0].id().unwrap().to_string()
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(std::string::ToString::to_string).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn landing_zone_applies_to_a_fresh_organization_and_then_plans_empty() {
    let emu = Emulator::start();
    let org = emu.create_organization().await;
    emu.seed_directory(crate::support::DEMO_DIRECTORY).await;
    emu.reset_recording();

    let first = emu.lzctl(&["plan", "-f", &landing_zone(), "--no-color"]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    insta::assert_snapshot!("fresh_plan", stdout(&first));
    assert!(emu.mutating_operations().is_empty(), "plan called {:?}", emu.mutating_operations());

    let apply = emu.lzctl(&["apply", "-f", &landing_zone(), "--auto-approve", "--stats"]);
    assert_eq!(apply.status.code(), Some(0), "{}\n{}", stdout(&apply), stderr(&apply));
    assert!(
        stdout(&apply).contains("Apply complete: 57 changes applied (53 created, 4 moved) in "),
        "{}",
        stdout(&apply)
    );
    // Every change is shown as it starts and as it ends, with what it created and how long it took.
    let progress = stderr(&apply);
    let started = progress.lines().filter(|l| l.ends_with("…") && l.contains(": ")).count();
    let done: Vec<&str> = progress.lines().filter(|l| l.ends_with("/57]")).collect();
    assert_eq!((started, done.len()), (57, 57), "{progress}");
    assert!(
        done.iter().any(|l| l.starts_with("+ organizational_unit.Foundational: created ou-") && l.contains(" s) [")),
        "{progress}"
    );
    assert!(stderr(&apply).contains("stats: total calls="), "{}", stderr(&apply));
    let peak_kb: u64 = stderr(&apply)
        .split("peak_rss_kb=")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .expect("the peak memory in --stats");
    assert!((1_000..1_000_000).contains(&peak_kb), "a plausible peak: {peak_kb} kB");

    // What AWS holds now, read through the SDK.
    let ous = ou_paths(&org).await;
    let expected_ous = [
        "Foundational",
        "Foundational/Infra",
        "Foundational/PolicyStaging",
        "Foundational/Workloads",
        "Foundational/Workloads/Production",
        "Foundational/Workloads/SDLC",
        "Foundational/Workloads/SDLC/Development",
        "Foundational/Workloads/SDLC/Sandbox",
        "Foundational/Workloads/SDLC/Staging",
        "Maintenance",
        "Suspended",
    ];
    assert_eq!(ous.keys().map(String::as_str).collect::<Vec<_>>(), expected_ous);
    assert_eq!(attached_names(&org, &ous["Suspended"]).await, set(&["FullAWSAccess", "deny-all"]));
    assert_eq!(
        attached_names(&org, &ous["Foundational"]).await,
        set(&["FullAWSAccess", "deny-root-user", "deny-unused-regions", "protect-audit-trail"])
    );
    let root = org.list_roots().send().await.unwrap().roots()[0].clone();
    assert_eq!(attached_names(&org, root.id().unwrap()).await, set(&["FullAWSAccess", "deny-leave-organization"]));
    assert!(root.policy_types().iter().any(|p| p.r#type() == Some(&PolicyType::ServiceControlPolicy)));
    let security = account_id(&org, "aws+security@example.com").await;
    assert_eq!(parent_of(&org, &security).await, ous["Foundational/Infra"]);
    let tags = org.list_tags_for_resource().resource_id(&security).send().await.unwrap();
    let tags: BTreeMap<&str, &str> = tags.tags().iter().map(|t| (t.key(), t.value())).collect();
    assert_eq!(tags, BTreeMap::from([("cost-center", "9000"), ("owner", "platform"), ("purpose", "security-tooling")]));
    let tag_policies = org
        .list_policies_for_target()
        .target_id(root.id().unwrap())
        .filter(PolicyType::TagPolicy)
        .send()
        .await
        .unwrap();
    assert_eq!(tag_policies.policies().iter().filter_map(|p| p.name()).collect::<Vec<_>>(), ["cost-center"]);
    let deny_all = &policy_ids(&org).await["deny-all"];
    let content = org
        .describe_policy()
        .policy_id(deny_all)
        .send()
        .await
        .unwrap()
        .policy()
        .unwrap()
        .content()
        .unwrap()
        .to_string();
    let content: serde_json::Value = serde_json::from_str(&content).unwrap();
    assert_eq!(content["Statement"][0]["Effect"], "Deny");

    emu.reset_recording();
    let plan = emu.lzctl(&["plan", "-f", &landing_zone(), "--detailed-exitcode"]);
    assert_eq!(plan.status.code(), Some(0), "{}{}", stdout(&plan), stderr(&plan));
    // What the emulator cannot hold stays left out, and says so.
    let text = stdout(&plan);
    assert!(text.starts_with("Left out by --exclude, not applied:\n"), "{text}");
    assert!(text.ends_with("No changes.\n(5 changes left out by --exclude.)\n"), "{text}");
    let json = emu.lzctl(&["plan", "-f", &landing_zone(), "--format", "json"]);
    assert_eq!(changes(&stdout(&json)), Vec::<String>::new());

    let again = emu.lzctl(&["apply", "-f", &landing_zone(), "--auto-approve", "--stats"]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert!(stderr(&again).contains(" mutating=0 "), "{}", stderr(&again));
    assert!(emu.operations().len() > 5, "the recording works: {:?}", emu.operations());
    assert!(emu.mutating_operations().is_empty(), "a converged apply called {:?}", emu.mutating_operations());
}

#[tokio::test(flavor = "multi_thread")]
async fn out_of_band_drift_is_planned_exactly_and_repaired() {
    let emu = Emulator::start();
    let org = emu.create_organization().await;
    emu.seed_directory(crate::support::DEMO_DIRECTORY).await;
    let apply = emu.lzctl(&["apply", "-f", &landing_zone(), "--auto-approve"]);
    assert_eq!(apply.status.code(), Some(0), "{}", stderr(&apply));

    let ous = ou_paths(&org).await;
    let policies = policy_ids(&org).await;
    // 1. an SCP detached by hand
    org.detach_policy()
        .policy_id(&policies["deny-unused-regions"])
        .target_id(&ous["Foundational"])
        .send()
        .await
        .unwrap();
    // 2. a hand-made SCP attached to a managed OU
    let hand_made = org
        .create_policy()
        .name("hand-made")
        .description("made in the console")
        .r#type(PolicyType::ServiceControlPolicy)
        .content(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ec2:*","Resource":"*"}]}"#)
        .send()
        .await
        .unwrap();
    let hand_made = hand_made.policy().unwrap().policy_summary().unwrap().id().unwrap().to_string();
    org.attach_policy().policy_id(&hand_made).target_id(&ous["Maintenance"]).send().await.unwrap();
    // 3. an account moved
    let prod = account_id(&org, "aws+prod-web@example.com").await;
    org.move_account()
        .account_id(&prod)
        .source_parent_id(&ous["Foundational/Workloads/Production"])
        .destination_parent_id(&ous["Suspended"])
        .send()
        .await
        .unwrap();
    // 4. a policy's content edited
    org.update_policy()
        .policy_id(&policies["protect-critical-operations"])
        .content(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ec2:DeleteVpc","Resource":"*"}]}"#)
        .send()
        .await
        .unwrap();
    // 5. a policy's JSON keys reordered and reformatted: not a change
    org.update_policy()
        .policy_id(&policies["deny-leave-organization"])
        .content(r#"{ "Statement" : [ { "Resource":"*", "Action":["organizations:LeaveOrganization"], "Effect":"Deny", "Sid":"DenyLeavingTheOrganization" } ], "Version":"2012-10-17" }"#)
        .send()
        .await
        .unwrap();

    emu.reset_recording();
    let plan = emu.lzctl(&["plan", "-f", &landing_zone(), "--format", "json", "--detailed-exitcode"]);
    assert_eq!(plan.status.code(), Some(2), "{}", stderr(&plan));
    assert_eq!(
        changes(&stdout(&plan)),
        [
            "update policy.protect-critical-operations",
            "move account.prod-web",
            "create policy_attachment.deny-unused-regions/Foundational",
            "delete policy_attachment.hand-made/Maintenance",
        ]
    );
    let human = emu.lzctl(&["plan", "-f", &landing_zone(), "--no-color"]);
    let text = stdout(&human);
    assert!(
        text.contains(
            "  → account.prod-web  # it is in Suspended; the blueprint puts it in Foundational/Workloads/Production"
        ),
        "{text}"
    );
    assert!(text.contains("-        \"ec2:DeleteVpc\"\n") || text.contains("\"ec2:DeleteVpc\""), "{text}");
    assert!(
        text.contains(
            "  ? policy.hand-made  # not in the blueprint; this plan detaches it, then --prune can delete it"
        ),
        "{text}"
    );
    assert!(text.ends_with("Plan: 1 to create, 1 to update, 1 to delete, 1 to move.\n"), "{text}");
    assert!(emu.mutating_operations().is_empty(), "plan called {:?}", emu.mutating_operations());

    let apply = emu.lzctl(&["apply", "-f", &landing_zone(), "--auto-approve"]);
    assert_eq!(apply.status.code(), Some(0), "{}", stderr(&apply));
    // Exactly the planned changes, inside the organization's lock (taken, then given back).
    assert_eq!(
        emu.mutating_operations(),
        ["TagResource", "UpdatePolicy", "MoveAccount", "AttachPolicy", "DetachPolicy", "UntagResource"]
    );
    assert_eq!(parent_of(&org, &prod).await, ous["Foundational/Workloads/Production"]);
    assert_eq!(attached_names(&org, &ous["Maintenance"]).await, set(&["FullAWSAccess"]));
    assert!(attached_names(&org, &ous["Foundational"]).await.contains("deny-unused-regions"));

    let after = emu.lzctl(&["plan", "-f", &landing_zone(), "--detailed-exitcode"]);
    assert_eq!(after.status.code(), Some(0), "{}", stdout(&after));

    // The hand-made policy is detached now: --prune deletes it.
    let prune = emu.lzctl(&["apply", "-f", &landing_zone(), "--auto-approve", "--prune"]);
    assert_eq!(prune.status.code(), Some(0), "{}", stderr(&prune));
    assert!(stdout(&prune).contains("- policy.hand-made"), "{}", stdout(&prune));
    assert!(!policy_ids(&org).await.contains_key("hand-made"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_blueprint_in_the_contract_shape_written_elsewhere_applies_and_plans_empty() {
    let emu = Emulator::start();
    let org = emu.create_organization().await;
    let blueprint = format!("{}/tests/fixtures/contract/blueprint.yaml", crate::support::MANIFEST_DIR);
    let validate = emu.lzctl(&["validate", "-f", &blueprint]);
    assert_eq!(validate.status.code(), Some(0), "{}", stderr(&validate));
    let apply = emu.lzctl(&["apply", "-f", &blueprint, "--auto-approve"]);
    assert_eq!(apply.status.code(), Some(0), "{}\n{}", stdout(&apply), stderr(&apply));
    let plan = emu.lzctl(&["plan", "-f", &blueprint, "--detailed-exitcode", "--format", "json"]);
    assert_eq!(plan.status.code(), Some(0), "{}", stdout(&plan));

    let ous = ou_paths(&org).await;
    // full_aws_access: false with an allow-list policy
    assert_eq!(attached_names(&org, &ous["Sandbox"]).await, set(&["allow-compute-and-storage"]));
    let web = account_id(&org, "aws+prod-web@example.com").await;
    let rcps =
        org.list_policies_for_target().target_id(&web).filter(PolicyType::ResourceControlPolicy).send().await.unwrap();
    let rcps: BTreeSet<&str> = rcps.policies().iter().filter_map(|p| p.name()).collect();
    assert!(rcps.contains("deny-public-s3"), "{rcps:?}");
    let root = org.list_roots().send().await.unwrap().roots()[0].clone();
    assert!(root.policy_types().iter().any(|p| p.r#type() == Some(&PolicyType::ResourceControlPolicy)));
}

#[tokio::test(flavor = "multi_thread")]
async fn apply_without_a_terminal_refuses_instead_of_waiting() {
    let emu = Emulator::start();
    emu.create_organization().await;
    emu.seed_directory(crate::support::DEMO_DIRECTORY).await;
    emu.reset_recording();
    let out = emu.lzctl(&["apply", "-f", &landing_zone()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("standard input is not a terminal"), "{}", stderr(&out));
    assert!(emu.mutating_operations().is_empty(), "{:?}", emu.mutating_operations());
}

#[tokio::test(flavor = "multi_thread")]
async fn without_an_organization_the_error_says_how_to_make_one() {
    let emu = Emulator::start();
    let out = emu.lzctl(&["plan", "-f", &landing_zone()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("AWSOrganizationsNotInUseException"), "{err}");
    assert!(err.contains("create-organization"), "{err}");
}

/// An OU renamed in the blueprint (`renamed_from:`) is renamed in place: one
/// UpdateOrganizationalUnit, the same OU id, its account not moved; then nothing to plan.
#[tokio::test(flavor = "multi_thread")]
async fn a_renamed_ou_is_renamed_in_place() {
    let emu = Emulator::start();
    let org = emu.create_organization().await;
    let dir = tempfile::tempdir().unwrap();
    let first = "version: 1\norganizational_units:\n  Workloads: {children: {Prod: {}}}\naccounts:\n  web: {email: web@example.com, ou: Workloads/Prod}\n";
    std::fs::write(dir.path().join("lz.yaml"), first).unwrap();
    let apply = emu.lzctl_in(dir.path(), &["apply", "-f", "lz.yaml", "--auto-approve"]);
    assert_eq!(apply.status.code(), Some(0), "{}", stderr(&apply));
    let before = ou_paths(&org).await;

    let renamed = "version: 1\norganizational_units:\n  Apps: {renamed_from: Workloads, children: {Production: {renamed_from: Prod}}}\naccounts:\n  web: {email: web@example.com, ou: Apps/Production}\n";
    std::fs::write(dir.path().join("lz.yaml"), renamed).unwrap();
    let json = emu.lzctl_in(dir.path(), &["plan", "-f", "lz.yaml", "--format", "json"]);
    assert_eq!(
        changes(&stdout(&json)),
        ["update organizational_unit.Apps", "update organizational_unit.Apps/Production"],
        "{}",
        stdout(&json)
    );
    let plan = emu.lzctl_in(dir.path(), &["plan", "-f", "lz.yaml", "--no-color"]);
    assert!(stdout(&plan).contains("# renamed from Apps/Prod"), "{}", stdout(&plan));
    assert!(stdout(&plan).contains("~ name: \"Workloads\" → \"Apps\""), "{}", stdout(&plan));
    emu.reset_recording();
    let apply = emu.lzctl_in(dir.path(), &["apply", "-f", "lz.yaml", "--auto-approve"]);
    assert_eq!(apply.status.code(), Some(0), "{}", stderr(&apply));
    let lock = ["TagResource", "UntagResource"];
    let made: Vec<String> = emu.mutating_operations().into_iter().filter(|op| !lock.contains(&op.as_str())).collect();
    assert_eq!(made, ["UpdateOrganizationalUnit", "UpdateOrganizationalUnit"], "no new OU, no move");
    let after = ou_paths(&org).await;
    assert_eq!(
        (after["Apps"].as_str(), after["Apps/Production"].as_str()),
        (before["Workloads"].as_str(), before["Workloads/Prod"].as_str())
    );
    let again = emu.lzctl_in(dir.path(), &["plan", "-f", "lz.yaml", "--detailed-exitcode"]);
    assert_eq!(again.status.code(), Some(0), "{}", stdout(&again));
}

/// At a terminal, any answer but "yes" ends plainly with "Apply cancelled." (no error report)
/// and changes nothing.
#[tokio::test(flavor = "multi_thread")]
async fn answering_anything_but_yes_cancels_plainly() {
    let emu = Emulator::start();
    emu.create_organization().await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lz.yaml"), "version: 1\norganizational_units:\n  Workloads: {}\n").unwrap();
    emu.reset_recording();
    let out = emu.lzctl_at_terminal(dir.path(), &["apply", "-f", "lz.yaml", "--no-color"], "no\n");
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert!(text.contains("Apply these changes? Only 'yes' is accepted:"), "{text}");
    assert!(text.contains("Apply cancelled."), "{text}");
    assert!(!text.contains('×') && !text.contains("lzctl::cancelled") && !text.contains("Error"), "{text}");
    let made: Vec<String> = emu.mutating_operations().into_iter().filter(|op| !op.ends_with("TagResource")).collect();
    assert!(made.is_empty(), "{made:?}");
}

/// Retiring an account end to end: `suspended` moves it into the suspended OU; `closed` is
/// refused without --allow-close (nothing changes), then closes it (SUSPENDED in AWS); the next
/// plan is empty.
#[tokio::test(flavor = "multi_thread")]
async fn a_retired_account_is_suspended_then_closed_only_with_allow_close() {
    let emu = Emulator::start();
    let org = emu.create_organization().await;
    let dir = tempfile::tempdir().unwrap();
    let blueprint = |lifecycle: &str| {
        format!(
            "version: 1\norganization: {{suspended_ou: Suspended}}\norganizational_units:\n  Workloads: {{}}\n  Suspended: {{policies: [deny-all]}}\naccounts:\n  old: {{email: old@example.com, ou: Workloads, lifecycle: {lifecycle}}}\npolicies:\n  deny-all: {{document: {{Statement: [{{Effect: Deny, Action: \"*\", Resource: \"*\"}}]}}}}\n"
        )
    };
    let write = |lifecycle: &str| std::fs::write(dir.path().join("lz.yaml"), blueprint(lifecycle)).unwrap();
    write("active");
    let apply = emu.lzctl_in(dir.path(), &["apply", "-f", "lz.yaml", "--auto-approve"]);
    assert_eq!(apply.status.code(), Some(0), "{}", stderr(&apply));
    let old = account_id(&org, "old@example.com").await;

    write("suspended");
    let apply = emu.lzctl_in(dir.path(), &["apply", "-f", "lz.yaml", "--auto-approve"]);
    assert_eq!(apply.status.code(), Some(0), "{}", stderr(&apply));
    assert_eq!(parent_of(&org, &old).await, ou_paths(&org).await["Suspended"]);

    write("closed");
    let plan = emu.lzctl_in(dir.path(), &["plan", "-f", "lz.yaml", "--no-color"]);
    assert!(
        stdout(&plan).contains(
            "This plan closes 1 account (irreversible after 90 days; apply needs --allow-close):\n  - account.old"
        ),
        "{}",
        stdout(&plan)
    );
    emu.reset_recording();
    let refused = emu.lzctl_in(dir.path(), &["apply", "-f", "lz.yaml", "--auto-approve"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(stderr(&refused).contains("lzctl::apply::close_not_allowed"), "{}", stderr(&refused));
    assert!(emu.mutating_operations().is_empty(), "{:?}", emu.mutating_operations());

    let apply = emu.lzctl_in(dir.path(), &["apply", "-f", "lz.yaml", "--auto-approve", "--allow-close"]);
    assert_eq!(apply.status.code(), Some(0), "{}", stderr(&apply));
    let described = org.describe_account().account_id(&old).send().await.unwrap();
    assert_eq!(
        described.account().unwrap().status().map(aws_sdk_organizations::types::AccountStatus::as_str),
        Some("SUSPENDED")
    );
    let again = emu.lzctl_in(dir.path(), &["plan", "-f", "lz.yaml", "--detailed-exitcode"]);
    assert_eq!(again.status.code(), Some(0), "{}", stdout(&again));
}

/// `lzctl join` through the real binary (the emulator has no handshakes: the invitation paths
/// are tested on mocks): already in the organization named, nothing is done; in another one,
/// it refuses without --leave-current; nothing changes either way.
#[tokio::test(flavor = "multi_thread")]
async fn join_does_nothing_in_the_named_organization_and_refuses_to_leave_unasked() {
    let emu = Emulator::start();
    let org = emu.create_organization().await;
    let id = org.describe_organization().send().await.unwrap().organization().unwrap().id().unwrap().to_string();
    emu.reset_recording();
    let same = emu.lzctl(&["join", "--organization", &id]);
    assert_eq!(same.status.code(), Some(0), "{}", stderr(&same));
    assert_eq!(stdout(&same), format!("This account is already in {id}: nothing to do.\n"));
    let other = emu.lzctl(&["join", "--organization", "o-elsewhere1"]);
    assert_eq!(other.status.code(), Some(1));
    assert!(stderr(&other).contains("lzctl::join::member_elsewhere"), "{}", stderr(&other));
    assert!(stderr(&other).contains(&format!("this account is in organization {id}")), "{}", stderr(&other));
    assert!(emu.mutating_operations().is_empty(), "{:?}", emu.mutating_operations());
}

/// Management policies end to end on the emulator (it creates tag and AI services opt-out
/// policies; its CreatePolicy fails with a server error for backup policies, which the
/// planner tests cover): enabled, created, attached per target beside the SCPs, then nothing
/// left to plan; an edit is an update.
#[tokio::test(flavor = "multi_thread")]
async fn tag_and_ai_opt_out_policies_apply_and_plan_empty() {
    let emu = Emulator::start();
    let org = emu.create_organization().await;
    let dir = tempfile::tempdir().unwrap();
    let blueprint = |cost_centers: &str| {
        format!(
            r#"version: 1
organization: {{policy_types: [SERVICE_CONTROL_POLICY, TAG_POLICY, AISERVICES_OPT_OUT_POLICY]}}
organizational_units:
  Workloads: {{policies: [cost-center, deny-leave]}}
accounts:
  app: {{email: app@example.com, ou: Workloads, policies: [no-ai-training]}}
policies:
  deny-leave: {{document: {{Statement: [{{Effect: Deny, Action: "organizations:LeaveOrganization", Resource: "*"}}]}}}}
  cost-center:
    type: TAG_POLICY
    document: {{tags: {{costcenter: {{tag_key: {{"@@assign": CostCenter}}, tag_value: {{"@@assign": [{cost_centers}]}}}}}}}}
  no-ai-training:
    type: AISERVICES_OPT_OUT_POLICY
    document: {{services: {{default: {{opt_out_policy: {{"@@assign": optOut}}}}}}}}
"#
        )
    };
    std::fs::write(dir.path().join("lz.yaml"), blueprint("\"1234\"")).unwrap();
    let apply = emu.lzctl_in(dir.path(), &["apply", "-f", "lz.yaml", "--auto-approve"]);
    assert_eq!(apply.status.code(), Some(0), "{}\n{}", stdout(&apply), stderr(&apply));
    let again = emu.lzctl_in(dir.path(), &["plan", "-f", "lz.yaml", "--detailed-exitcode"]);
    assert_eq!(again.status.code(), Some(0), "{}", stdout(&again));
    let workloads = ou_paths(&org).await["Workloads"].clone();
    let tag_policies =
        org.list_policies_for_target().target_id(&workloads).filter(PolicyType::TagPolicy).send().await.unwrap();
    assert_eq!(tag_policies.policies().iter().filter_map(|p| p.name()).collect::<Vec<_>>(), ["cost-center"]);

    std::fs::write(dir.path().join("lz.yaml"), blueprint("\"1234\", \"2040\"")).unwrap();
    let edited = emu.lzctl_in(dir.path(), &["plan", "-f", "lz.yaml", "--no-color"]);
    assert!(stdout(&edited).contains("~ policy.cost-center  # document differs"), "{}", stdout(&edited));
    let added = stdout(&edited).lines().any(|l| l.trim_start().starts_with('+') && l.trim_end().ends_with("\"2040\""));
    assert!(added, "the new value shows in the document's diff:\n{}", stdout(&edited));
}
