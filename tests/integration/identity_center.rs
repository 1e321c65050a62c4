//! Identity Center end to end: the real lzctl against moto, with the directory seeded and every
//! outcome checked through the SDK.

use crate::support::{Emulator, MANIFEST_DIR, changes, stderr, stdout};
use aws_sdk_ssoadmin::types::PrincipalType;
use std::collections::{BTreeMap, BTreeSet};

pub(crate) fn blueprint() -> String {
    format!("{MANIFEST_DIR}/tests/fixtures/identity/blueprint.yaml")
}

const DIRECTORY: &[(&str, &[&str])] =
    &[("Admins", &["alice"]), ("Developers", &["bob"]), ("Auditors", &["carol"]), ("Contractors", &["mallory"])];

/// Permission sets by name → ARN, through the SDK.
pub(crate) async fn permission_sets(emu: &Emulator) -> BTreeMap<String, String> {
    let (instance, _) = emu.instance().await;
    let sso = emu.sso();
    let arns = sso.list_permission_sets().instance_arn(&instance).send().await.unwrap().permission_sets().to_vec();
    let mut by_name = BTreeMap::new();
    for arn in arns {
        let out = sso.describe_permission_set().instance_arn(&instance).permission_set_arn(&arn).send().await.unwrap();
        by_name.insert(out.permission_set().unwrap().name().unwrap().to_string(), arn);
    }
    by_name
}

/// (permission set name, account id) pairs a group or user can reach, through the SDK.
async fn reach(emu: &Emulator, principal_id: &str, kind: PrincipalType) -> BTreeSet<(String, String)> {
    let (instance, _) = emu.instance().await;
    let names: BTreeMap<String, String> = permission_sets(emu).await.into_iter().map(|(n, a)| (a, n)).collect();
    let out = emu
        .sso()
        .list_account_assignments_for_principal()
        .instance_arn(&instance)
        .principal_id(principal_id)
        .principal_type(kind)
        .send()
        .await
        .unwrap();
    out.account_assignments()
        .iter()
        .map(|a| (names[a.permission_set_arn().unwrap()].clone(), a.account_id().unwrap().to_string()))
        .collect()
}

pub(crate) async fn account_id(org: &aws_sdk_organizations::Client, email: &str) -> String {
    let out = org.list_accounts().send().await.unwrap();
    out.accounts().iter().find(|a| a.email() == Some(email)).unwrap().id().unwrap().to_string()
}

/// A fresh organization with the directory seeded and the blueprint applied.
pub(crate) async fn applied() -> (Emulator, aws_sdk_organizations::Client, BTreeMap<String, String>) {
    let emu = Emulator::start();
    let org = emu.create_organization().await;
    let people = emu.seed_directory(DIRECTORY).await;
    let apply = emu.lzctl(&["apply", "-f", &blueprint(), "--auto-approve"]);
    assert_eq!(apply.status.code(), Some(0), "{}\n{}", stdout(&apply), stderr(&apply));
    (emu, org, people)
}

#[tokio::test(flavor = "multi_thread")]
async fn permission_sets_and_assignments_apply_and_then_plan_empty() {
    let (emu, org, people) = applied().await;
    let plan = emu.lzctl(&["plan", "-f", &blueprint(), "--detailed-exitcode", "--stats"]);
    assert_eq!(plan.status.code(), Some(0), "{}\n{}", stdout(&plan), stderr(&plan));
    assert!(
        stderr(&plan).contains("stats: assignments read per principal (8 principals), as LZCTL_ASSIGNMENT_READ asks"),
        "{}",
        stderr(&plan)
    );

    let sets = permission_sets(&emu).await;
    assert_eq!(sets.keys().map(String::as_str).collect::<Vec<_>>(), ["Admin", "Auditor", "Developer"]);
    let (instance, _) = emu.instance().await;
    let sso = emu.sso();
    let developer = sso
        .describe_permission_set()
        .instance_arn(&instance)
        .permission_set_arn(&sets["Developer"])
        .send()
        .await
        .unwrap();
    let developer = developer.permission_set().unwrap();
    assert_eq!(
        (developer.session_duration(), developer.relay_state()),
        (Some("PT8H"), Some("https://console.aws.amazon.com/"))
    );
    let inline = sso
        .get_inline_policy_for_permission_set()
        .instance_arn(&instance)
        .permission_set_arn(&sets["Developer"])
        .send()
        .await
        .unwrap();
    assert!(inline.inline_policy().unwrap().contains("iam:CreateAccessKey"));
    let refs = sso
        .list_customer_managed_policy_references_in_permission_set()
        .instance_arn(&instance)
        .permission_set_arn(&sets["Developer"])
        .send()
        .await
        .unwrap();
    assert_eq!(refs.customer_managed_policy_references()[0].name(), "lz-developer-extra");

    let (dev, prod, security) = (
        account_id(&org, "ic+dev@example.com").await,
        account_id(&org, "ic+prod@example.com").await,
        account_id(&org, "ic+security@example.com").await,
    );
    assert_eq!(
        reach(&emu, &people["Developers"], PrincipalType::Group).await,
        BTreeSet::from([("Developer".to_string(), dev.clone())])
    );
    assert_eq!(
        reach(&emu, &people["Admins"], PrincipalType::Group).await,
        BTreeSet::from([("Admin".to_string(), security.clone())])
    );
    assert_eq!(
        reach(&emu, &people["alice"], PrincipalType::User).await,
        BTreeSet::from([("Admin".to_string(), prod.clone())])
    );
    // Root reaches every account but the management account, which the blueprint does not list.
    let auditors: BTreeSet<String> =
        reach(&emu, &people["Auditors"], PrincipalType::Group).await.into_iter().map(|(_, a)| a).collect();
    assert_eq!(auditors.len(), 3);
    assert!(auditors.contains(&dev) && auditors.contains(&prod) && auditors.contains(&security));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hand_made_assignment_on_a_managed_permission_set_is_planned_for_removal() {
    let (emu, org, people) = applied().await;
    let sets = permission_sets(&emu).await;
    let prod = account_id(&org, "ic+prod@example.com").await;
    emu.assign_by_hand(&sets["Developer"], &people["Contractors"], PrincipalType::Group, &prod).await;

    let plan = emu.lzctl(&["plan", "-f", &blueprint(), "--format", "json", "--detailed-exitcode"]);
    assert_eq!(plan.status.code(), Some(2), "{}", stderr(&plan));
    assert_eq!(changes(&stdout(&plan)), ["delete assignment.Developer/group:Contractors/prod"]);
    let human = stdout(&emu.lzctl(&["plan", "-f", &blueprint(), "--no-color"]));
    assert!(
        human.contains(&format!(
            "  - assignment.Developer/group:Contractors/prod  # group Contractors has Developer in prod ({prod}), which the blueprint does not list"
        )),
        "{human}"
    );

    let apply = emu.lzctl(&["apply", "-f", &blueprint(), "--auto-approve"]);
    assert_eq!(apply.status.code(), Some(0), "{}", stderr(&apply));
    assert!(reach(&emu, &people["Contractors"], PrincipalType::Group).await.is_empty());
    assert_eq!(emu.lzctl(&["plan", "-f", &blueprint(), "--detailed-exitcode"]).status.code(), Some(0));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_changed_policy_list_or_inline_policy_is_an_update_and_a_reprovision() {
    let (emu, _org, _people) = applied().await;
    let (instance, _) = emu.instance().await;
    let sets = permission_sets(&emu).await;
    let sso = emu.sso();
    sso.attach_managed_policy_to_permission_set()
        .instance_arn(&instance)
        .permission_set_arn(&sets["Developer"])
        .managed_policy_arn("arn:aws:iam::aws:policy/IAMFullAccess")
        .send()
        .await
        .unwrap();
    sso.put_inline_policy_to_permission_set()
        .instance_arn(&instance)
        .permission_set_arn(&sets["Developer"])
        .inline_policy(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"}]}"#)
        .send()
        .await
        .unwrap();

    let plan = emu.lzctl(&["plan", "-f", &blueprint(), "--format", "json"]);
    assert_eq!(changes(&stdout(&plan)), ["update permission_set.Developer"]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&plan)).unwrap();
    assert_eq!(json["changes"][0]["after"]["reprovision"], true);
    assert_eq!(
        json["changes"][0]["before"]["managed_policies"],
        serde_json::json!(["arn:aws:iam::aws:policy/IAMFullAccess", "arn:aws:iam::aws:policy/PowerUserAccess"])
    );
    let human = stdout(&emu.lzctl(&["plan", "-f", &blueprint(), "--no-color"]));
    assert!(
        human
            .contains("  ~ permission_set.Developer  # managed policies, inline policy differ; then provisioned again"),
        "{human}"
    );
    assert!(human.contains("-           \"Effect\": \"Allow\","), "the inline policy is shown as a diff:\n{human}");
    assert!(
        human.contains("      - managed_policies: \"arn:aws:iam::aws:policy/IAMFullAccess\""),
        "the managed policy it loses is named:\n{human}"
    );

    emu.reset_recording();
    let apply = emu.lzctl(&["apply", "-f", &blueprint(), "--auto-approve"]);
    assert_eq!(apply.status.code(), Some(0), "{}", stderr(&apply));
    let ops = emu.mutating_operations();
    // Exactly the planned changes, inside the organization's lock (taken, then given back).
    assert_eq!(
        ops,
        [
            "TagResource",
            "DetachManagedPolicyFromPermissionSet",
            "PutInlinePolicyToPermissionSet",
            "ProvisionPermissionSet",
            "UntagResource"
        ]
    );
    assert_eq!(emu.lzctl(&["plan", "-f", &blueprint(), "--detailed-exitcode"]).status.code(), Some(0));
}

#[tokio::test(flavor = "multi_thread")]
async fn names_the_identity_store_does_not_know_fail_the_plan_with_their_lines() {
    let emu = Emulator::start();
    emu.create_organization().await;
    emu.seed_directory(&[("Admins", &["alice"])]).await;
    emu.reset_recording();
    let out = emu.lzctl(&["plan", "-f", &blueprint()]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains("2 name(s) in the blueprint's assignments are not in the identity store; nothing was planned"),
        "{err}"
    );
    assert!(err.contains("blueprint.yaml:39:7: group Developers (assignment of Developer)"), "{err}");
    assert!(err.contains("blueprint.yaml:42:7: group Auditors (assignment of Auditor)"), "{err}");
    assert!(!err.contains("group Admins") && !err.contains("user alice"), "{err}");
    assert!(emu.mutating_operations().is_empty(), "{:?}", emu.mutating_operations());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_account_moved_into_a_targeted_ou_gets_its_assignments_at_the_next_plan() {
    let (emu, org, _people) = applied().await;
    emu.create_account_in(&org, "newcomer@example.com", "Newcomer", "Workloads/SDLC").await;

    let plan = emu.lzctl(&["plan", "-f", &blueprint(), "--format", "json"]);
    assert_eq!(
        changes(&stdout(&plan)),
        ["create assignment.Auditor/group:Auditors/Newcomer", "create assignment.Developer/group:Developers/Newcomer"]
    );
    let apply = emu.lzctl(&["apply", "-f", &blueprint(), "--auto-approve"]);
    assert_eq!(apply.status.code(), Some(0), "{}", stderr(&apply));
    assert_eq!(emu.lzctl(&["plan", "-f", &blueprint(), "--detailed-exitcode"]).status.code(), Some(0));
}
