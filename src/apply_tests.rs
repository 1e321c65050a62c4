//! The apply engine with a recording in-memory executor: ids of created things flow into later
//! calls, a failure stops the run and names the change, and a re-run converges.

use super::*;
use crate::plan::PlanOptions;
use crate::testing::{InMemoryOrg, ROOT, blueprint, fresh_org, plan_ok};

const BP: &str = r#"version: 1
organizational_units:
  A: {children: {B: {policies: [p]}}}
accounts:
  acct: {email: acct@example.com, ou: A/B}
policies:
  p: {document: {Statement: [{Effect: Deny, Action: "s3:*", Resource: "*"}]}}
"#;

#[tokio::test]
async fn ids_created_earlier_in_the_run_are_used_by_later_calls() {
    let bp = blueprint(BP);
    let live = fresh_org();
    let plan = plan_ok(&bp, &live, &PlanOptions::default());
    let org = InMemoryOrg::new(live.clone());
    let mut seen = Vec::new();
    let applied = run(&plan, Ids::new(&bp, &live), &org, |change, step| {
        if step == Step::Done {
            seen.push(change.address.clone());
        }
    })
    .await
    .expect("applies");
    assert_eq!(applied, plan.changes.len());
    assert_eq!(seen.len(), plan.changes.len());

    let calls = org.calls.borrow();
    let Call::CreateOu { parent_id: a_parent, .. } = &calls[0] else { panic!("{:?}", calls[0]) };
    assert_eq!(a_parent, ROOT);
    let live = org.snapshot();
    let a_id = live.ous_by_path()["A"].id.clone();
    let b_id = live.ous_by_path()["A/B"].id.clone();
    assert_eq!(calls[1], Call::CreateOu { parent_id: a_id, name: "B".into(), tags: Default::default() });
    let account_id = live.find_account("acct@example.com", "acct").unwrap().id.clone();
    assert!(calls.contains(&Call::MoveAccount { account_id, from_id: ROOT.into(), to_id: b_id.clone() }), "{calls:#?}");
    let policy_id = live.policy_by_name("p").unwrap().id.clone();
    assert_eq!(calls.last(), Some(&Call::AttachPolicy { policy_id, target_id: b_id }));
}

#[tokio::test]
async fn a_failure_stops_the_run_names_the_change_and_a_rerun_converges() {
    let bp = blueprint(BP);
    let live = fresh_org();
    let plan = plan_ok(&bp, &live, &PlanOptions::default());
    let mut org = InMemoryOrg::new(live.clone());
    org.fail_at = Some(2);
    let err = run(&plan, Ids::new(&bp, &live), &org, |_, _| {}).await.unwrap_err();
    match &err {
        ApplyError::Failed { address, action, done, total, error: source } => {
            assert_eq!(address, "policy.p");
            assert_eq!(*action, "create");
            assert_eq!((*done, *total), (2, plan.changes.len()));
            assert_eq!(source.message, "injected failure");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.to_string().starts_with("apply stopped at policy.p (create): test:Injected"), "{err}");
    assert_eq!(org.calls.borrow().len(), 3, "nothing runs after the failure");

    org.fail_at = None;
    let live = org.snapshot();
    let rest = plan_ok(&bp, &live, &PlanOptions::default());
    assert_eq!(rest.changes.len(), plan.changes.len() - 2, "what was done is not planned again");
    run(&rest, Ids::new(&bp, &live), &org, |_, _| {}).await.expect("re-run applies");
    assert!(plan_ok(&bp, &org.snapshot(), &PlanOptions::default()).is_empty());
}

#[tokio::test]
async fn an_unknown_name_is_reported_not_guessed() {
    let plan = crate::plan::Plan {
        changes: vec![crate::plan::Change {
            address: "policy_attachment.ghost/A".into(),
            kind: crate::model::Kind::PolicyAttachment,
            action: crate::model::Action::Create,
            before: None,
            after: None,
            reason: String::new(),
            title: None,
            op: crate::plan::Op::AttachPolicy { policy: "ghost".into(), target: Target::Ou("A".into()) },
        }],
        ..Default::default()
    };
    let org = InMemoryOrg::new(fresh_org());
    let err = run(&plan, Ids::default(), &org, |_, _| {}).await.unwrap_err();
    assert!(matches!(err, ApplyError::Unresolved { ref what, .. } if what == "the policy ghost"), "{err:?}");
    assert!(org.calls.borrow().is_empty());
}
