//! Runs a plan: each change in order, names resolved to ids (including ids of things created
//! earlier in the same run), through an executor — the AWS one in the tool, a recording fake in
//! tests. Stops at the first failure and says which change failed.

use crate::blueprint::Blueprint;
use crate::live::LiveState;
use crate::model::{OuPath, Target};
use crate::plan::{AccountRef, Change, Op, Plan};
use std::collections::BTreeMap;
use std::sync::atomic::AtomicBool;
use thiserror::Error;

mod calls;
mod lanes;

pub(crate) use calls::{Call, CallError, Executor, IamCall, IdentityCenterCall, OrganizationsCall, StackSetsCall};

#[derive(Debug, Error, miette::Diagnostic)]
pub(crate) enum ApplyError {
    #[error(
        "apply stopped at {address} ({action}): {error}\n{done} of {total} changes were applied; fix the cause and run apply again: it picks up where this run stopped"
    )]
    #[diagnostic(code(lzctl::apply::failed))]
    Failed { address: String, action: &'static str, done: usize, total: usize, error: CallError },
    #[error("apply stopped at {address}: {what} is not known (was it deleted while apply ran?)")]
    #[diagnostic(code(lzctl::apply::unresolved))]
    Unresolved { address: String, what: String },
    #[error(
        "apply interrupted: {done} of {total} changes were applied, every one started was finished; not started:\n  {}\nrun apply again to finish",
        .not_started.join("\n  ")
    )]
    #[diagnostic(code(lzctl::apply::interrupted))]
    Interrupted { done: usize, total: usize, not_started: Vec<String> },
}

/// Names → ids: from the live state the plan was made from, plus what this run creates.
#[derive(Debug, Clone, Default)]
pub(crate) struct Ids {
    pub root: String,
    /// By path, the root included.
    pub ous: BTreeMap<OuPath, String>,
    pub policies: BTreeMap<String, String>,
    pub accounts: BTreeMap<String, String>,
    /// Identity Center instance, and permission sets by name → ARN.
    pub instance_arn: String,
    pub permission_sets: BTreeMap<String, String>,
}

impl Ids {
    pub(crate) fn new(bp: &Blueprint, live: &LiveState) -> Ids {
        // OUs the blueprint renames are found by their new paths, as the plan names them.
        let (live, _) = crate::plan::renamed(bp, live);
        let live = &*live;
        let mut ous: BTreeMap<OuPath, String> =
            live.ous_by_path().into_iter().map(|(path, ou)| (path, ou.id.clone())).collect();
        ous.insert(OuPath::root(), live.root.id.clone());
        let policies = live.policies.values().map(|p| (p.name.clone(), p.id.clone())).collect();
        let accounts = crate::plan::matched_accounts(bp, live);
        let (instance_arn, permission_sets) = match &live.identity_center {
            Some(ic) => (
                ic.instance_arn.clone(),
                ic.permission_sets.iter().map(|(name, ps)| (name.clone(), ps.arn.clone())).collect(),
            ),
            None => (String::new(), BTreeMap::new()),
        };
        Ids { root: live.root.id.clone(), ous, policies, accounts, instance_arn, permission_sets }
    }

    fn ou(&self, path: &OuPath) -> Option<String> {
        self.ous.get(path).cloned()
    }

    fn account(&self, account: &AccountRef) -> Option<String> {
        match account {
            AccountRef::Key(key) => self.accounts.get(key).cloned(),
            AccountRef::Id(id) => Some(id.clone()),
        }
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    Started,
    /// Done: the id of what it created, if it created something, and how long it took.
    Done {
        id: Option<String>,
        elapsed: std::time::Duration,
    },
}

/// The instance, permission set ARN and account id an assignment names.
fn assignment_ids(ids: &Ids, permission_set: &str, account: &AccountRef) -> Result<(String, String, String), String> {
    let arn = ids.permission_sets.get(permission_set).cloned().ok_or(format!("the permission set {permission_set}"))?;
    let account_id = ids.account(account).ok_or(format!("the account {account:?}"))?;
    Ok((ids.instance_arn.clone(), arn, account_id))
}

/// Resolves one planned operation into the calls that carry it out.
fn resolve(op: &Op, ids: &Ids) -> Result<Vec<Call>, String> {
    let need = |v: Option<String>, what: String| v.ok_or(what);
    Ok(match op {
        Op::EnablePolicyType { policy_type } => {
            vec![Call::Organizations(OrganizationsCall::EnablePolicyType {
                root_id: ids.root.clone(),
                policy_type: *policy_type,
            })]
        }
        Op::DisablePolicyType { policy_type } => {
            vec![Call::Organizations(OrganizationsCall::DisablePolicyType {
                root_id: ids.root.clone(),
                policy_type: *policy_type,
            })]
        }
        Op::CreateOu { parent, name, tags, .. } => vec![Call::Organizations(OrganizationsCall::CreateOu {
            parent_id: need(ids.ou(parent), format!("the parent OU {parent}"))?,
            name: name.clone(),
            tags: tags.clone(),
        })],
        Op::DeleteOu { id, .. } => vec![Call::Organizations(OrganizationsCall::DeleteOu { id: id.clone() })],
        Op::RenameOu { id, name, .. } => {
            vec![Call::Organizations(OrganizationsCall::RenameOu { id: id.clone(), name: name.clone() })]
        }
        Op::CreatePolicy { name, policy_type, description, content } => {
            vec![Call::Organizations(OrganizationsCall::CreatePolicy {
                name: name.clone(),
                policy_type: *policy_type,
                description: description.clone(),
                content: content.clone(),
            })]
        }
        Op::UpdatePolicy { id, description, content, .. } => {
            vec![Call::Organizations(OrganizationsCall::UpdatePolicy {
                id: id.clone(),
                description: description.clone(),
                content: content.clone(),
            })]
        }
        Op::DeletePolicy { id, .. } => vec![Call::Organizations(OrganizationsCall::DeletePolicy { id: id.clone() })],
        Op::CreateAccount { name, email, tags, .. } => {
            vec![Call::Organizations(OrganizationsCall::CreateAccount {
                name: name.clone(),
                email: email.clone(),
                tags: tags.clone(),
            })]
        }
        Op::InviteAccount { id, .. } => {
            vec![Call::Organizations(OrganizationsCall::InviteAccount { account_id: id.clone() })]
        }
        Op::CloseAccount { id, .. } => {
            vec![Call::Organizations(OrganizationsCall::CloseAccount { account_id: id.clone() })]
        }
        Op::MoveAccount { key, from, to } => vec![Call::Organizations(OrganizationsCall::MoveAccount {
            account_id: need(ids.accounts.get(key).cloned(), format!("the account {key}"))?,
            from_id: need(ids.ou(from), format!("the OU {from}"))?,
            to_id: need(ids.ou(to), format!("the OU {to}"))?,
        })],
        Op::AttachPolicy { policy, target } => vec![Call::Organizations(OrganizationsCall::AttachPolicy {
            policy_id: need(ids.policies.get(policy).cloned(), format!("the policy {policy}"))?,
            target_id: need(ids.target(target), format!("the target {target}"))?,
        })],
        Op::DetachPolicy { policy, target } => vec![Call::Organizations(OrganizationsCall::DetachPolicy {
            policy_id: need(ids.policies.get(policy).cloned(), format!("the policy {policy}"))?,
            target_id: need(ids.target(target), format!("the target {target}"))?,
        })],
        Op::SetTags { target, set, remove } => {
            let resource_id = need(ids.target(target), format!("the target {target}"))?;
            let mut calls = Vec::new();
            if !set.is_empty() {
                calls.push(Call::Organizations(OrganizationsCall::TagResource {
                    resource_id: resource_id.clone(),
                    tags: set.clone(),
                }));
            }
            if !remove.is_empty() {
                calls.push(Call::Organizations(OrganizationsCall::UntagResource { resource_id, keys: remove.clone() }));
            }
            calls
        }
        Op::CreatePermissionSet { spec } => {
            vec![Call::IdentityCenter(IdentityCenterCall::CreatePermissionSet {
                instance_arn: ids.instance_arn.clone(),
                spec: spec.clone(),
            })]
        }
        Op::UpdatePermissionSet { arn, change, reprovision, .. } => {
            vec![Call::IdentityCenter(IdentityCenterCall::UpdatePermissionSet {
                instance_arn: ids.instance_arn.clone(),
                arn: arn.clone(),
                change: change.clone(),
                reprovision: *reprovision,
            })]
        }
        Op::DeletePermissionSet { arn, .. } => {
            vec![Call::IdentityCenter(IdentityCenterCall::DeletePermissionSet {
                instance_arn: ids.instance_arn.clone(),
                arn: arn.clone(),
            })]
        }
        Op::CreateAssignment { permission_set, principal, account } => {
            let (instance_arn, permission_set_arn, account_id) = assignment_ids(ids, permission_set, account)?;
            vec![Call::IdentityCenter(IdentityCenterCall::CreateAssignment {
                instance_arn,
                permission_set_arn,
                principal: principal.clone(),
                account_id,
            })]
        }
        Op::SetRootFeature { feature, enabled } => {
            vec![Call::Iam(IamCall::SetRootFeature { feature: *feature, enabled: *enabled })]
        }
        Op::EnableServiceAccess { service } => {
            vec![Call::Organizations(OrganizationsCall::EnableServiceAccess { service: service.clone() })]
        }
        Op::DisableServiceAccess { service } => {
            vec![Call::Organizations(OrganizationsCall::DisableServiceAccess { service: service.clone() })]
        }
        Op::RegisterDelegatedAdministrator { service, account } => {
            vec![Call::Organizations(OrganizationsCall::RegisterDelegatedAdministrator {
                service: service.clone(),
                account_id: need(ids.account(account), format!("the account {account:?}"))?,
            })]
        }
        Op::DeregisterDelegatedAdministrator { service, account } => {
            vec![Call::Organizations(OrganizationsCall::DeregisterDelegatedAdministrator {
                service: service.clone(),
                account_id: need(ids.account(account), format!("the account {account:?}"))?,
            })]
        }
        Op::SetApprovalRule { set, remove } => {
            let mut calls = Vec::new();
            if !set.is_empty() {
                calls.push(Call::Organizations(OrganizationsCall::TagResource {
                    resource_id: ids.root.clone(),
                    tags: set.clone(),
                }));
            }
            if !remove.is_empty() {
                calls.push(Call::Organizations(OrganizationsCall::UntagResource {
                    resource_id: ids.root.clone(),
                    keys: remove.clone(),
                }));
            }
            calls
        }
        Op::CreateStackSet { spec } => vec![Call::StackSets(StackSetsCall::CreateStackSet { spec: spec.clone() })],
        Op::UpdateStackSet { spec } => vec![Call::StackSets(StackSetsCall::UpdateStackSet { spec: spec.clone() })],
        Op::DeleteStackSet { name } => vec![Call::StackSets(StackSetsCall::DeleteStackSet { name: name.clone() })],
        Op::CreateStackInstances { stack_set, region, ous, preferences, exclude } => {
            let ou_ids =
                ous.iter().map(|path| ids.ou(path).ok_or(format!("the OU {path}"))).collect::<Result<Vec<_>, _>>()?;
            // An excluded account that does not exist has no instance to leave out.
            let exclude_account_ids = exclude.iter().filter_map(|a| ids.account(a)).collect();
            vec![Call::StackSets(StackSetsCall::CreateStackInstances {
                stack_set: stack_set.clone(),
                region: region.clone(),
                ou_ids,
                preferences: preferences.clone(),
                exclude_account_ids,
            })]
        }
        Op::DeleteStackInstances { stack_set, region, ou_ids, account_ids, preferences, only_accounts } => {
            vec![Call::StackSets(StackSetsCall::DeleteStackInstances {
                stack_set: stack_set.clone(),
                region: region.clone(),
                ou_ids: ou_ids.clone(),
                account_ids: account_ids.clone(),
                preferences: preferences.clone(),
                only_accounts: *only_accounts,
            })]
        }
        Op::DeleteAssignment { permission_set, principal, account } => {
            let (instance_arn, permission_set_arn, account_id) = assignment_ids(ids, permission_set, account)?;
            vec![Call::IdentityCenter(IdentityCenterCall::DeleteAssignment {
                instance_arn,
                permission_set_arn,
                principal: principal.clone(),
                account_id,
            })]
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
        Op::CreatePermissionSet { spec } => {
            ids.permission_sets.insert(spec.name.clone(), id);
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

/// Assignment operations AWS lets one caller have outstanding at once.
pub(crate) const MAX_OUTSTANDING_ASSIGNMENTS: usize = 10;
/// Account creations AWS lets an organization have in progress at once.
pub(crate) const MAX_ACCOUNT_CREATIONS: usize = 5;
/// Permission sets changed at once: each its own resource, all sharing Identity Center's budget.
pub(crate) const MAX_PERMISSION_SET_CHANGES: usize = 5;

/// Runs one change's calls in order; returns the id the last one created. The calls are
/// resolved before the first is sent, so no borrow of the ids is held while AWS answers.
async fn execute<E: Executor>(
    change: &Change,
    ids: &std::cell::RefCell<Ids>,
    executor: &E,
) -> Result<Option<String>, ApplyErrorAt> {
    let calls = resolve(&change.op, &ids.borrow()).map_err(ApplyErrorAt::Unresolved)?;
    let mut created = None;
    for call in &calls {
        created = executor.call(call).await.map_err(ApplyErrorAt::Failed)?;
    }
    Ok(created)
}

enum ApplyErrorAt {
    Unresolved(String),
    Failed(CallError),
}

fn located(err: ApplyErrorAt, change: &Change, done: usize, total: usize) -> ApplyError {
    match err {
        ApplyErrorAt::Unresolved(what) => ApplyError::Unresolved { address: change.address.clone(), what },
        ApplyErrorAt::Failed(error) => {
            ApplyError::Failed { address: change.address.clone(), action: action_word(change), done, total, error }
        }
    }
}

/// Applies the plan's changes; returns how many were applied. Identity Center's changes run
/// alongside the organization's, each lane in plan order, with as many of one kind at once as
/// AWS allows (see `lanes`). A failure, or being asked to stop, starts nothing more; what
/// started is finished.
pub(crate) async fn run<E: Executor>(
    plan: &Plan,
    ids: Ids,
    executor: &E,
    stop: &AtomicBool,
    progress: impl FnMut(&Change, Step),
) -> Result<usize, ApplyError> {
    let total = plan.changes.len();
    let outcome = lanes::run(plan, ids, executor, stop, progress).await;
    let done = outcome.done.iter().filter(|d| **d).count();
    if let Some((index, err)) = outcome.failure {
        return Err(located(err, &plan.changes[index], done, total));
    }
    if done < total {
        let not_started = plan
            .changes
            .iter()
            .zip(&outcome.done)
            .filter(|(_, done)| !**done)
            .map(|(c, _)| c.address.clone())
            .collect();
        return Err(ApplyError::Interrupted { done, total, not_started });
    }
    Ok(total)
}

#[cfg(test)]
mod tests;
