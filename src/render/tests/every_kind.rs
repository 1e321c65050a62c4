//! Every kind of change × every action, from the planner: a blueprint applied to an empty
//! organization (every kind created), then an edited blueprint and hand-made changes planned
//! against the result (every kind updated, moved, renamed or deleted). Snapshots of both, in
//! human and Markdown form, and the class-level checks: every change shows its values, and
//! every value an update changes appears in what people read.

use super::super::values::details;
use super::*;
use crate::apply::{Ids, run};
use crate::blueprint::Blueprint;
use crate::live::{LiveAssignment, LiveIdentityCenter, LivePermissionSet, LiveState};
use crate::model::{Action, Kind, Principal, PrincipalId, PrincipalKind};
use crate::plan::Plan;
use crate::testing::{Files, InMemoryOrg};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const TEMPLATE: &str = "Parameters:\n  AllSupported:\n    Type: String\nResources:\n  Recorder:\n    Type: AWS::Config::ConfigurationRecorder\n    Properties:\n      RecordingGroup: {AllSupported: !Ref AllSupported}\n";
const EDITED_TEMPLATE: &str = "Parameters:\n  AllSupported:\n    Type: String\nResources:\n  Recorder:\n    Type: AWS::Config::ConfigurationRecorder\n    Properties:\n      RecordingGroup: {AllSupported: !Ref AllSupported, IncludeGlobalResourceTypes: false}\n";

const FIRST: &str = r#"version: 1
organization:
  trusted_services: [member.org.stacksets.cloudformation.amazonaws.com]
organizational_units:
  Workloads:
    tags: {owner: platform}
    policies: [legacy]
    children: {Prod: {policies: [deny-leave]}}
  Sandbox: {}
accounts:
  prod: {email: prod@example.com, ou: Workloads/Prod, tags: {cost-center: "9999"}}
policies:
  deny-leave:
    description: no leaving
    document: {Version: "2012-10-17", Statement: [{Sid: NoLeave, Effect: Deny, Action: "organizations:LeaveOrganization", Resource: "*"}]}
  legacy: {document: {Statement: [{Effect: Deny, Action: "ec2:*", Resource: "*"}]}}
identity_center:
  permission_sets:
    Admin:
      session_duration: PT12H
      managed_policies: [arn:aws:iam::aws:policy/ReadOnlyAccess]
      inline_policy: {document: {Statement: [{Effect: Deny, Action: "iam:CreateUser", Resource: "*"}]}}
      tags: {team: platform}
    Old: {session_duration: PT1H}
  assignments:
    - group: Developers
      permission_set: Admin
      accounts: [prod]
stack_sets:
  config-recorder:
    template: templates/recorder.yaml
    parameters: {AllSupported: "true"}
    targets: {ous: [Workloads]}
    regions: [us-east-1, eu-west-1]
  old-set:
    template: templates/recorder.yaml
    parameters: {AllSupported: "false"}
    targets: {ous: [Workloads]}
    regions: [us-east-1]
"#;

const EDITED: &str = r#"version: 1
organization:
  trusted_services: [member.org.stacksets.cloudformation.amazonaws.com, config-multiaccountsetup.amazonaws.com]
organizational_units:
  Workloads:
    tags: {owner: security}
    policies: [deny-leave]
    children: {Production: {renamed_from: Prod}}
accounts:
  prod: {email: prod@example.com, ou: Workloads, tags: {cost-center: "2040"}}
  dev: {email: dev@example.com, ou: Workloads/Production, name: Dev}
policies:
  deny-leave:
    description: nobody leaves
    document: {Version: "2012-10-17", Statement: [{Sid: NoLeave, Effect: Deny, Action: ["organizations:LeaveOrganization", "account:CloseAccount"], Resource: "*"}]}
identity_center:
  permission_sets:
    Admin:
      session_duration: PT8H
      managed_policies: [arn:aws:iam::aws:policy/AdministratorAccess]
      inline_policy: {document: {Statement: [{Effect: Deny, Action: ["iam:CreateUser", "iam:CreateAccessKey"], Resource: "*"}]}}
      tags: {team: platform, cost-center: "2040"}
    Developer: {description: builders, session_duration: PT4H, managed_policies: [arn:aws:iam::aws:policy/PowerUserAccess]}
  assignments:
    - group: Developers
      permission_set: Developer
      accounts: [dev]
stack_sets:
  config-recorder:
    template: templates/recorder.yaml
    parameters: {AllSupported: "false"}
    targets: {ous: [Workloads]}
    regions: [us-east-1, ap-southeast-2]
"#;

fn parse(yaml: &str, template: &'static str) -> Blueprint {
    crate::blueprint::parse(Path::new("test.yaml"), yaml, &Files::of([("templates/recorder.yaml", template)]))
        .unwrap_or_else(|e| panic!("{e:?}"))
}

fn empty_organization() -> LiveState {
    let mut live = crate::testing::fresh_org();
    live.trusted_services = Some(BTreeSet::new());
    live.delegated_administrators = Some(BTreeMap::new());
    live.stack_sets = Some(BTreeMap::new());
    live.identity_center = Some(LiveIdentityCenter {
        instance_arn: "arn:aws:sso:::instance/ssoins-test".into(),
        identity_store_id: "d-test".into(),
        principals: BTreeMap::from([(Principal::Group("Developers".into()), "g-dev".into())]),
        principal_names: BTreeMap::from([
            ("g-dev".into(), Principal::Group("Developers".into())),
            ("u-mallory".into(), Principal::User("mallory".into())),
        ]),
        ..Default::default()
    });
    live
}

/// What creating everything plans, and what the edit plans against the result (with a
/// permission set and an assignment made by hand, which it shows and leaves alone).
async fn plans() -> (Plan, Plan) {
    let first = parse(FIRST, TEMPLATE);
    let org = InMemoryOrg::new(empty_organization());
    let created = plan_ok(&first, &org.snapshot(), &PlanOptions::default());
    let live = org.snapshot();
    run(&created, Ids::new(&first, &live), &org, crate::testing::never_stop(), |_, _| {}).await.expect("applies");
    {
        let mut live = org.live.borrow_mut();
        let prod = live.accounts.values().find(|a| a.email == "prod@example.com").unwrap().id.clone();
        let ic = live.identity_center.as_mut().unwrap();
        ic.permission_sets.insert(
            "BreakGlass".into(),
            LivePermissionSet {
                name: "BreakGlass".into(),
                arn: "arn:break-glass".into(),
                ..ic.permission_sets["Old"].clone()
            },
        );
        ic.permission_sets.get_mut("BreakGlass").unwrap().provisioned_accounts.insert(prod.clone());
        ic.assignments.insert(LiveAssignment {
            permission_set: "BreakGlass".into(),
            account_id: prod,
            principal: PrincipalId { kind: PrincipalKind::User, id: "u-mallory".into() },
        });
    }
    let edited = parse(EDITED, EDITED_TEMPLATE);
    let changed = plan_ok(&edited, &org.snapshot(), &PlanOptions { prune: true, ..Default::default() });
    (created, changed)
}

fn header() -> Header {
    Header {
        organization_id: Some("o-test".into()),
        identity: Some("arn:aws:sts::111111111111:assumed-role/ci/pipeline".into()),
        time: "2026-11-25T10:00:00Z".into(),
        digest: ("saved plan".into(), "0123abcd".into()),
        artifact: Some("the artifact lzctl-plan".into()),
    }
}

#[tokio::test]
async fn every_kind_created() {
    let (created, _) = plans().await;
    insta::assert_snapshot!("every_kind_created_human", human(&created, Color::Off));
    insta::assert_snapshot!("every_kind_created_markdown", markdown(&created, &header()));
}

#[tokio::test]
async fn every_kind_changed() {
    let (_, changed) = plans().await;
    insta::assert_snapshot!("every_kind_changed_human", human(&changed, Color::Off));
    insta::assert_snapshot!("every_kind_changed_markdown", markdown(&changed, &header()));
}

/// The two plans hold every kind with every action it can have.
#[tokio::test]
async fn the_plans_cover_every_kind_and_action() {
    let (created, changed) = plans().await;
    let seen: BTreeSet<(&str, Action)> =
        created.changes.iter().chain(&changed.changes).map(|c| (c.kind.as_str(), c.action)).collect();
    let expected = [
        (Kind::OrganizationSetting, vec![Action::Create]),
        (Kind::OrganizationalUnit, vec![Action::Create, Action::Update, Action::Delete]),
        (Kind::Account, vec![Action::Create, Action::Update, Action::Move]),
        (Kind::Policy, vec![Action::Create, Action::Update, Action::Delete]),
        (Kind::PolicyAttachment, vec![Action::Create, Action::Delete]),
        (Kind::PermissionSet, vec![Action::Create, Action::Update, Action::Delete]),
        (Kind::Assignment, vec![Action::Create, Action::Delete]),
        (Kind::StackSet, vec![Action::Create, Action::Update, Action::Delete]),
        (Kind::StackInstances, vec![Action::Create, Action::Delete]),
    ];
    for (kind, actions) in expected {
        for action in actions {
            assert!(seen.contains(&(kind.as_str(), action)), "no {action:?} of {}: {seen:?}", kind.as_str());
        }
    }
    let unmanaged: Vec<&str> = changed.unmanaged.iter().map(|u| u.address.as_str()).collect();
    assert!(unmanaged.contains(&"assignment.BreakGlass/user:mallory/prod"), "{unmanaged:?}");
}

/// Every change shows values, and every value an update or move changes is in what people
/// read: each top-level key whose value differs, with its old and its new value.
#[tokio::test]
async fn every_changed_value_is_shown() {
    let (created, changed) = plans().await;
    for change in created.changes.iter().chain(&changed.changes) {
        let lines = details(change);
        assert!(!lines.is_empty(), "{} shows no values", change.address);
        let text: String = lines.iter().map(|l| format!("{} {}\n", l.mark, l.text)).collect();
        let (Some(before), Some(after)) = (&change.before, &change.after) else { continue };
        for (key, new) in after.as_object().unwrap() {
            let old = &before[key];
            if key == "reprovision" || old == new {
                continue;
            }
            assert!(text.contains(key.as_str()), "{}: {key} missing from\n{text}", change.address);
            for leaf in leaves(old).into_iter().chain(leaves(new)) {
                if !leaves(old).contains(&leaf) || !leaves(new).contains(&leaf) {
                    assert!(text.contains(&leaf), "{}: {key} value {leaf} missing from\n{text}", change.address);
                }
            }
        }
    }
}

/// The scalar texts inside a value (what changed must show up as written).
fn leaves(value: &serde_json::Value) -> Vec<String> {
    match value {
        serde_json::Value::Object(map) => map.values().flat_map(leaves).collect(),
        serde_json::Value::Array(items) => items.iter().flat_map(leaves).collect(),
        serde_json::Value::String(text) => {
            // A document's text is compared line by line in its diff.
            if text.contains('\n') {
                text.lines().map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).collect()
            } else {
                vec![text.clone()]
            }
        }
        serde_json::Value::Null => Vec::new(),
        other => vec![other.to_string()],
    }
}
