//! Account retirement from tables: every lifecycle transition, and the ones refused — suspended
//! moves to the suspended OU, closed moves then closes, a closed or closing account is left as
//! it is, a retired account is never created, and the closure quota is checked before anything.

use super::*;

const RETIRING: &str = r#"version: 1
organization: {suspended_ou: Suspended}
organizational_units:
  Workloads: {}
  Suspended: {policies: [deny-all]}
accounts:
  old: {email: old@example.com, ou: Workloads, lifecycle: LIFECYCLE}
policies:
  deny-all: {document: {Statement: [{Effect: Deny, Action: "*", Resource: "*"}]}}
"#;

fn bp(lifecycle: &str) -> crate::blueprint::Blueprint {
    blueprint(&RETIRING.replace("LIFECYCLE", lifecycle))
}

/// The organization applied with `old` active, in Workloads.
async fn with_old_account() -> InMemoryOrg {
    let org = InMemoryOrg::new(fresh_org());
    apply_to(&org, &bp("active"), &PlanOptions::default()).await;
    org
}

fn set_status(org: &InMemoryOrg, status: &str) {
    let mut live = org.live.borrow_mut();
    let old = live.accounts.values_mut().find(|a| a.email == "old@example.com").unwrap();
    old.status = status.into();
}

#[tokio::test]
async fn suspended_moves_to_the_suspended_ou_and_closed_moves_then_closes() {
    let org = with_old_account().await;
    let suspended = plan_ok(&bp("suspended"), &org.snapshot(), &PlanOptions::default());
    assert_eq!(lines(&suspended), ["→ account.old"]);
    assert_eq!(suspended.changes[0].after, Some(json!({"parent": "Suspended"})));

    let closed = plan_ok(&bp("closed"), &org.snapshot(), &PlanOptions::default());
    assert_eq!(lines(&closed), ["→ account.old", "- account.old"], "moved first, then closed");
    assert!(matches!(closed.changes[1].op, Op::CloseAccount { .. }));
    assert!(closed.changes[1].reason.contains("irreversible after 90 days"));

    apply_to(&org, &bp("closed"), &PlanOptions::default()).await;
    let live = org.snapshot();
    let old = live.accounts.values().find(|a| a.email == "old@example.com").unwrap();
    assert_eq!((old.status.as_str(), live.path_of(&old.parent_id).unwrap().as_str()), ("SUSPENDED", "Suspended"));
    assert!(plan_ok(&bp("closed"), &live, &PlanOptions::default()).is_empty(), "closed is closed: nothing left");
}

#[tokio::test]
async fn a_closing_or_closed_account_is_left_alone_and_a_retired_one_is_never_created() {
    let org = with_old_account().await;
    for status in ["PENDING_CLOSURE", "SUSPENDED", "CLOSED"] {
        set_status(&org, status);
        for lifecycle in ["suspended", "closed"] {
            let plan = plan_ok(&bp(lifecycle), &org.snapshot(), &PlanOptions::default());
            assert!(plan.changes.is_empty(), "{status} {lifecycle}: {:?}", lines(&plan));
            let waiting: Vec<&str> = plan.waiting.iter().map(|w| w.note.as_str()).collect();
            match status {
                "PENDING_CLOSURE" => {
                    assert!(waiting[0].starts_with("closing: AWS reports PENDING_CLOSURE"), "{waiting:?}");
                }
                _ => assert!(waiting.is_empty(), "{waiting:?}"),
            }
        }
    }
    for lifecycle in ["suspended", "closed"] {
        let plan = plan_ok(&bp(lifecycle), &fresh_org(), &PlanOptions::default());
        assert!(!lines(&plan).iter().any(|l| l.contains("account.old")), "{lifecycle}: {:?}", lines(&plan));
        assert!(plan.warnings.iter().any(|w| w.contains("never created again")), "{:?}", plan.warnings);
    }
}

#[test]
fn more_closures_than_the_quota_allows_stop_the_plan() {
    assert_eq!((close_quota(5), close_quota(250), close_quota(50_000)), (10, 25, 1000));
    let mut live = fresh_org();
    let mut yaml = String::from(
        "version: 1\norganization: {suspended_ou: Suspended}\norganizational_units:\n  Suspended: {policies: [deny-all]}\npolicies:\n  deny-all: {document: {Statement: [{Effect: Deny, Action: \"*\", Resource: \"*\"}]}}\naccounts:\n",
    );
    for i in 0..12 {
        let id = format!("{:012}", 300_000_000_000u64 + i);
        live.accounts.insert(
            id.clone(),
            LiveAccount {
                id: id.clone(),
                name: format!("a{i}"),
                email: format!("a{i}@example.com"),
                status: "ACTIVE".into(),
                parent_id: ROOT.into(),
                tags: None,
            },
        );
        yaml.push_str(&format!("  a{i}: {{email: a{i}@example.com, ou: Suspended, lifecycle: closed}}\n"));
    }
    live.ous.insert(
        "ou-s".into(),
        LiveOu { id: "ou-s".into(), name: "Suspended".into(), parent_id: ROOT.into(), tags: None },
    );
    let bp = blueprint(&yaml);
    let refused = diff(&bp, &live, &PlanOptions::default()).expect_err("12 closures, a quota of 10");
    assert_eq!(refused, PlanError::CloseQuota { planned: 12, allowed: 10, recent: 0 });
    // Accounts already closing count against the quota too.
    for (i, account) in live.accounts.values_mut().filter(|a| a.id != MANAGEMENT).enumerate() {
        if i < 3 {
            account.status = "PENDING_CLOSURE".into();
        }
    }
    let refused = diff(&bp, &live, &PlanOptions::default()).expect_err("9 closures and 3 closing");
    assert_eq!(refused, PlanError::CloseQuota { planned: 9, allowed: 10, recent: 3 });
}

const INVITING: &str = r#"version: 1
organizational_units:
  Workloads: {policies: [deny-s3]}
accounts:
  moved-in: {id: "444455556666", email: moved@example.com, ou: Workloads, join: invite, policies: [deny-s3]}
policies:
  deny-s3: {document: {Statement: [{Effect: Deny, Action: "s3:*", Resource: "*"}]}}
"#;

fn handshake(state: &str, requested: &str) -> crate::live::LiveHandshake {
    crate::live::LiveHandshake {
        id: format!("h-{state}"),
        account_id: "444455556666".into(),
        state: state.into(),
        requested_at: requested.into(),
        expires_at: "2026-12-10T10:00:00Z".into(),
    }
}

/// An account to invite: invited (and nothing else planned for it) until it answers; an open
/// invitation waits; a declined or expired one is made again; once it has joined, it is moved
/// into its OU and managed like any other.
#[tokio::test]
async fn an_invited_account_waits_for_acceptance_then_joins_its_ou() {
    let bp = blueprint(INVITING);
    let org = InMemoryOrg::new(fresh_org());
    let first = plan_ok(&bp, &org.snapshot(), &PlanOptions::default());
    let for_it: Vec<String> = lines(&first).into_iter().filter(|l| l.contains("moved-in")).collect();
    assert_eq!(for_it, ["+ account.moved-in"], "only the invitation: no move, no attachment");
    let invite = first.changes.iter().find(|c| c.address == "account.moved-in").unwrap();
    assert!(matches!(&invite.op, Op::InviteAccount { id, .. } if id == "444455556666"));
    assert_eq!(invite.reason, "invite account 444455556666 into the organization (join: invite)");

    apply_to(&org, &bp, &PlanOptions::default()).await;
    let waiting = plan_ok(&bp, &org.snapshot(), &PlanOptions::default());
    assert!(waiting.is_empty(), "{:?}", lines(&waiting));
    assert_eq!(waiting.waiting.len(), 1);
    assert!(waiting.waiting[0].note.starts_with("invited 2026-11-25T10:00:00Z, waiting for acceptance (handshake h-1"));
    assert!(waiting.waiting[0].note.ends_with("run lzctl join --organization o-test"), "{}", waiting.waiting[0].note);

    for state in ["DECLINED", "EXPIRED", "CANCELED"] {
        let mut live = org.snapshot();
        live.handshakes = Some(vec![handshake(state, "2026-11-01T00:00:00Z")]);
        let again = plan_ok(&bp, &live, &PlanOptions::default());
        let change = again.changes.iter().find(|c| c.address == "account.moved-in").expect(state);
        assert_eq!(
            change.reason,
            format!(
                "invite account 444455556666 (join: invite); the last invitation, of 2026-11-01T00:00:00Z, is {state}"
            )
        );
    }

    // Accepted: AWS puts the account in the root, FullAWSAccess attached; the plan moves it and
    // attaches its policies.
    org.live.borrow_mut().policies.get_mut(FULL_ACCESS_ID).unwrap().targets.insert("444455556666".into());
    org.live.borrow_mut().accounts.insert(
        "444455556666".into(),
        LiveAccount {
            id: "444455556666".into(),
            name: "moved-in".into(),
            email: "moved@example.com".into(),
            status: "ACTIVE".into(),
            parent_id: ROOT.into(),
            tags: None,
        },
    );
    let joined = plan_ok(&bp, &org.snapshot(), &PlanOptions::default());
    assert_eq!(lines(&joined), ["→ account.moved-in", "+ policy_attachment.deny-s3/account:moved-in"]);
    assert!(joined.waiting.is_empty());
    // The apply after the acceptance puts it in its OU; then nothing is left.
    apply_to(&org, &bp, &PlanOptions::default()).await;
    let live = org.snapshot();
    assert_eq!(live.account_path("444455556666").map(|p| p.to_string()).as_deref(), Some("Workloads"));
    let last = plan_ok(&bp, &live, &PlanOptions::default());
    assert!(last.is_empty() && last.waiting.is_empty(), "{:?} {:?}", lines(&last), last.waiting);
}
