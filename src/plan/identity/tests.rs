//! Identity Center planning from tables, and convergence through the in-memory organization.

use super::*;
use crate::apply::{Ids, run};
use crate::live::LiveAccount;
use crate::model::PrincipalKind;
use crate::plan::{Plan, PlanError, diff};
use crate::testing::{InMemoryOrg, ROOT, blueprint, fresh_org, lines, plan_ok};

const BP: &str = r#"version: 1
organizational_units:
  Workloads: {children: {SDLC: {}, Prod: {}}}
accounts:
  dev: {email: dev@example.com, ou: Workloads/SDLC}
  prod: {email: prod@example.com, ou: Workloads/Prod}
identity_center:
  permission_sets:
    Admin:
      session_duration: PT1H
      managed_policies: [arn:aws:iam::aws:policy/AdministratorAccess]
    Developer:
      description: builders
      session_duration: PT8H
      relay_state: https://console.aws.amazon.com/
      managed_policies: [arn:aws:iam::aws:policy/PowerUserAccess]
      inline_policy: {document: {Statement: [{Effect: Deny, Action: "iam:CreateUser", Resource: "*"}]}}
  assignments:
    - group: Developers
      permission_set: Developer
      ous: [Workloads/SDLC]
    - user: alice
      permission_set: Admin
      accounts: [prod]
"#;

fn with_identity_center(mut live: LiveState) -> LiveState {
    live.identity_center = Some(LiveIdentityCenter {
        instance_arn: "arn:aws:sso:::instance/ssoins-test".into(),
        identity_store_id: "d-test".into(),
        principals: BTreeMap::from([
            (Principal::Group("Developers".into()), "g-dev".into()),
            (Principal::User("alice".into()), "u-alice".into()),
        ]),
        principal_names: BTreeMap::from([
            ("g-dev".into(), Principal::Group("Developers".into())),
            ("u-alice".into(), Principal::User("alice".into())),
            ("g-ops".into(), Principal::Group("Ops".into())),
        ]),
        ..Default::default()
    });
    live
}

async fn apply(org: &InMemoryOrg, bp: &crate::blueprint::Blueprint) -> Plan {
    let live = org.snapshot();
    let plan = plan_ok(bp, &live, &PlanOptions::default());
    run(&plan, Ids::new(bp, &live), org, crate::testing::never_stop(), |_, _| {}).await.expect("applies in memory");
    plan
}

/// The blueprint applied to a fresh organization: the starting point of most tests.
async fn applied() -> (InMemoryOrg, crate::blueprint::Blueprint) {
    let bp = blueprint(BP);
    let org = InMemoryOrg::new(with_identity_center(fresh_org()));
    apply(&org, &bp).await;
    (org, bp)
}

#[tokio::test]
async fn permission_sets_come_before_assignments_and_ou_targets_reach_new_accounts() {
    let bp = blueprint(BP);
    let plan = plan_ok(&bp, &with_identity_center(fresh_org()), &PlanOptions::default());
    let tail: Vec<String> = lines(&plan).into_iter().skip_while(|l| !l.contains("permission_set")).collect();
    assert_eq!(
        tail,
        [
            "+ permission_set.Admin",
            "+ permission_set.Developer",
            "+ assignment.Admin/user:alice/prod",
            "+ assignment.Developer/group:Developers/dev",
        ]
    );
    let dev = plan.changes.iter().find(|c| c.address == "assignment.Developer/group:Developers/dev").unwrap();
    assert_eq!(dev.reason, "the blueprint gives group Developers Developer in dev (created by this plan)");

    let org = InMemoryOrg::new(with_identity_center(fresh_org()));
    apply(&org, &bp).await;
    let again = plan_ok(&bp, &org.snapshot(), &PlanOptions::default());
    assert!(again.is_empty(), "{:?}", lines(&again));
}

#[tokio::test]
async fn a_hand_made_assignment_on_a_managed_permission_set_is_removed_and_others_are_left() {
    let (org, bp) = applied().await;
    let dev_id = org.snapshot().accounts.values().find(|a| a.email == "dev@example.com").unwrap().id.clone();
    {
        let mut live = org.live.borrow_mut();
        let ic = live.identity_center.as_mut().unwrap();
        let ops = PrincipalId { kind: PrincipalKind::Group, id: "g-ops".into() };
        ic.assignments.insert(LiveAssignment {
            permission_set: "Developer".into(),
            account_id: dev_id.clone(),
            principal: ops.clone(),
        });
        // On a permission set the blueprint does not manage: left alone, and shown.
        ic.permission_sets.insert(
            "Legacy".into(),
            LivePermissionSet {
                name: "Legacy".into(),
                arn: "arn:legacy".into(),
                ..ic.permission_sets["Admin"].clone()
            },
        );
        ic.assignments.insert(LiveAssignment {
            permission_set: "Legacy".into(),
            account_id: dev_id.clone(),
            principal: ops,
        });
    }
    let plan = plan_ok(&bp, &org.snapshot(), &PlanOptions::default());
    assert_eq!(lines(&plan), ["- assignment.Developer/group:Ops/dev"]);
    assert!(plan.changes[0].reason.starts_with(&format!("group Ops has Developer in dev ({dev_id}), which")));
    assert_eq!(
        plan.unmanaged.iter().map(|u| u.address.as_str()).collect::<Vec<_>>(),
        ["permission_set.Legacy", "assignment.Legacy/group:Ops/dev"]
    );
    assert_eq!(
        plan.unmanaged[1].note,
        format!(
            "group Ops has Legacy in dev ({dev_id}); the permission set is not in the blueprint, so this access is kept"
        )
    );
    apply(&org, &bp).await;
    assert!(plan_ok(&bp, &org.snapshot(), &PlanOptions::default()).is_empty());
}

#[tokio::test]
async fn a_changed_policy_list_or_inline_policy_is_an_update_and_a_reprovision() {
    let (org, bp) = applied().await;
    {
        let mut live = org.live.borrow_mut();
        let ps = live.identity_center.as_mut().unwrap().permission_sets.get_mut("Developer").unwrap();
        ps.managed_policies.insert("arn:aws:iam::aws:policy/IAMFullAccess".into());
        ps.inline_policy =
            Some(serde_json::json!({"Statement": [{"Effect": "Deny", "Action": "iam:*", "Resource": "*"}]}));
    }
    let plan = plan_ok(&bp, &org.snapshot(), &PlanOptions::default());
    assert_eq!(lines(&plan), ["~ permission_set.Developer"]);
    let change = &plan.changes[0];
    assert_eq!(
        change.reason,
        "managed policies, inline policy differ; then provisioned again to every account it is provisioned to"
    );
    let Op::UpdatePermissionSet { change: c, reprovision, .. } = &change.op else { panic!("{:?}", change.op) };
    assert!(*reprovision);
    assert_eq!(c.detach_managed, BTreeSet::from(["arn:aws:iam::aws:policy/IAMFullAccess".to_string()]));
    assert!(c.attach_managed.is_empty());
    assert!(c.inline_policy.is_some());
    assert_eq!(c.attributes, None, "attributes that did not change are not sent");
    apply(&org, &bp).await;
    assert_eq!(*org.provisioned.borrow(), ["Developer"]);
    assert!(plan_ok(&bp, &org.snapshot(), &PlanOptions::default()).is_empty());
}

#[tokio::test]
async fn changing_the_description_sends_the_relay_state_again() {
    let (org, bp) = applied().await;
    org.live.borrow_mut().identity_center.as_mut().unwrap().permission_sets.get_mut("Developer").unwrap().description =
        Some("old".into());
    let plan = plan_ok(&bp, &org.snapshot(), &PlanOptions::default());
    let Op::UpdatePermissionSet { change, .. } = &plan.changes[0].op else { panic!() };
    assert_eq!(
        change.attributes,
        Some((Some("builders".into()), "PT8H".into(), Some("https://console.aws.amazon.com/".into())))
    );
}

#[test]
fn names_the_identity_store_does_not_know_are_all_reported_with_their_lines() {
    let bp = blueprint(BP);
    let mut live = with_identity_center(fresh_org());
    let principals = &mut live.identity_center.as_mut().unwrap().principals;
    principals.clear();
    // A near name of the same kind is offered; one of the other kind is not.
    principals.insert(Principal::Group("Developer".into()), "g-1".into());
    principals.insert(Principal::Group("alic".into()), "g-2".into());
    let err = diff(&bp, &live, &PlanOptions::default()).unwrap_err();
    let PlanError::UnresolvedPrincipals(missing) = &err else { panic!("{err}") };
    assert_eq!(missing.len(), 2);
    assert_eq!(missing[0].place, "test.yaml:19:7");
    assert_eq!(missing[0].principal, Principal::Group("Developers".into()));
    assert_eq!(missing[1].place, "test.yaml:22:7");
    let text = err.to_string();
    assert!(
        text.contains("test.yaml:19:7: group Developers (assignment of Developer): did you mean \"Developer\"?"),
        "{text}"
    );
    assert!(
        text.contains("test.yaml:22:7: user alice (assignment of Admin)\n") || text.ends_with("(assignment of Admin)"),
        "{text}"
    );
}

#[tokio::test]
async fn an_account_moved_into_a_targeted_ou_gets_its_assignments_at_the_next_plan() {
    let (org, bp) = applied().await;
    // An account the blueprint does not manage, moved by hand into the targeted OU.
    {
        let mut live = org.live.borrow_mut();
        let sdlc = live.ous_by_path()["Workloads/SDLC"].id.clone();
        live.accounts.insert(
            "333333333333".into(),
            LiveAccount {
                id: "333333333333".into(),
                name: "Experiments".into(),
                email: "x@example.com".into(),
                status: "ACTIVE".into(),
                parent_id: sdlc,
                tags: None,
            },
        );
    }
    let plan = plan_ok(&bp, &org.snapshot(), &PlanOptions::default());
    assert_eq!(lines(&plan), ["+ assignment.Developer/group:Developers/Experiments"]);
    assert_eq!(plan.changes[0].reason, "the blueprint gives group Developers Developer in Experiments (333333333333)");

    // The blueprint moves a managed account into the targeted OU: it gets the OU's assignments
    // in the same plan, after the move.
    let moved = blueprint(&BP.replace(
        "prod: {email: prod@example.com, ou: Workloads/Prod}",
        "prod: {email: prod@example.com, ou: Workloads/SDLC}",
    ));
    let plan = plan_ok(&moved, &org.snapshot(), &PlanOptions::default());
    assert!(lines(&plan).contains(&"→ account.prod".to_string()), "{:?}", lines(&plan));
    assert!(lines(&plan).contains(&"+ assignment.Developer/group:Developers/prod".to_string()), "{:?}", lines(&plan));
}

#[tokio::test]
async fn a_boundary_or_tags_the_service_cannot_report_are_warned_about_not_planned() {
    let bp = blueprint(&BP.replace("    Admin:\n", "    Admin:\n      tags: {owner: platform}\n      permissions_boundary: {managed_policy_arn: arn:aws:iam::aws:policy/PowerUserAccess}\n"));
    let org = InMemoryOrg::new(with_identity_center(fresh_org()));
    apply(&org, &bp).await;
    {
        let mut live = org.live.borrow_mut();
        let ps = live.identity_center.as_mut().unwrap().permission_sets.get_mut("Admin").unwrap();
        ps.tags = Readable::Unknown("not implemented".into());
        ps.permissions_boundary = Readable::Unknown("not implemented".into());
    }
    let plan = plan_ok(&bp, &org.snapshot(), &PlanOptions::default());
    assert!(plan.is_empty(), "{:?}", lines(&plan));
    assert_eq!(plan.warnings.len(), 2, "{:?}", plan.warnings);
    assert!(plan.warnings[0].contains("permissions boundary could not be read (not implemented)"));
}

#[tokio::test]
async fn unmanaged_permission_sets_are_pruned_only_when_provisioned_nowhere() {
    let (org, bp) = applied().await;
    {
        let mut live = org.live.borrow_mut();
        let ic = live.identity_center.as_mut().unwrap();
        let template = ic.permission_sets["Admin"].clone();
        ic.permission_sets.insert(
            "Unused".into(),
            LivePermissionSet {
                name: "Unused".into(),
                arn: "arn:unused".into(),
                provisioned_accounts: BTreeSet::new(),
                ..template.clone()
            },
        );
        ic.permission_sets.insert(
            "Used".into(),
            LivePermissionSet {
                name: "Used".into(),
                arn: "arn:used".into(),
                provisioned_accounts: BTreeSet::from([ROOT.to_string()]),
                ..template
            },
        );
    }
    let plan = plan_ok(&bp, &org.snapshot(), &PlanOptions { prune: true, ..Default::default() });
    assert_eq!(lines(&plan), ["- permission_set.Unused"]);
    assert_eq!(plan.unmanaged[0].note, "not in the blueprint; provisioned to 1 account(s), kept");
}

#[test]
fn desired_pairs_name_existing_accounts_only() {
    let bp = blueprint(BP);
    let mut live = with_identity_center(fresh_org());
    live.accounts.insert(
        "444444444444".into(),
        LiveAccount {
            id: "444444444444".into(),
            name: "prod".into(),
            email: "prod@example.com".into(),
            status: "ACTIVE".into(),
            parent_id: ROOT.into(),
            tags: None,
        },
    );
    assert_eq!(desired_pairs(&bp, &live), BTreeSet::from([("Admin".to_string(), "444444444444".to_string())]));
}

/// `ous: [Root]` reaches every active account but the management account, unless the blueprint
/// lists it; `exclude_accounts` takes accounts out of what the OUs reach, by key or by id.
#[test]
fn root_assignments_leave_the_management_account_out_unless_listed_and_exclusions_apply() {
    let mut live = with_identity_center(fresh_org());
    live.accounts.insert(
        "999999999999".into(),
        LiveAccount {
            id: "999999999999".into(),
            name: "legacy".into(),
            email: "legacy@example.com".into(),
            status: "ACTIVE".into(),
            parent_id: ROOT.into(),
            tags: None,
        },
    );
    let assigned = |yaml: &str| -> Vec<String> {
        let plan = plan_ok(&blueprint(yaml), &live, &PlanOptions::default());
        plan.changes.iter().filter(|c| c.kind == Kind::Assignment).map(|c| c.address.clone()).collect()
    };
    let root = BP.replace("      ous: [Workloads/SDLC]", "      ous: [Root]");
    assert_eq!(
        assigned(&root),
        [
            "assignment.Admin/user:alice/prod",
            "assignment.Developer/group:Developers/dev",
            "assignment.Developer/group:Developers/prod",
            "assignment.Developer/group:Developers/legacy",
        ],
        "the unlisted management account (111111111111) is not reached"
    );
    let listed = root.replace("accounts:\n", "accounts:\n  management: {email: root@example.com, ou: Root}\n");
    assert!(assigned(&listed).contains(&"assignment.Developer/group:Developers/management".to_string()));
    let excluding =
        root.replace("      ous: [Root]", "      ous: [Root]\n      exclude_accounts: [prod, \"999999999999\"]");
    assert_eq!(assigned(&excluding), ["assignment.Admin/user:alice/prod", "assignment.Developer/group:Developers/dev"]);
}
