//! How a plan's changes are scheduled, so an apply keeps AWS's slowest budget busy instead of
//! waiting on one thing at a time. Two lanes run at once, each in plan order:
//!
//! - the organization's (OUs, policies, accounts, attachments, settings, stack sets), then,
//!   once Identity Center's lane is done, its deletions (which the plan orders last);
//! - Identity Center's (permission sets, then assignments), which waits only for what it needs
//!   of the other: organization settings switched on, stack sets (they deploy the policies
//!   permission sets refer to), and the creation of any account it names.
//!
//! Within a lane, consecutive changes of one kind run together up to AWS's limit for that kind —
//! five account creations in progress, each account moved into its OU as soon as it exists; ten
//! assignment operations outstanding; a few permission sets — and one at a time otherwise.

use super::{ApplyErrorAt, Change, Executor, Ids, Op, Plan, Step, execute, record};
use super::{MAX_ACCOUNT_CREATIONS, MAX_OUTSTANDING_ASSIGNMENTS, MAX_PERMISSION_SET_CHANGES};
use crate::plan::AccountRef;
use futures::StreamExt;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};

/// How a run ended: which changes were done, and the first failure.
pub(super) struct Outcome {
    pub(super) done: Vec<bool>,
    pub(super) failure: Option<(usize, ApplyErrorAt)>,
}

fn is_identity_center(op: &Op) -> bool {
    matches!(
        op,
        Op::CreatePermissionSet { .. }
            | Op::UpdatePermissionSet { .. }
            | Op::DeletePermissionSet { .. }
            | Op::CreateAssignment { .. }
            | Op::DeleteAssignment { .. }
    )
}

/// Changes that run together with their neighbours of the same kind, and how many at once.
fn window(op: &Op) -> (u8, usize) {
    match op {
        Op::CreateAccount { .. } => (1, MAX_ACCOUNT_CREATIONS),
        Op::CreateAssignment { .. } | Op::DeleteAssignment { .. } => (2, MAX_OUTSTANDING_ASSIGNMENTS),
        Op::CreatePermissionSet { .. } | Op::UpdatePermissionSet { .. } => (3, MAX_PERMISSION_SET_CHANGES),
        _ => (0, 1),
    }
}

/// What Identity Center's lane waits for of the organization's: settings switched on, stack
/// sets, and the accounts it names being created.
fn prerequisite(op: &Op, named_accounts: &[&str]) -> bool {
    match op {
        Op::EnablePolicyType { .. }
        | Op::EnableServiceAccess { .. }
        | Op::CreateStackSet { .. }
        | Op::UpdateStackSet { .. }
        | Op::CreateStackInstances { .. } => true,
        Op::CreateAccount { key, .. } => named_accounts.contains(&key.as_str()),
        _ => false,
    }
}

fn named_accounts(op: &Op) -> Vec<&str> {
    match op {
        Op::CreateAssignment { account: AccountRef::Key(key), .. }
        | Op::DeleteAssignment { account: AccountRef::Key(key), .. } => vec![key.as_str()],
        _ => Vec::new(),
    }
}

struct Run<'a, E, P> {
    plan: &'a Plan,
    ids: RefCell<Ids>,
    executor: &'a E,
    stop: &'a AtomicBool,
    progress: RefCell<P>,
    done: RefCell<Vec<bool>>,
    failure: RefCell<Option<(usize, ApplyErrorAt)>>,
    /// Per created account's change, the change that moves it: run as soon as it exists.
    moves: BTreeMap<usize, usize>,
    /// Bumped whenever the organization's lane finishes a change, or ends.
    org_progress: tokio::sync::watch::Sender<bool>,
}

impl<E: Executor, P: FnMut(&Change, Step)> Run<'_, E, P> {
    fn halted(&self) -> bool {
        self.stop.load(Ordering::SeqCst) || self.failure.borrow().is_some()
    }

    /// Carries out one change, unless the run is halted: the change and, for a created account,
    /// its move.
    async fn change(&self, index: usize) {
        if !self.step(index).await {
            return;
        }
        if let Some(&then) = self.moves.get(&index) {
            self.step(then).await;
        }
    }

    /// One change's calls, its progress, and what it created; false if it did not happen.
    async fn step(&self, index: usize) -> bool {
        if self.halted() {
            return false;
        }
        let change = &self.plan.changes[index];
        (self.progress.borrow_mut())(change, Step::Started);
        let started = std::time::Instant::now();
        match execute(change, &self.ids, self.executor).await {
            Ok(created) => {
                let done = Step::Done { id: created.clone(), elapsed: started.elapsed() };
                record(&change.op, created, &mut self.ids.borrow_mut());
                self.done.borrow_mut()[index] = true;
                (self.progress.borrow_mut())(change, done);
                if !is_identity_center(&change.op) {
                    self.org_progress.send_modify(|_| {});
                }
                true
            }
            Err(err) => {
                self.failure.borrow_mut().get_or_insert((index, err));
                false
            }
        }
    }

    /// Runs changes in order, consecutive ones of one kind together up to its window; each
    /// waits first for the changes `waits_for` names. Stops starting changes once halted.
    async fn lane(&self, changes: &[usize], waits_for: impl Fn(usize) -> Vec<usize>) {
        let mut rest = changes;
        while let Some(&first) = rest.first() {
            if self.halted() {
                return;
            }
            let (kind, limit) = window(&self.plan.changes[first].op);
            let len = if limit == 1 {
                1
            } else {
                rest.iter().take_while(|&&i| window(&self.plan.changes[i].op).0 == kind).count()
            };
            let (block, after) = rest.split_at(len);
            futures::stream::iter(block)
                .map(|&index| {
                    let needs = waits_for(index);
                    async move {
                        if self.wait_for(&needs).await {
                            self.change(index).await;
                        }
                    }
                })
                .buffer_unordered(limit)
                .collect::<Vec<()>>()
                .await;
            rest = after;
        }
    }

    /// Waits until every change in `needs` is done; false when that can no longer happen.
    async fn wait_for(&self, needs: &[usize]) -> bool {
        if needs.is_empty() {
            return true;
        }
        let all_done = || needs.iter().all(|&i| self.done.borrow()[i]);
        let mut org = self.org_progress.subscribe();
        // `true` once the organization's lane has ended: nothing more will be done there.
        let _ = org.wait_for(|&ended| ended || all_done() || self.halted()).await;
        all_done() && !self.halted()
    }
}

/// Runs the plan's changes in two lanes (see the module's comment).
pub(super) async fn run<E: Executor>(
    plan: &Plan,
    ids: Ids,
    executor: &E,
    stop: &AtomicBool,
    progress: impl FnMut(&Change, Step),
) -> Outcome {
    let changes = &plan.changes;
    let created: BTreeMap<&str, usize> = changes
        .iter()
        .enumerate()
        .filter_map(|(i, c)| match &c.op {
            Op::CreateAccount { key, .. } => Some((key.as_str(), i)),
            _ => None,
        })
        .collect();
    let moves: BTreeMap<usize, usize> = changes
        .iter()
        .enumerate()
        .filter_map(|(i, c)| match &c.op {
            Op::MoveAccount { key, .. } => created.get(key.as_str()).map(|&made| (made, i)),
            _ => None,
        })
        .collect();
    let moved_with_creation: Vec<usize> = moves.values().copied().collect();
    let identity: Vec<usize> = (0..changes.len()).filter(|&i| is_identity_center(&changes[i].op)).collect();
    let organization = |range: std::ops::Range<usize>| -> Vec<usize> {
        range.filter(|&i| !is_identity_center(&changes[i].op) && !moved_with_creation.contains(&i)).collect()
    };
    // Organization changes the plan puts among or after Identity Center's (its deletions) wait
    // for all of it.
    let first_identity = identity.first().copied().unwrap_or(changes.len());
    let (before, after) = (organization(0..first_identity), organization(first_identity..changes.len()));

    let (org_progress, _) = tokio::sync::watch::channel(false);
    let state = Run {
        plan,
        ids: RefCell::new(ids),
        executor,
        stop,
        progress: RefCell::new(progress),
        done: RefCell::new(vec![false; changes.len()]),
        failure: RefCell::new(None),
        moves,
        org_progress,
    };
    let needs = |index: usize| -> Vec<usize> {
        let named = named_accounts(&changes[index].op);
        before.iter().copied().filter(|&i| prerequisite(&changes[i].op, &named)).collect()
    };
    futures::join!(
        async {
            state.lane(&before, |_| Vec::new()).await;
            state.org_progress.send_replace(true);
        },
        state.lane(&identity, needs),
    );
    state.lane(&after, |_| Vec::new()).await;
    Outcome { done: state.done.into_inner(), failure: state.failure.into_inner() }
}
