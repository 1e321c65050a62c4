//! What the plan does to accounts' effective management policies (tag, backup, declarative …):
//! for every account, the policies attached along root → OUs → account before and after the
//! plan, merged by AWS's inheritance rules (`crate::effective`); accounts whose effective policy
//! of a type changes alike are grouped. Also what `lzctl effective` shows. Pure.

use crate::blueprint::Blueprint;
use crate::live::LiveState;
use crate::model::{OuPath, PolicyType};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// How an account's effective policy of one type changes; `accounts` are the blueprint's keys,
/// or AWS's names for accounts it does not list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct EffectiveChange {
    pub policy_type: PolicyType,
    pub accounts: Vec<String>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// One place a policy can be attached, from the root down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Level {
    Root,
    Ou(OuPath),
    Account { key: Option<String>, id: Option<String> },
}

/// Where the policies of one level come from.
struct Source<'a> {
    bp: &'a Blueprint,
    live: &'a LiveState,
    live_ous: BTreeMap<OuPath, &'a crate::live::LiveOu>,
    /// Live policies by name, looked up for every level of every account.
    live_policies: BTreeMap<&'a str, &'a crate::live::LivePolicy>,
}

/// A policy's document, or the name of the policy whose document is not known.
type Documents<'a> = Result<Vec<&'a Value>, String>;

impl<'a> Source<'a> {
    fn new(bp: &'a Blueprint, live: &'a LiveState) -> Self {
        // The first by id where AWS holds two of one name (the plan reports those).
        let mut live_policies = BTreeMap::new();
        for p in live.policies.values() {
            live_policies.entry(p.name.as_str()).or_insert(p);
        }
        Source { bp, live, live_ous: live.ous_by_path(), live_policies }
    }

    /// The blueprint's list for a level it manages.
    fn listed(&self, level: &Level) -> Option<&'a [String]> {
        match level {
            Level::Root => self.bp.organization.root_policies.as_deref(),
            Level::Ou(path) => self.bp.ous.get(path).map(|o| o.attachments.policies.as_slice()),
            Level::Account { key: Some(key), .. } => {
                self.bp.accounts.get(key).map(|a| a.attachments.policies.as_slice())
            }
            Level::Account { key: None, .. } => None,
        }
    }

    /// The names attached in AWS now.
    fn attached(&self, level: &Level) -> Vec<String> {
        let id = match level {
            Level::Root => Some(self.live.root.id.as_str()),
            Level::Ou(path) => self.live_ous.get(path).map(|o| o.id.as_str()),
            Level::Account { id, .. } => id.as_deref(),
        };
        id.map(|id| self.live.attached_to(id).map(|p| p.name.clone()).collect()).unwrap_or_default()
    }

    /// The documents of `policy_type` at a level, in the order they merge: the blueprint's
    /// order (the order lzctl attaches them in), then by name for the others.
    fn documents(&self, level: &Level, policy_type: PolicyType, after: bool) -> Documents<'a> {
        let listed = self.listed(level);
        let mut names = match (after, listed) {
            (true, Some(list)) => list.to_vec(),
            _ => self.attached(level),
        };
        let position = |name: &String| listed.and_then(|l| l.iter().position(|n| n == name)).unwrap_or(usize::MAX);
        names.sort_by(|a, b| (position(a), a).cmp(&(position(b), b)));
        let mut documents = Vec::new();
        for name in names {
            let from_blueprint = self.bp.policies.get(&name).filter(|_| after);
            let (found_type, document) = match from_blueprint {
                Some(p) => (p.policy_type, Some(&p.document)),
                None => match self.live_policies.get(name.as_str()) {
                    Some(p) => (p.policy_type, p.document.as_ref()),
                    None => continue,
                },
            };
            if found_type != policy_type {
                continue;
            }
            documents.push(document.ok_or(name)?);
        }
        Ok(documents)
    }

    fn effective(&self, levels: &[Level], policy_type: PolicyType, after: bool) -> Result<Option<Value>, String> {
        let documents = levels.iter().map(|l| self.documents(l, policy_type, after)).collect::<Result<Vec<_>, _>>()?;
        Ok(crate::effective::effective(&documents))
    }
}

/// The levels from the root down to an account under `path`.
pub(crate) fn levels(path: &OuPath, account: Level) -> Vec<Level> {
    let mut levels = vec![Level::Root];
    let mut prefix = OuPath::root();
    for name in path.names() {
        prefix = prefix.child(&name);
        levels.push(Level::Ou(prefix.clone()));
    }
    levels.push(account);
    levels
}

/// The management policy types either side holds.
fn management_types(bp: &Blueprint, live: &LiveState) -> BTreeSet<PolicyType> {
    let from_bp = bp.policies.values().map(|p| p.policy_type);
    let from_live = live.policies.values().map(|p| p.policy_type);
    from_bp.chain(from_live).filter(|t| !t.is_authorization()).collect()
}

/// Every active account's effective management policies that the plan changes, grouped; and
/// a warning per policy whose document was not read, for the accounts it hides.
pub(super) fn changes(
    bp: &Blueprint,
    live: &LiveState,
    matched: &BTreeMap<String, String>,
) -> (Vec<EffectiveChange>, Vec<String>) {
    let types = management_types(bp, live);
    if types.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let source = Source::new(bp, live);
    let key_of: BTreeMap<&String, &String> = matched.iter().map(|(k, id)| (id, k)).collect();
    let mut grouped: BTreeMap<(PolicyType, String, String), EffectiveChange> = BTreeMap::new();
    let mut unread: BTreeMap<(PolicyType, String), usize> = BTreeMap::new();
    for account in live.accounts.values().filter(|a| a.status == "ACTIVE") {
        let Some(now) = live.account_path(&account.id) else { continue };
        let key = key_of.get(&account.id).map(|k| (*k).clone());
        let then = key.as_ref().and_then(|k| bp.accounts.get(k)).map_or_else(|| now.clone(), |a| a.ou.clone());
        let level = || Level::Account { key: key.clone(), id: Some(account.id.clone()) };
        let (before_levels, after_levels) = (levels(&now, level()), levels(&then, level()));
        for &policy_type in &types {
            let before = source.effective(&before_levels, policy_type, false);
            let after = source.effective(&after_levels, policy_type, true);
            let (before, after) = match (before, after) {
                (Ok(before), Ok(after)) => (before, after),
                (Err(name), _) | (_, Err(name)) => {
                    *unread.entry((policy_type, name)).or_default() += 1;
                    continue;
                }
            };
            if before == after {
                continue;
            }
            let label = key.clone().unwrap_or_else(|| account.name.clone());
            let id = (policy_type, canonical(&before), canonical(&after));
            grouped
                .entry(id)
                .or_insert_with(|| EffectiveChange { policy_type, accounts: Vec::new(), before, after })
                .accounts
                .push(label);
        }
    }
    let mut out: Vec<EffectiveChange> = grouped.into_values().collect();
    for change in &mut out {
        change.accounts.sort();
    }
    out.sort_by(|a, b| (a.policy_type, &a.accounts).cmp(&(b.policy_type, &b.accounts)));
    let warnings = unread
        .into_iter()
        .map(|((policy_type, name), count)| {
            format!("the effective {policy_type} of {count} account(s) is not shown: the document of policy {name} was not read")
        })
        .collect();
    (out, warnings)
}

fn canonical(value: &Option<Value>) -> String {
    value.as_ref().map(crate::model::canonical_json).unwrap_or_default()
}

/// The effective policy of `policy_type` the blueprint gives an account — its blueprint `key`,
/// its live `id`, or both — in its OU, with the policies the blueprint attaches; levels the
/// blueprint does not manage count as AWS has them. Err names a policy whose document is not known.
pub(crate) fn of_account(
    bp: &Blueprint,
    live: &LiveState,
    key: Option<&str>,
    id: Option<&str>,
    policy_type: PolicyType,
) -> Result<Option<Value>, String> {
    let source = Source::new(bp, live);
    let key = key.filter(|k| bp.accounts.contains_key(*k));
    let path = key.map(|k| bp.accounts[k].ou.clone()).or_else(|| id.and_then(|id| live.account_path(id)));
    let Some(path) = path else { return Ok(None) };
    let levels = levels(&path, Level::Account { key: key.map(str::to_string), id: id.map(str::to_string) });
    source.effective(&levels, policy_type, true)
}

#[cfg(test)]
mod tests;
