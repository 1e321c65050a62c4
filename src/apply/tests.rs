//! The apply engine with a recording in-memory executor: ids of created things flow into later
//! calls, a failure stops the run and names the change, and a re-run converges.

use super::*;
use crate::plan::PlanOptions;
use crate::testing::{InMemoryOrg, ROOT, blueprint, fresh_org, plan_ok};
use std::sync::atomic::{AtomicBool, Ordering};

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
    let applied = run(&plan, Ids::new(&bp, &live), &org, crate::testing::never_stop(), |change, step| {
        if matches!(step, Step::Done { .. }) {
            seen.push(change.address.clone());
        }
    })
    .await
    .expect("applies");
    assert_eq!(applied, plan.changes.len());
    assert_eq!(seen.len(), plan.changes.len());

    let calls = org.calls.borrow();
    let Call::Organizations(OrganizationsCall::CreateOu { parent_id: a_parent, .. }) = &calls[0] else {
        panic!("{:?}", calls[0])
    };
    assert_eq!(a_parent, ROOT);
    let live = org.snapshot();
    let a_id = live.ous_by_path()["A"].id.clone();
    let b_id = live.ous_by_path()["A/B"].id.clone();
    assert_eq!(
        calls[1],
        Call::Organizations(OrganizationsCall::CreateOu {
            parent_id: a_id,
            name: "B".into(),
            tags: Default::default()
        })
    );
    let account_id = live.accounts.values().find(|a| a.email == "acct@example.com").unwrap().id.clone();
    assert!(
        calls.contains(&Call::Organizations(OrganizationsCall::MoveAccount {
            account_id,
            from_id: ROOT.into(),
            to_id: b_id.clone()
        })),
        "{calls:#?}"
    );
    let policy_id = live.policy_by_name("p").unwrap().id.clone();
    assert_eq!(
        calls.last(),
        Some(&Call::Organizations(OrganizationsCall::AttachPolicy { policy_id, target_id: b_id }))
    );
}

#[tokio::test]
async fn a_failure_stops_the_run_names_the_change_and_a_rerun_converges() {
    let bp = blueprint(BP);
    let live = fresh_org();
    let plan = plan_ok(&bp, &live, &PlanOptions::default());
    let mut org = InMemoryOrg::new(live.clone());
    org.fail_at = Some(2);
    let err = run(&plan, Ids::new(&bp, &live), &org, crate::testing::never_stop(), |_, _| {}).await.unwrap_err();
    match &err {
        ApplyError::Failed { address, action, done, total, error: source } => {
            assert_eq!(address, "policy.p");
            assert_eq!(*action, "create");
            assert_eq!((*done, *total), (2, plan.changes.len()));
            assert_eq!(source.message, "injected failure");
        }
        ApplyError::Unresolved { .. } | ApplyError::Interrupted { .. } => panic!("unexpected {err:?}"),
    }
    assert!(err.to_string().starts_with("apply stopped at policy.p (create): test:Injected"), "{err}");
    assert_eq!(org.calls.borrow().len(), 3, "nothing runs after the failure");

    org.fail_at = None;
    let live = org.snapshot();
    let rest = plan_ok(&bp, &live, &PlanOptions::default());
    assert_eq!(rest.changes.len(), plan.changes.len() - 2, "what was done is not planned again");
    run(&rest, Ids::new(&bp, &live), &org, crate::testing::never_stop(), |_, _| {}).await.expect("re-run applies");
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
            op: crate::plan::Op::AttachPolicy { policy: "ghost".into(), target: Target::Ou("A".into()) },
        }],
        ..Default::default()
    };
    let org = InMemoryOrg::new(fresh_org());
    let err = run(&plan, Ids::default(), &org, crate::testing::never_stop(), |_, _| {}).await.unwrap_err();
    assert!(matches!(err, ApplyError::Unresolved { ref what, .. } if what == "the policy ghost"), "{err:?}");
    assert!(org.calls.borrow().is_empty());
}

/// Counts how many calls are in flight at once.
struct Concurrency {
    now: std::cell::Cell<usize>,
    max: std::cell::Cell<usize>,
    calls: std::cell::Cell<usize>,
}

impl Executor for Concurrency {
    async fn call(&self, _call: &Call) -> Result<Option<String>, CallError> {
        self.now.set(self.now.get() + 1);
        self.max.set(self.max.get().max(self.now.get()));
        self.calls.set(self.calls.get() + 1);
        tokio::task::yield_now().await;
        self.now.set(self.now.get() - 1);
        Ok(None)
    }
}

/// `n` assignments of permission set PS to group g-1 to create, one per account.
fn assignment_creations(n: usize) -> impl Iterator<Item = crate::plan::Change> {
    let principal = crate::model::PrincipalId { kind: crate::model::PrincipalKind::Group, id: "g-1".into() };
    (0..n).map(move |i| crate::plan::Change {
        address: format!("assignment.PS/group:g/{i}"),
        kind: crate::model::Kind::Assignment,
        action: crate::model::Action::Create,
        before: None,
        after: None,
        reason: String::new(),
        op: crate::plan::Op::CreateAssignment {
            permission_set: "PS".into(),
            principal: principal.clone(),
            account: crate::plan::AccountRef::Id(format!("{i:012}")),
        },
    })
}

#[tokio::test]
async fn assignment_changes_run_together_at_most_ten_at_a_time() {
    let changes = assignment_creations(25).collect();
    let plan = crate::plan::Plan { changes, ..Default::default() };
    let mut ids = Ids::default();
    ids.permission_sets.insert("PS".into(), "arn:ps".into());
    let exec = Concurrency { now: Default::default(), max: Default::default(), calls: Default::default() };
    let applied = run(&plan, ids, &exec, crate::testing::never_stop(), |_, _| {}).await.expect("applies");
    assert_eq!((applied, exec.calls.get()), (25, 25));
    assert_eq!(exec.max.get(), MAX_OUTSTANDING_ASSIGNMENTS, "ten at once, never more");
}

/// An executor that raises the stop flag while carrying out its `after`-th call, as Ctrl-C
/// arriving during that change would.
struct StopsDuring<'a> {
    org: &'a InMemoryOrg,
    stop: &'a AtomicBool,
    after: usize,
}

impl Executor for StopsDuring<'_> {
    async fn call(&self, call: &Call) -> Result<Option<String>, CallError> {
        if self.org.calls.borrow().len() == self.after {
            self.stop.store(true, Ordering::SeqCst);
        }
        self.org.call(call).await
    }
}

#[tokio::test]
async fn asked_to_stop_it_finishes_the_change_under_way_starts_no_other_and_a_rerun_converges() {
    let bp = blueprint(
        "version: 1\norganizational_units:\n  A: {}\n  B: {}\n  C: {}\npolicies:\n  p: {document: {Statement: [{Effect: Deny, Action: \"s3:*\", Resource: \"*\"}]}}\n",
    );
    let org = InMemoryOrg::new(fresh_org());
    let live = org.snapshot();
    let plan = plan_ok(&bp, &live, &PlanOptions::default());
    let stop = AtomicBool::new(false);
    let exec = StopsDuring { org: &org, stop: &stop, after: 1 };
    let err = run(&plan, Ids::new(&bp, &live), &exec, &stop, |_, _| {}).await.unwrap_err();
    let ApplyError::Interrupted { done, total, not_started } = &err else { panic!("{err:?}") };
    assert_eq!((*done, *total), (2, plan.changes.len()), "the change under way when asked was finished");
    assert_eq!(not_started, &plan.changes[2..].iter().map(|c| c.address.clone()).collect::<Vec<_>>());
    assert_eq!(org.calls.borrow().len(), 2, "nothing started after");
    assert!(err.to_string().contains("2 of 4 changes were applied"), "{err}");
    let again = plan_ok(&bp, &org.snapshot(), &PlanOptions::default());
    let live = org.snapshot();
    run(&again, Ids::new(&bp, &live), &org, crate::testing::never_stop(), |_, _| {}).await.expect("the rest");
    assert!(plan_ok(&bp, &org.snapshot(), &PlanOptions::default()).is_empty());
}

/// An organization whose account creations take time (virtual: the test's clock is paused),
/// logging when each call starts and ends.
struct SlowCreations<'a> {
    org: &'a InMemoryOrg,
    /// How long creating the n-th account (0-based, in call order) takes.
    takes: fn(usize) -> std::time::Duration,
    started: tokio::time::Instant,
    log: std::cell::RefCell<Vec<(std::time::Duration, &'static str, Call)>>,
    creating: std::cell::Cell<usize>,
    most_creating: std::cell::Cell<usize>,
}

impl<'a> SlowCreations<'a> {
    fn new(org: &'a InMemoryOrg, takes: fn(usize) -> std::time::Duration) -> Self {
        SlowCreations {
            org,
            takes,
            started: tokio::time::Instant::now(),
            log: Default::default(),
            creating: Default::default(),
            most_creating: Default::default(),
        }
    }

    fn note(&self, what: &'static str, call: &Call) {
        self.log.borrow_mut().push((self.started.elapsed(), what, call.clone()));
    }
}

impl Executor for SlowCreations<'_> {
    async fn call(&self, call: &Call) -> Result<Option<String>, CallError> {
        self.note("start", call);
        let creation = matches!(call, Call::Organizations(OrganizationsCall::CreateAccount { .. }));
        let pause = match call {
            Call::Organizations(OrganizationsCall::CreateAccount { .. }) => {
                let n = self
                    .log
                    .borrow()
                    .iter()
                    .filter(|(_, what, c)| {
                        *what == "start" && matches!(c, Call::Organizations(OrganizationsCall::CreateAccount { .. }))
                    })
                    .count();
                (self.takes)(n - 1)
            }
            Call::IdentityCenter(_) => std::time::Duration::from_secs(1),
            _ => std::time::Duration::ZERO,
        };
        if creation {
            self.creating.set(self.creating.get() + 1);
            self.most_creating.set(self.most_creating.get().max(self.creating.get()));
        }
        tokio::time::sleep(pause).await;
        if creation {
            self.creating.set(self.creating.get() - 1);
        }
        // Identity Center's calls only take their time here; the organization keeps the rest.
        let out = if matches!(call, Call::IdentityCenter(_)) { Ok(None) } else { self.org.call(call).await };
        self.note("end", call);
        out
    }
}

#[tokio::test(start_paused = true)]
async fn five_account_creations_run_at_once_and_each_account_is_moved_as_soon_as_it_exists() {
    let accounts: String = (0..20).map(|i| format!("  a{i:02}: {{email: a{i:02}@example.com, ou: Team}}\n")).collect();
    let bp = blueprint(&format!("version: 1\norganizational_units:\n  Team: {{}}\naccounts:\n{accounts}"));
    let live = fresh_org();
    let plan = plan_ok(&bp, &live, &PlanOptions::default());
    let org = InMemoryOrg::new(live.clone());
    // Creations take one to four minutes, unevenly.
    let exec = SlowCreations::new(&org, |n| std::time::Duration::from_secs(60 * (1 + (n as u64 * 7) % 4)));
    let applied = run(&plan, Ids::new(&bp, &live), &exec, crate::testing::never_stop(), |_, _| {}).await;
    assert_eq!(applied.expect("applies"), plan.changes.len());
    assert_eq!(exec.most_creating.get(), MAX_ACCOUNT_CREATIONS, "five in progress at once, never more");

    let log = exec.log.borrow();
    let created: Vec<(std::time::Duration, String)> = log
        .iter()
        .filter_map(|(at, what, call)| match call {
            Call::Organizations(OrganizationsCall::CreateAccount { email, .. }) if *what == "end" => {
                Some((*at, email.clone()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(created.len(), 20);
    let now = org.snapshot();
    for (done_at, email) in &created {
        let id = &now.accounts.values().find(|a| &a.email == email).unwrap().id;
        let moved_at = log.iter().find_map(|(at, what, call)| match call {
            Call::Organizations(OrganizationsCall::MoveAccount { account_id, .. })
                if *what == "start" && account_id == id =>
            {
                Some(*at)
            }
            _ => None,
        });
        assert_eq!(moved_at, Some(*done_at), "{email} is moved the moment it exists");
    }
    let sequential: u64 = (0..20).map(|n| 60 * (1 + (n * 7) % 4)).sum();
    let last = created.iter().map(|(at, _)| at.as_secs()).max().unwrap();
    assert!(last * 4 < sequential, "creations overlap: done after {last}s, one at a time would take {sequential}s");
}

#[tokio::test(start_paused = true)]
async fn identity_center_changes_run_alongside_account_creation_waiting_only_for_accounts_they_name() {
    use crate::model::{Action, Kind, PrincipalId, PrincipalKind};
    let principal = PrincipalId { kind: PrincipalKind::Group, id: "g-1".into() };
    let assignment = |account: AccountRef| Change {
        address: format!("assignment.PS/group:g/{account:?}"),
        kind: Kind::Assignment,
        action: Action::Create,
        before: None,
        after: None,
        reason: String::new(),
        op: Op::CreateAssignment { permission_set: "PS".into(), principal: principal.clone(), account },
    };
    let mut changes = vec![Change {
        address: "account.newcomer".into(),
        kind: Kind::Account,
        action: Action::Create,
        before: None,
        after: None,
        reason: String::new(),
        op: Op::CreateAccount {
            key: "newcomer".into(),
            name: "Newcomer".into(),
            email: "newcomer@example.com".into(),
            tags: Default::default(),
        },
    }];
    changes.extend((0..12).map(|i| assignment(AccountRef::Id(format!("{:012}", 200 + i)))));
    changes.push(assignment(AccountRef::Key("newcomer".into())));
    let plan = Plan { changes, ..Default::default() };
    let org = InMemoryOrg::new(fresh_org());
    let exec = SlowCreations::new(&org, |_| std::time::Duration::from_secs(120));
    let mut ids = Ids::new(&blueprint("version: 1\n"), &fresh_org());
    ids.instance_arn = "arn:instance".into();
    ids.permission_sets.insert("PS".into(), "arn:ps".into());
    let applied = run(&plan, ids, &exec, crate::testing::never_stop(), |_, _| {}).await;
    assert_eq!(applied.expect("applies"), plan.changes.len());

    let log = exec.log.borrow();
    let assignment_to = |pick: &dyn Fn(&str) -> bool, what: &str| -> Vec<u64> {
        log.iter()
            .filter_map(|(at, w, call)| match call {
                Call::IdentityCenter(IdentityCenterCall::CreateAssignment { account_id, .. })
                    if *w == what && pick(account_id) =>
                {
                    Some(at.as_secs())
                }
                _ => None,
            })
            .collect()
    };
    let newcomer = org.snapshot().accounts.values().find(|a| a.email == "newcomer@example.com").unwrap().id.clone();
    let others = assignment_to(&|id| id != newcomer, "end");
    assert_eq!(others.len(), 12);
    assert!(others.iter().all(|&at| at < 120), "done while the account was being created: {others:?}");
    assert_eq!(assignment_to(&|id| id == newcomer, "start"), [120], "started the moment the account existed");
}

/// Fails Identity Center's `nth` call (0-based); account creation takes two minutes.
struct FailsInOneLane<'a> {
    inner: SlowCreations<'a>,
    nth: usize,
    seen: std::cell::Cell<usize>,
}

impl Executor for FailsInOneLane<'_> {
    async fn call(&self, call: &Call) -> Result<Option<String>, CallError> {
        if matches!(call, Call::IdentityCenter(_)) {
            let n = self.seen.get();
            self.seen.set(n + 1);
            if n == self.nth {
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                return Err(CallError {
                    operation: "test:Injected".into(),
                    resource: "x".into(),
                    message: "no".into(),
                });
            }
        }
        self.inner.call(call).await
    }
}

#[tokio::test(start_paused = true)]
async fn a_failure_in_one_lane_starts_nothing_more_in_either_and_what_started_finishes() {
    let bp = blueprint(
        "version: 1\norganizational_units:\n  A: {}\naccounts:\n  late: {email: late@example.com, ou: A}\n  later: {email: later@example.com, ou: A}\n",
    );
    let live = fresh_org();
    let mut plan = plan_ok(&bp, &live, &PlanOptions::default());
    plan.changes.extend(assignment_creations(25));
    let org = InMemoryOrg::new(live.clone());
    // Account creations take two minutes; the assignment that fails ends after one second.
    let exec = FailsInOneLane {
        inner: SlowCreations::new(&org, |_| std::time::Duration::from_secs(120)),
        nth: 2,
        seen: Default::default(),
    };
    let mut ids = Ids::new(&bp, &live);
    ids.instance_arn = "arn:instance".into();
    ids.permission_sets.insert("PS".into(), "arn:ps".into());
    let err = run(&plan, ids, &exec, crate::testing::never_stop(), |_, _| {}).await.unwrap_err();
    let ApplyError::Failed { address, done, .. } = &err else { panic!("{err:?}") };
    assert_eq!(address, "assignment.PS/group:g/2");
    let started: Vec<String> = exec
        .inner
        .log
        .borrow()
        .iter()
        .filter(|(_, what, _)| *what == "start")
        .map(|(_, _, call)| format!("{call:?}"))
        .collect();
    let assignments = started.iter().filter(|c| c.contains("CreateAssignment")).count();
    assert_eq!(assignments + 1, MAX_OUTSTANDING_ASSIGNMENTS, "the first ten started (one failed); none after");
    let accounts = started.iter().filter(|c| c.contains("CreateAccount")).count();
    assert!(accounts >= 1, "account creations under way were finished");
    let created = org.snapshot().accounts.values().filter(|a| a.email.starts_with("late")).count();
    assert_eq!(created, accounts, "every creation started was followed to its end");
    assert_eq!(*done, 1 + accounts + 9, "the OU, the accounts started, nine assignments");
}
