//! Runs a plan: each change in order, names resolved to ids (including ids of things created
//! earlier in the same run), through an executor — the AWS one in the tool, a recording fake in
//! tests. Stops at the first failure and says which change failed.

use crate::blueprint::Blueprint;
use crate::live::LiveState;
use crate::model::{PolicyType, Target};
use crate::plan::{Change, Op, Plan};
use std::collections::{BTreeMap, BTreeSet};
use thiserror::Error;

/// One AWS operation with every name resolved to an id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Call {
    EnablePolicyType { root_id: String, policy_type: PolicyType },
    DisablePolicyType { root_id: String, policy_type: PolicyType },
    CreateOu { parent_id: String, name: String, tags: BTreeMap<String, String> },
    DeleteOu { id: String },
    CreatePolicy { name: String, policy_type: PolicyType, description: String, content: String },
    UpdatePolicy { id: String, description: Option<String>, content: Option<String> },
    DeletePolicy { id: String },
    CreateAccount { name: String, email: String, tags: BTreeMap<String, String> },
    MoveAccount { account_id: String, from_id: String, to_id: String },
    AttachPolicy { policy_id: String, target_id: String },
    DetachPolicy { policy_id: String, target_id: String },
    TagResource { resource_id: String, tags: BTreeMap<String, String> },
    UntagResource { resource_id: String, keys: BTreeSet<String> },
}

/// An AWS operation that failed, in words: the operation, the resource, what AWS said.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
#[error("{operation} on {resource} failed: {message}")]
pub struct CallError {
    pub operation: String,
    pub resource: String,
    pub message: String,
}

/// Carries out calls; returns the id of what a create call made.
pub trait Executor {
    fn call(&self, call: &Call) -> impl std::future::Future<Output = Result<Option<String>, CallError>>;
}

#[derive(Debug, Error, miette::Diagnostic)]
pub enum ApplyError {
    #[error(
        "apply stopped at {address} ({action}): {source}\n{done} of {total} changes were applied; fix the cause and run apply again: it picks up where this run stopped"
    )]
    #[diagnostic(code(lzctl::apply::failed))]
    Failed { address: String, action: &'static str, done: usize, total: usize, source: CallError },
    #[error("apply stopped at {address}: {what} is not known (was it deleted while apply ran?)")]
    #[diagnostic(code(lzctl::apply::unresolved))]
    Unresolved { address: String, what: String },
}

/// Names → ids: from the live state the plan was made from, plus what this run creates.
#[derive(Debug, Clone, Default)]
pub struct Ids {
    pub root: String,
    pub ous: BTreeMap<String, String>,
    pub policies: BTreeMap<String, String>,
    pub accounts: BTreeMap<String, String>,
}

impl Ids {
    pub fn new(bp: &Blueprint, live: &LiveState) -> Ids {
        let mut ous: BTreeMap<String, String> =
            live.ous_by_path().into_iter().map(|(path, ou)| (path, ou.id.clone())).collect();
        ous.insert(String::new(), live.root.id.clone());
        let policies = live.policies.values().map(|p| (p.name.clone(), p.id.clone())).collect();
        let accounts =
            live.match_accounts(bp.accounts.values().map(|a| (a.key.as_str(), a.email.as_str(), a.name.as_str())));
        Ids { root: live.root.id.clone(), ous, policies, accounts }
    }

    fn ou(&self, path: &str) -> Option<String> {
        self.ous.get(path).cloned()
    }

    fn target(&self, target: &Target) -> Option<String> {
        match target {
            Target::Root => Some(self.root.clone()),
            Target::Ou(path) => self.ou(path),
            Target::Account(key) => self.accounts.get(key).cloned(),
        }
    }
}

/// Progress of one change, for whoever shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Started,
    Done,
}

/// Resolves one planned operation into the calls that carry it out.
fn resolve(op: &Op, ids: &Ids) -> Result<Vec<Call>, String> {
    let need = |v: Option<String>, what: String| v.ok_or(what);
    Ok(match op {
        Op::EnablePolicyType { policy_type } => {
            vec![Call::EnablePolicyType { root_id: ids.root.clone(), policy_type: *policy_type }]
        }
        Op::DisablePolicyType { policy_type } => {
            vec![Call::DisablePolicyType { root_id: ids.root.clone(), policy_type: *policy_type }]
        }
        Op::CreateOu { parent, name, tags, .. } => vec![Call::CreateOu {
            parent_id: need(ids.ou(parent), format!("the parent OU {parent}"))?,
            name: name.clone(),
            tags: tags.clone(),
        }],
        Op::DeleteOu { id, .. } => vec![Call::DeleteOu { id: id.clone() }],
        Op::CreatePolicy { name, policy_type, description, content } => vec![Call::CreatePolicy {
            name: name.clone(),
            policy_type: *policy_type,
            description: description.clone(),
            content: content.clone(),
        }],
        Op::UpdatePolicy { id, description, content, .. } => {
            vec![Call::UpdatePolicy { id: id.clone(), description: description.clone(), content: content.clone() }]
        }
        Op::DeletePolicy { id, .. } => vec![Call::DeletePolicy { id: id.clone() }],
        Op::CreateAccount { name, email, tags, .. } => {
            vec![Call::CreateAccount { name: name.clone(), email: email.clone(), tags: tags.clone() }]
        }
        Op::MoveAccount { key, from, to } => vec![Call::MoveAccount {
            account_id: need(ids.accounts.get(key).cloned(), format!("the account {key}"))?,
            from_id: need(ids.ou(from), format!("the OU {from}"))?,
            to_id: need(ids.ou(to), format!("the OU {to}"))?,
        }],
        Op::AttachPolicy { policy, target } => vec![Call::AttachPolicy {
            policy_id: need(ids.policies.get(policy).cloned(), format!("the policy {policy}"))?,
            target_id: need(ids.target(target), format!("the target {target}"))?,
        }],
        Op::DetachPolicy { policy, target } => vec![Call::DetachPolicy {
            policy_id: need(ids.policies.get(policy).cloned(), format!("the policy {policy}"))?,
            target_id: need(ids.target(target), format!("the target {target}"))?,
        }],
        Op::SetTags { target, set, remove } => {
            let resource_id = need(ids.target(target), format!("the target {target}"))?;
            let mut calls = Vec::new();
            if !set.is_empty() {
                calls.push(Call::TagResource { resource_id: resource_id.clone(), tags: set.clone() });
            }
            if !remove.is_empty() {
                calls.push(Call::UntagResource { resource_id, keys: remove.clone() });
            }
            calls
        }
    })
}

/// Records what a create made, so later changes can refer to it.
fn record(op: &Op, created: Option<String>, ids: &mut Ids) {
    let Some(id) = created else { return };
    match op {
        Op::CreateOu { path, .. } => {
            ids.ous.insert(path.clone(), id);
        }
        Op::CreatePolicy { name, .. } => {
            ids.policies.insert(name.clone(), id);
        }
        Op::CreateAccount { key, .. } => {
            ids.accounts.insert(key.clone(), id);
        }
        _ => {}
    }
}

fn action_word(change: &Change) -> &'static str {
    match change.action {
        crate::model::Action::Create => "create",
        crate::model::Action::Update => "update",
        crate::model::Action::Delete => "delete",
        crate::model::Action::Move => "move",
    }
}

/// Applies the plan's changes in order; returns how many were applied.
pub async fn run<E: Executor>(
    plan: &Plan,
    mut ids: Ids,
    executor: &E,
    mut progress: impl FnMut(&Change, Step),
) -> Result<usize, ApplyError> {
    let total = plan.changes.len();
    for (done, change) in plan.changes.iter().enumerate() {
        progress(change, Step::Started);
        let calls = resolve(&change.op, &ids)
            .map_err(|what| ApplyError::Unresolved { address: change.address.clone(), what })?;
        let mut created = None;
        for call in &calls {
            created = executor.call(call).await.map_err(|source| ApplyError::Failed {
                address: change.address.clone(),
                action: action_word(change),
                done,
                total,
                source,
            })?;
        }
        record(&change.op, created, &mut ids);
        progress(change, Step::Done);
    }
    Ok(total)
}

#[cfg(test)]
#[path = "apply_tests.rs"]
mod tests;
