//! Changes that can lock people out or do nothing while looking like protection — each shown in
//! the plan, and refused by `apply` without `--allow-hazards`: a policy that denies everything
//! (or all of Organizations or STS) attached where it reaches many accounts; an account losing
//! the last assignment that gives anyone administrator access (nobody could then mend it); an
//! SCP attached to the management account, where SCPs never apply. Pure.

use super::{AccountRef, Change, Hazard, Op};
use crate::blueprint::Blueprint;
use crate::live::LiveState;
use crate::model::{OuPath, PolicyType, Target};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// The AWS-managed policy that makes a permission set an administrator's.
const ADMINISTRATOR_ACCESS: &str = "arn:aws:iam::aws:policy/AdministratorAccess";

/// Actions whose denial locks everyone under the target out of the organization.
const LOCKOUT_ACTIONS: [&str; 3] = ["*", "organizations:*", "sts:*"];

/// Whether a policy document denies everything, or all of Organizations or STS, unconditionally.
pub(super) fn denies_everything(doc: &Value) -> bool {
    let statements: Vec<&Value> = match doc.get("Statement") {
        Some(Value::Array(list)) => list.iter().collect(),
        Some(one) => vec![one],
        None => Vec::new(),
    };
    statements.iter().any(|s| {
        let actions: Vec<&str> = match s.get("Action") {
            Some(Value::String(a)) => vec![a.as_str()],
            Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        s.get("Effect").and_then(Value::as_str) == Some("Deny")
            && s.get("Condition").is_none()
            && actions.iter().any(|a| LOCKOUT_ACTIONS.contains(a))
    })
}

/// Every hazard in `changes`.
pub(super) fn find(
    bp: &Blueprint,
    live: &LiveState,
    matched: &BTreeMap<String, String>,
    changes: &[Change],
) -> Vec<Hazard> {
    let mut hazards = Vec::new();
    lockouts(bp, live, matched, changes, &mut hazards);
    management_account(live, matched, changes, &mut hazards);
    last_administrators(bp, live, matched, changes, &mut hazards);
    hazards
}

/// Where each managed account will be once the plan has run, and where unmanaged ones are.
fn accounts_under(bp: &Blueprint, live: &LiveState, matched: &BTreeMap<String, String>, ou: &OuPath) -> usize {
    let managed: BTreeSet<&String> = matched.values().collect();
    let wanted = bp.accounts.values().filter(|a| ou.contains(&a.ou)).count();
    let others = live
        .accounts
        .values()
        .filter(|a| !managed.contains(&a.id) && live.path_of(&a.parent_id).is_some_and(|p| ou.contains(&p)))
        .count();
    wanted + others
}

fn lockouts(
    bp: &Blueprint,
    live: &LiveState,
    matched: &BTreeMap<String, String>,
    changes: &[Change],
    hazards: &mut Vec<Hazard>,
) {
    let delegated: BTreeSet<&String> = bp.organization.delegated_administrators.values().collect();
    for change in changes {
        let Op::AttachPolicy { policy, target } = &change.op else { continue };
        let Some(document) = bp.policies.get(policy).filter(|p| p.policy_type == PolicyType::ServiceControlPolicy)
        else {
            continue;
        };
        if !denies_everything(&document.document) {
            continue;
        }
        let why = match target {
            Target::Root => Some("the root: every account of the organization".to_string()),
            Target::Ou(path) => {
                let holding = bp.accounts.values().filter(|a| path.contains(&a.ou) && delegated.contains(&a.key));
                let admins: Vec<&str> = holding.map(|a| a.key.as_str()).collect();
                let count = accounts_under(bp, live, matched, path);
                if !admins.is_empty() {
                    Some(format!("{path}, which holds the delegated administrator account(s) {}", admins.join(", ")))
                } else if count > 1 {
                    Some(format!("{path}, which holds {count} accounts"))
                } else {
                    None
                }
            }
            Target::Account(_) => None,
        };
        if let Some(why) = why {
            hazards.push(Hazard {
                address: change.address.clone(),
                reason: format!("{policy} denies everything (or all of Organizations or STS) and is attached to {why}"),
            });
        }
    }
}

fn management_account(
    live: &LiveState,
    matched: &BTreeMap<String, String>,
    changes: &[Change],
    hazards: &mut Vec<Hazard>,
) {
    for change in changes {
        let Op::AttachPolicy { target: Target::Account(key), .. } = &change.op else { continue };
        if matched.get(key) == Some(&live.management_account_id) {
            hazards.push(Hazard {
                address: change.address.clone(),
                reason: format!(
                    "{key} is the management account: service control policies never apply to it, so this attachment protects nothing"
                ),
            });
        }
    }
}

/// Accounts where the plan removes every assignment of a permission set with AdministratorAccess.
fn last_administrators(
    bp: &Blueprint,
    live: &LiveState,
    matched: &BTreeMap<String, String>,
    changes: &[Change],
    hazards: &mut Vec<Hazard>,
) {
    let Some(ic) = &live.identity_center else { return };
    let admin = |name: &str| {
        ic.permission_sets.get(name).is_some_and(|ps| ps.managed_policies.contains(ADMINISTRATOR_ACCESS))
            || bp
                .identity_center
                .as_ref()
                .and_then(|b| b.permission_sets.get(name))
                .is_some_and(|ps| ps.managed_policies.contains(ADMINISTRATOR_ACCESS))
    };
    let id_of = |account: &AccountRef| match account {
        AccountRef::Key(key) => matched.get(key).cloned(),
        AccountRef::Id(id) => Some(id.clone()),
    };
    let mut admins: BTreeMap<String, usize> = BTreeMap::new();
    for a in ic.assignments.iter().filter(|a| admin(&a.permission_set)) {
        *admins.entry(a.account_id.clone()).or_default() += 1;
    }
    let mut removed: BTreeMap<String, Vec<&Change>> = BTreeMap::new();
    let mut added: BTreeSet<String> = BTreeSet::new();
    for change in changes {
        match &change.op {
            Op::DeleteAssignment { permission_set, account, .. } if admin(permission_set) => {
                if let Some(id) = id_of(account) {
                    removed.entry(id).or_default().push(change);
                }
            }
            Op::CreateAssignment { permission_set, account, .. } if admin(permission_set) => {
                added.extend(id_of(account));
            }
            _ => {}
        }
    }
    for (account, deletes) in removed {
        if admins.get(&account).copied().unwrap_or(0) <= deletes.len() && !added.contains(&account) {
            let name = live.accounts.get(&account).map_or(account.as_str(), |a| a.name.as_str());
            for change in deletes {
                hazards.push(Hazard {
                    address: change.address.clone(),
                    reason: format!(
                        "it removes the last assignment giving administrator access to {name} ({account}): nobody could then mend the account"
                    ),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests;
