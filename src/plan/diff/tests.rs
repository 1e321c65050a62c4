//! The planner from tables: desired + live → expected changes; and convergence: applying a plan
//! to an in-memory organization and planning again yields nothing.

mod convergence;
mod lifecycle;
mod policy_types;
mod root_access;

use super::*;
use crate::apply::{Ids, run};
use crate::live::{LiveAccount, LiveOu, LivePolicy};
use crate::model::{PolicyType, Target};
use crate::plan::Summary;
use crate::testing::{FULL_ACCESS_ID, InMemoryOrg, MANAGEMENT, ROOT, blueprint, fresh_org, lines, plan_ok};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};

fn unmanaged(plan: &Plan) -> Vec<String> {
    plan.unmanaged.iter().map(|u| u.address.clone()).collect()
}

const LZ: &str = r#"version: 1
organization: {root_policies: [deny-leave]}
organizational_units:
  Foundational:
    policies: [deny-regions]
    tags: {owner: platform}
    children:
      Workloads: {children: {Production: {policies: [protect]}}}
  Suspended: {policies: [deny-all]}
accounts:
  prod: {email: prod@example.com, ou: Foundational/Workloads/Production, tags: {cc: "1"}}
policies:
  deny-leave: {document: {Statement: [{Effect: Deny, Action: "organizations:LeaveOrganization", Resource: "*"}]}}
  deny-regions: {document: {Statement: [{Effect: Deny, NotAction: ["iam:*", "sts:*"], Resource: "*"}]}}
  protect: {document: {Statement: [{Effect: Deny, Action: ["ec2:DeleteVpc"], Resource: "*"}]}}
  deny-all: {description: nothing works, document: {Statement: [{Effect: Deny, Action: "*", Resource: "*"}]}}
"#;

async fn apply_to(org: &InMemoryOrg, bp: &crate::blueprint::Blueprint, options: &PlanOptions) -> Plan {
    let live = org.snapshot();
    let plan = plan_ok(bp, &live, options);
    run(&plan, Ids::new(bp, &live), org, crate::testing::never_stop(), |_, _| {})
        .await
        .expect("apply succeeds in memory");
    plan
}

#[test]
fn a_fresh_organization_gets_everything_in_dependency_order() {
    let bp = blueprint(LZ);
    let plan = plan_ok(&bp, &fresh_org(), &PlanOptions::default());
    assert_eq!(
        lines(&plan),
        [
            "+ organizational_unit.Foundational",
            "+ organizational_unit.Suspended",
            "+ organizational_unit.Foundational/Workloads",
            "+ organizational_unit.Foundational/Workloads/Production",
            "+ policy.deny-all",
            "+ policy.deny-leave",
            "+ policy.deny-regions",
            "+ policy.protect",
            "+ account.prod",
            "→ account.prod",
            "+ policy_attachment.deny-leave/Root",
            "+ policy_attachment.deny-regions/Foundational",
            "+ policy_attachment.protect/Foundational/Workloads/Production",
            "+ policy_attachment.deny-all/Suspended",
        ]
    );
    assert_eq!(plan.summary(), Summary { create: 13, update: 0, delete: 0, moves: 1 });
    assert_eq!(plan.changes[2].after, Some(json!({"name": "Workloads", "parent": "Foundational"})));
    assert_eq!(
        plan.changes[0].after,
        Some(json!({"name": "Foundational", "parent": "Root", "tags": {"owner": "platform"}}))
    );
    assert!(plan.unmanaged.is_empty(), "the management account is never listed: {:?}", plan.unmanaged);
}

#[tokio::test]
async fn applying_a_plan_converges_and_a_second_apply_makes_no_call() {
    let bp = blueprint(LZ);
    let org = InMemoryOrg::new(fresh_org());
    apply_to(&org, &bp, &PlanOptions::default()).await;
    let calls_after_first = org.calls.borrow().len();
    let second = apply_to(&org, &bp, &PlanOptions::default()).await;
    assert!(second.is_empty(), "{:?}", lines(&second));
    assert_eq!(org.calls.borrow().len(), calls_after_first, "an empty plan makes no call");
}

/// The live organization after the LZ blueprint was applied, and the ids of its parts.
async fn applied() -> (InMemoryOrg, crate::blueprint::Blueprint) {
    let bp = blueprint(LZ);
    let org = InMemoryOrg::new(fresh_org());
    apply_to(&org, &bp, &PlanOptions::default()).await;
    (org, bp)
}

fn id_of_ou(live: &LiveState, path: &str) -> String {
    live.ous_by_path()[path].id.clone()
}

fn id_of_policy(live: &LiveState, name: &str) -> String {
    live.policy_by_name(name).unwrap().id.clone()
}

#[tokio::test]
async fn drift_is_planned_exactly_and_a_reordered_document_is_not_drift() {
    let (org, bp) = applied().await;
    {
        let mut live = org.live.borrow_mut();
        let (foundational, suspended) = (id_of_ou(&live, "Foundational"), id_of_ou(&live, "Suspended"));
        // 1. an SCP detached by hand
        let deny_regions = id_of_policy(&live, "deny-regions");
        live.policies.get_mut(&deny_regions).unwrap().targets.remove(&foundational);
        // 2. a hand-made SCP attached to a managed OU
        live.policies.insert(
            "p-hand".into(),
            LivePolicy {
                id: "p-hand".into(),
                name: "hand-made".into(),
                policy_type: PolicyType::ServiceControlPolicy,
                description: String::new(),
                aws_managed: false,
                document: None,
                targets: BTreeSet::from([suspended]),
            },
        );
        // 3. an account moved
        let prod = live.accounts.values().find(|a| a.email == "prod@example.com").unwrap().id.clone();
        live.accounts.get_mut(&prod).unwrap().parent_id = ROOT.into();
        // 4. a policy's content edited
        let protect = id_of_policy(&live, "protect");
        live.policies.get_mut(&protect).unwrap().document = Some(
            json!({"Statement": [{"Effect": "Deny", "Action": ["ec2:DeleteVpc", "ec2:DeleteSubnet"], "Resource": "*"}]}),
        );
        // 5. a policy's keys reordered and single values listed: no change
        let deny_all = id_of_policy(&live, "deny-all");
        live.policies.get_mut(&deny_all).unwrap().document =
            Some(json!({"Statement": {"Resource": ["*"], "Action": ["*"], "Effect": "Deny"}}));
    }
    let plan = plan_ok(&bp, &org.snapshot(), &PlanOptions::default());
    assert_eq!(
        lines(&plan),
        [
            "~ policy.protect",
            "→ account.prod",
            "+ policy_attachment.deny-regions/Foundational",
            "- policy_attachment.hand-made/Suspended"
        ]
    );
    assert_eq!(plan.changes[1].before, Some(json!({"parent": "Root"})));
    assert_eq!(plan.changes[1].after, Some(json!({"parent": "Foundational/Workloads/Production"})));
    assert_eq!(unmanaged(&plan), ["policy.hand-made"]);
    assert!(
        plan.unmanaged[0].note == "not in the blueprint; this plan detaches it, then --prune can delete it",
        "{}",
        plan.unmanaged[0].note
    );

    let again = apply_to(&org, &bp, &PlanOptions::default()).await;
    assert_eq!(again.changes.len(), 4);
    let after = plan_ok(&bp, &org.snapshot(), &PlanOptions::default());
    assert!(after.is_empty(), "{:?}", lines(&after));
}

#[tokio::test]
async fn descriptions_and_tags_are_updates() {
    let (org, bp) = applied().await;
    {
        let mut live = org.live.borrow_mut();
        let deny_all = id_of_policy(&live, "deny-all");
        live.policies.get_mut(&deny_all).unwrap().description = "changed by hand".into();
        let foundational = id_of_ou(&live, "Foundational");
        live.ous.get_mut(&foundational).unwrap().tags =
            Some(BTreeMap::from([("owner".into(), "someone".into()), ("extra".into(), "x".into())]));
    }
    let plan = plan_ok(&bp, &org.snapshot(), &PlanOptions::default());
    assert_eq!(lines(&plan), ["~ organizational_unit.Foundational", "~ policy.deny-all"]);
    assert_eq!(plan.changes[0].reason, "tags differ: set owner; remove extra");
    assert_eq!(plan.changes[1].before, Some(json!({"description": "changed by hand"})));
    assert_eq!(
        plan.changes[0].op,
        Op::SetTags {
            target: Target::Ou("Foundational".into()),
            set: BTreeMap::from([("owner".into(), "platform".into())]),
            remove: BTreeSet::from(["extra".into()])
        }
    );
    apply_to(&org, &bp, &PlanOptions::default()).await;
    assert!(plan_ok(&bp, &org.snapshot(), &PlanOptions::default()).is_empty());
}

#[test]
fn accounts_match_by_email_then_by_name() {
    let bp = blueprint(
        "version: 1\naccounts:\n  a: {email: a@example.com, name: Alpha}\n  b: {email: b@example.com, name: Beta}\n",
    );
    let mut live = fresh_org();
    live.accounts.insert(
        "222222222222".into(),
        LiveAccount {
            id: "222222222222".into(),
            name: "Renamed".into(),
            email: "A@Example.com".into(),
            status: "ACTIVE".into(),
            parent_id: ROOT.into(),
            tags: None,
        },
    );
    live.accounts.insert(
        "333333333333".into(),
        LiveAccount {
            id: "333333333333".into(),
            name: "Beta".into(),
            email: "old-b@example.com".into(),
            status: "ACTIVE".into(),
            parent_id: ROOT.into(),
            tags: None,
        },
    );
    live.policies
        .get_mut(FULL_ACCESS_ID)
        .unwrap()
        .targets
        .extend(["222222222222".to_string(), "333333333333".to_string()]);
    let plan = plan_ok(&bp, &live, &PlanOptions::default());
    assert!(plan.is_empty(), "{:?}", lines(&plan));
    assert_eq!(plan.warnings.len(), 2, "{:?}", plan.warnings);
    assert!(plan.warnings[0].contains("is named \"Renamed\" in AWS and \"Alpha\" in the blueprint"));
    assert!(plan.warnings[1].contains("was matched by name"));
}

#[test]
fn unmanaged_things_are_reported_and_pruned_only_when_safe() {
    let bp = blueprint("version: 1\norganizational_units:\n  Kept: {}\n");
    let mut live = fresh_org();
    let ou = |id: &str, name: &str, parent: &str| LiveOu {
        id: id.into(),
        name: name.into(),
        parent_id: parent.into(),
        tags: None,
    };
    live.ous.insert("ou-kept".into(), ou("ou-kept", "Kept", ROOT));
    live.ous.insert("ou-old".into(), ou("ou-old", "Old", ROOT));
    live.ous.insert("ou-oldchild".into(), ou("ou-oldchild", "Child", "ou-old"));
    live.ous.insert("ou-busy".into(), ou("ou-busy", "Busy", ROOT));
    live.accounts.insert(
        "444444444444".into(),
        LiveAccount {
            id: "444444444444".into(),
            name: "Legacy".into(),
            email: "legacy@example.com".into(),
            status: "ACTIVE".into(),
            parent_id: "ou-busy".into(),
            tags: None,
        },
    );
    let policy = |id: &str, name: &str, targets: &[&str]| LivePolicy {
        id: id.into(),
        name: name.into(),
        policy_type: PolicyType::ServiceControlPolicy,
        description: String::new(),
        aws_managed: false,
        document: None,
        targets: targets.iter().map(std::string::ToString::to_string).collect(),
    };
    live.policies.insert("p-loose".into(), policy("p-loose", "loose", &[]));
    live.policies.insert("p-used".into(), policy("p-used", "used", &["ou-busy"]));
    live.policies
        .get_mut(FULL_ACCESS_ID)
        .unwrap()
        .targets
        .extend(["ou-kept", "ou-old", "ou-oldchild", "ou-busy", "444444444444"].map(String::from));

    let plan = plan_ok(&bp, &live, &PlanOptions::default());
    assert!(plan.is_empty(), "{:?}", lines(&plan));
    assert_eq!(
        unmanaged(&plan),
        [
            "organizational_unit.Busy",
            "organizational_unit.Old",
            "organizational_unit.Old/Child",
            "account.444444444444",
            "policy.loose",
            "policy.used"
        ]
    );

    let pruned = plan_ok(&bp, &live, &PlanOptions { prune: true, ..Default::default() });
    assert_eq!(lines(&pruned), ["- policy.loose", "- organizational_unit.Old/Child", "- organizational_unit.Old"]);
    assert_eq!(unmanaged(&pruned), ["organizational_unit.Busy", "account.444444444444", "policy.used"]);
    assert!(pruned.unmanaged[0].note.contains("holds 0 OU(s) and 1 account(s), kept"));
}

#[test]
fn a_managed_account_moved_out_of_an_unmanaged_ou_lets_prune_delete_it() {
    let bp = blueprint("version: 1\naccounts:\n  a: {email: a@example.com}\n");
    let mut live = fresh_org();
    live.ous.insert(
        "ou-old".into(),
        LiveOu { id: "ou-old".into(), name: "Old".into(), parent_id: ROOT.into(), tags: None },
    );
    live.accounts.insert(
        "222222222222".into(),
        LiveAccount {
            id: "222222222222".into(),
            name: "a".into(),
            email: "a@example.com".into(),
            status: "ACTIVE".into(),
            parent_id: "ou-old".into(),
            tags: None,
        },
    );
    live.policies.get_mut(FULL_ACCESS_ID).unwrap().targets.extend(["ou-old", "222222222222"].map(String::from));
    let plan = plan_ok(&bp, &live, &PlanOptions { prune: true, ..Default::default() });
    assert_eq!(lines(&plan), ["→ account.a", "- organizational_unit.Old"]);
}

#[tokio::test]
async fn full_aws_access_false_detaches_it_after_the_replacement_is_attached() {
    let yaml = "version: 1\norganizational_units:\n  Locked: {full_aws_access: false, policies: [allow-some]}\npolicies:\n  allow-some: {document: {Statement: [{Effect: Allow, Action: [\"s3:*\"], Resource: \"*\"}]}}\n";
    let bp = blueprint(yaml);
    let org = InMemoryOrg::new(fresh_org());
    let plan = apply_to(&org, &bp, &PlanOptions::default()).await;
    assert_eq!(
        lines(&plan),
        [
            "+ organizational_unit.Locked",
            "+ policy.allow-some",
            "+ policy_attachment.allow-some/Locked",
            "- policy_attachment.FullAWSAccess/Locked"
        ]
    );
    assert!(plan_ok(&bp, &org.snapshot(), &PlanOptions::default()).is_empty());
}

#[test]
fn policy_types_are_enabled_when_listed_or_needed_and_disabled_only_with_prune() {
    let bp = blueprint(
        "version: 1\norganizational_units:\n  A: {policies: [rcp]}\npolicies:\n  rcp: {type: RESOURCE_CONTROL_POLICY, document: {Statement: [{Effect: Deny, Principal: \"*\", Action: \"s3:*\", Resource: \"*\"}]}}\n",
    );
    let plan = plan_ok(&bp, &fresh_org(), &PlanOptions::default());
    assert_eq!(lines(&plan)[0], "+ organization_setting.policy_type/RESOURCE_CONTROL_POLICY");

    let listed = blueprint("version: 1\norganization: {policy_types: [RESOURCE_CONTROL_POLICY]}\n");
    let plan = plan_ok(&listed, &fresh_org(), &PlanOptions::default());
    assert_eq!(lines(&plan), ["+ organization_setting.policy_type/RESOURCE_CONTROL_POLICY"]);
    assert_eq!(unmanaged(&plan), ["organization_setting.policy_type/SERVICE_CONTROL_POLICY"]);
    let pruned = plan_ok(&listed, &fresh_org(), &PlanOptions { prune: true, ..Default::default() });
    assert_eq!(
        lines(&pruned),
        [
            "+ organization_setting.policy_type/RESOURCE_CONTROL_POLICY",
            "- organization_setting.policy_type/SERVICE_CONTROL_POLICY"
        ]
    );
}

#[test]
fn the_management_account_is_left_alone_unless_listed() {
    let mut live = fresh_org();
    live.ous.insert(
        "ou-x".into(),
        LiveOu { id: "ou-x".into(), name: "X".into(), parent_id: ROOT.into(), tags: Some(BTreeMap::new()) },
    );
    live.policies.get_mut(FULL_ACCESS_ID).unwrap().targets.insert("ou-x".into());
    let bp = blueprint("version: 1\norganizational_units:\n  X: {}\n");
    assert!(plan_ok(&bp, &live, &PlanOptions::default()).is_empty());
    let listed = blueprint(
        "version: 1\norganizational_units:\n  X: {}\naccounts:\n  mgmt: {email: root@example.com, name: management, ou: X}\n",
    );
    let plan = plan_ok(&listed, &live, &PlanOptions::default());
    assert_eq!(lines(&plan), ["→ account.mgmt"]);
    assert!(matches!(&plan.changes[0].op, Op::MoveAccount { key, .. } if key == "mgmt"));
    assert_eq!(Ids::new(&listed, &live).accounts["mgmt"], MANAGEMENT);
}

#[test]
fn duplicates_aws_holds_are_reported_not_silently_resolved() {
    let mut live = fresh_org();
    for id in ["ou-a", "ou-b"] {
        live.ous
            .insert(id.into(), LiveOu { id: id.into(), name: "Workloads".into(), parent_id: ROOT.into(), tags: None });
    }
    for id in ["222222222222", "333333333333"] {
        live.accounts.insert(
            id.into(),
            LiveAccount {
                id: id.into(),
                name: format!("twin {id}"),
                email: if id.starts_with('2') { "Twin@example.com".into() } else { "twin@example.com".into() },
                status: "ACTIVE".into(),
                parent_id: ROOT.into(),
                tags: None,
            },
        );
    }
    let plan = plan_ok(&blueprint("version: 1\n"), &live, &PlanOptions::default());
    assert_eq!(plan.warnings.len(), 2, "{:#?}", plan.warnings);
    assert!(plan.warnings[0].contains("2 OUs named \"Workloads\" under Root (ou-a, ou-b)"), "{}", plan.warnings[0]);
    assert!(plan.warnings[1].contains("2 accounts with the email twin@example.com (222222222222, 333333333333)"));
}

/// A blueprint that declares no OUs (a partial import) names the organization's OUs as they
/// are; one that is in neither is a plan error naming what refers to it, and nothing is planned.
#[test]
fn without_an_ou_tree_paths_name_the_organizations_ous_and_unknown_ones_stop_the_plan() {
    let mut live = fresh_org();
    live.ous
        .insert("ou-a".into(), LiveOu { id: "ou-a".into(), name: "Team/A".into(), parent_id: ROOT.into(), tags: None });
    let known = blueprint("version: 1\naccounts:\n  x: {email: x@example.com, ou: \"Team\\\\/A\"}\n");
    let plan = plan_ok(&known, &live, &PlanOptions::default());
    assert_eq!(lines(&plan), ["+ account.x", "→ account.x"]);
    let unknown = blueprint(
        "version: 1\naccounts:\n  x: {email: x@example.com, ou: Team/A}\nidentity_center:\n  permission_sets: {P: {}}\n  assignments:\n    - {group: G, permission_set: P, ous: [Gone]}\n",
    );
    let err = crate::plan::diff(&unknown, &live, &PlanOptions::default()).expect_err("unknown OUs");
    assert_eq!(
        err,
        PlanError::UnknownOus(vec![
            "test.yaml:3:33: Team/A (the OU of account x): did you mean \"Team\\\\/A\"?".into(),
            "test.yaml:7:7: Gone (an assignment's OU)".into()
        ])
    );
}

#[test]
fn an_unknown_ou_without_an_ou_tree_is_offered_the_nearest_path_or_root() {
    let live = fresh_org();
    let root = blueprint(
        "version: 1\nidentity_center:\n  permission_sets: {P: {}}\n  assignments:\n    - {group: G, permission_set: P, ous: [root]}\n",
    );
    let err = crate::plan::diff(&root, &live, &PlanOptions::default()).expect_err("unknown OUs");
    assert_eq!(
        err,
        PlanError::UnknownOus(vec!["test.yaml:5:7: root (an assignment's OU): did you mean \"Root\"?".into()])
    );
}
