//! Hazards from tables: what locks people out is flagged, what only looks alike is not.

use super::*;
use crate::live::{LiveAccount, LiveAssignment, LiveIdentityCenter, LivePermissionSet, Readable};
use crate::model::{Principal, PrincipalId, PrincipalKind};
use crate::plan::{Plan, PlanOptions};
use crate::testing::{ROOT, blueprint, fresh_org, plan_ok};

const DENY_ALL: &str = "{document: {Statement: [{Effect: Deny, Action: \"*\", Resource: \"*\"}]}}";
const DENY_STS: &str = "{document: {Statement: [{Effect: Deny, Action: [\"sts:*\"], Resource: \"*\"}]}}";
const DENY_S3: &str = "{document: {Statement: [{Effect: Deny, Action: \"s3:*\", Resource: \"*\"}]}}";
const DENY_ALL_OFF_HOURS: &str = "{document: {Statement: [{Effect: Deny, Action: \"*\", Resource: \"*\", Condition: {Bool: {aws:ViaAWSService: \"false\"}}}]}}";

fn hazards(plan: &Plan) -> Vec<String> {
    plan.hazards.iter().map(|h| h.address.clone()).collect()
}

fn plan(yaml: &str) -> Plan {
    plan_ok(&blueprint(yaml), &fresh_org(), &PlanOptions::default())
}

#[test]
fn a_policy_denying_everything_where_it_reaches_many_accounts_is_a_hazard() {
    let accounts = "accounts:\n  a: {email: a@example.com, ou: Big}\n  b: {email: b@example.com, ou: Big/Inner}\n  c: {email: c@example.com, ou: Small}\n";
    for (policy, flagged) in [(DENY_ALL, true), (DENY_STS, true), (DENY_S3, false), (DENY_ALL_OFF_HOURS, false)] {
        let yaml = format!(
            "version: 1\norganization: {{root_policies: [p]}}\norganizational_units:\n  Big: {{policies: [p], children: {{Inner: {{}}}}}}\n  Small: {{policies: [p]}}\n  Empty: {{policies: [p]}}\n{accounts}policies:\n  p: {policy}\n"
        );
        let expected: Vec<&str> =
            if flagged { vec!["policy_attachment.p/Root", "policy_attachment.p/Big"] } else { vec![] };
        let mut got = hazards(&plan(&yaml));
        got.sort();
        let mut expected: Vec<String> = expected.into_iter().map(String::from).collect();
        expected.sort();
        assert_eq!(got, expected, "{policy}");
    }
}

#[test]
fn denying_everything_to_the_ou_of_a_delegated_administrator_is_a_hazard() {
    let yaml = format!(
        "version: 1\norganization: {{delegated_administrators: {{config.amazonaws.com: security}}}}\norganizational_units:\n  Security: {{policies: [p]}}\naccounts:\n  security: {{email: s@example.com, ou: Security}}\npolicies:\n  p: {DENY_ALL}\n"
    );
    let plan = plan(&yaml);
    assert_eq!(hazards(&plan), ["policy_attachment.p/Security"]);
    assert!(
        plan.hazards[0].reason.contains("delegated administrator account(s) security"),
        "{}",
        plan.hazards[0].reason
    );
}

#[test]
fn an_scp_on_the_management_account_protects_nothing() {
    let yaml = format!(
        "version: 1\naccounts:\n  mgmt: {{email: root@example.com, name: management, policies: [p]}}\npolicies:\n  p: {DENY_S3}\n"
    );
    let plan = plan(&yaml);
    assert_eq!(hazards(&plan), ["policy_attachment.p/account:mgmt"]);
    assert!(plan.hazards[0].reason.contains("never apply to it"), "{}", plan.hazards[0].reason);
}

fn with_admins(assigned: &[&str]) -> LiveState {
    let mut live = fresh_org();
    live.accounts.insert(
        "222222222222".into(),
        LiveAccount {
            id: "222222222222".into(),
            name: "prod".into(),
            email: "prod@example.com".into(),
            status: "ACTIVE".into(),
            parent_id: ROOT.into(),
            tags: None,
        },
    );
    let admin = LivePermissionSet {
        arn: "arn:aws:sso:::permissionSet/ssoins-test/ps-admin".into(),
        name: "Admin".into(),
        description: None,
        session_duration: Some("PT1H".into()),
        relay_state: None,
        managed_policies: BTreeSet::from([ADMINISTRATOR_ACCESS.to_string()]),
        customer_managed_policies: BTreeSet::new(),
        inline_policy: None,
        permissions_boundary: Readable::Known(None),
        tags: Readable::Known(BTreeMap::new()),
        provisioned_accounts: BTreeSet::from(["222222222222".to_string()]),
    };
    live.identity_center = Some(LiveIdentityCenter {
        instance_arn: "arn:aws:sso:::instance/ssoins-test".into(),
        identity_store_id: "d-test".into(),
        permission_sets: BTreeMap::from([("Admin".to_string(), admin)]),
        assignments: assigned
            .iter()
            .map(|who| LiveAssignment {
                permission_set: "Admin".into(),
                account_id: "222222222222".into(),
                principal: PrincipalId { kind: PrincipalKind::Group, id: format!("g-{who}") },
            })
            .collect(),
        principals: BTreeMap::from([(Principal::Group("ops".into()), "g-ops".to_string())]),
        principal_names: assigned
            .iter()
            .map(|who| (format!("g-{who}"), Principal::Group((*who).to_string())))
            .collect(),
        ..Default::default()
    });
    live
}

const ADMIN_SET: &str = "identity_center:\n  permission_sets:\n    Admin: {session_duration: PT1H, managed_policies: [arn:aws:iam::aws:policy/AdministratorAccess]}\n";

#[test]
fn removing_the_last_administrator_assignment_of_an_account_is_a_hazard() {
    let accounts = "accounts:\n  prod: {email: prod@example.com}\n";
    // The blueprint assigns Admin to nobody: both hand-made admin assignments go.
    let none = blueprint(&format!("version: 1\n{accounts}{ADMIN_SET}"));
    let plan = plan_ok(&none, &with_admins(&["alice", "bob"]), &PlanOptions::default());
    assert_eq!(plan.hazards.len(), 2, "{:#?}", plan.hazards);
    assert!(plan.hazards[0].reason.contains("last assignment giving administrator access to prod"));
    // One admin stays (the blueprint assigns ops): no hazard in removing the others.
    let kept = blueprint(&format!(
        "version: 1\n{accounts}{ADMIN_SET}  assignments:\n    - {{group: ops, permission_set: Admin, accounts: [prod]}}\n"
    ));
    let plan = plan_ok(&kept, &with_admins(&["alice", "ops"]), &PlanOptions::default());
    assert!(plan.hazards.is_empty(), "{:#?}", plan.hazards);
}
