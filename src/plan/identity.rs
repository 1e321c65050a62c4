//! Planning IAM Identity Center: permission sets compared attribute by attribute, and the
//! assignments of managed permission sets made exactly what the blueprint lists, with OU targets
//! expanded to every account under the OU once the plan's moves are done. Pure.

use super::{AccountRef, Change, Op, PermissionSetChange, PermissionSetSpec, PlanOptions, Unmanaged};
use crate::blueprint::{Blueprint, IdentityCenter, PermissionSet};
use crate::live::{LiveAssignment, LiveIdentityCenter, LivePermissionSet, LiveState, Readable};
use crate::model::{Action, Kind, OuPath, Principal, PrincipalId, minified, normalize_policy};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// A name in an assignment that the identity store does not know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unresolved {
    pub place: String,
    pub principal: Principal,
    pub permission_set: String,
    /// The identity store's nearest name of the same kind, where one is close.
    pub near: Option<String>,
}

/// One assignment the blueprint wants.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Wanted {
    permission_set: String,
    principal: Principal,
    account: AccountRef,
}

/// Every account an assignment reaches: its named accounts and every account under its OUs,
/// where accounts will be once the plan has moved them, less those it excludes. Unmanaged
/// accounts count where they are; the management account is reached only where the blueprint
/// lists it (or names it in `accounts:`).
fn expand(
    bp: &Blueprint,
    live: &LiveState,
    matched: &BTreeMap<String, String>,
    assignment: &crate::blueprint::Assignment,
) -> BTreeSet<AccountRef> {
    let (accounts, ous) = (&assignment.accounts, &assignment.ous);
    let under = |path: &OuPath| ous.iter().any(|ou| ou.contains(path));
    // A name in `accounts:` is a blueprint key, or else the id of an account it does not manage.
    let mut reached: BTreeSet<AccountRef> = accounts
        .iter()
        .map(|k| if bp.accounts.contains_key(k) { AccountRef::Key(k.clone()) } else { AccountRef::Id(k.clone()) })
        .collect();
    for (key, account) in &bp.accounts {
        if under(&account.ou) {
            reached.insert(AccountRef::Key(key.clone()));
        }
    }
    let managed: BTreeSet<&String> = matched.values().collect();
    for account in live.accounts.values() {
        if managed.contains(&account.id) || account.status != "ACTIVE" || account.id == live.management_account_id {
            continue;
        }
        if live.path_of(&account.parent_id).is_some_and(|path| under(&path)) {
            reached.insert(AccountRef::Id(account.id.clone()));
        }
    }
    let excluded = |r: &AccountRef| match r {
        AccountRef::Key(key) => {
            assignment.exclude_accounts.contains(key)
                || matched.get(key).is_some_and(|id| assignment.exclude_accounts.contains(id))
        }
        AccountRef::Id(id) => assignment.exclude_accounts.contains(id),
    };
    reached.retain(|r| !excluded(r));
    reached
}

fn wanted(
    bp: &Blueprint,
    ic: &IdentityCenter,
    live: &LiveState,
    matched: &BTreeMap<String, String>,
) -> BTreeSet<Wanted> {
    let mut all = BTreeSet::new();
    for a in &ic.assignments {
        for account in expand(bp, live, matched, a) {
            all.insert(Wanted { permission_set: a.permission_set.clone(), principal: a.principal.clone(), account });
        }
    }
    all
}

/// What the blueprint assigns, as (permission set, principal, account id), among accounts that
/// exist: the inventory's `managed` column.
pub(crate) fn desired_assignments(bp: &Blueprint, live: &LiveState) -> BTreeSet<(String, Principal, String)> {
    let Some(ic) = &bp.identity_center else { return BTreeSet::new() };
    let matched = crate::plan::matched_accounts(bp, live);
    wanted(bp, ic, live, &matched)
        .into_iter()
        .filter_map(|w| {
            let id = match w.account {
                AccountRef::Key(key) => matched.get(&key)?.clone(),
                AccountRef::Id(id) => id,
            };
            Some((w.permission_set, w.principal, id))
        })
        .collect()
}

/// The (permission set, account id) pairs the blueprint wants among accounts that exist: what
/// reading assignments per pair would have to cover.
pub(crate) fn desired_pairs(bp: &Blueprint, live: &LiveState) -> BTreeSet<(String, String)> {
    desired_assignments(bp, live).into_iter().map(|(permission_set, _, account)| (permission_set, account)).collect()
}

pub(super) struct IdentityPlan {
    pub changes: Vec<Change>,
    pub unmanaged: Vec<Unmanaged>,
    pub warnings: Vec<String>,
    pub unresolved: Vec<Unresolved>,
}

pub(super) fn plan(
    bp: &Blueprint,
    live: &LiveState,
    matched: &BTreeMap<String, String>,
    options: &PlanOptions,
) -> IdentityPlan {
    let mut out =
        IdentityPlan { changes: Vec::new(), unmanaged: Vec::new(), warnings: Vec::new(), unresolved: Vec::new() };
    let (Some(ic), Some(lic)) = (&bp.identity_center, &live.identity_center) else {
        return out;
    };
    for (name, ps) in &ic.permission_sets {
        match lic.permission_sets.get(name) {
            None => out.changes.push(create_permission_set(ps)),
            Some(existing) => {
                let assigned = lic.assignments.iter().any(|a| &a.permission_set == name);
                if let Some(change) = update_permission_set(ps, existing, assigned, &mut out.warnings) {
                    out.changes.push(change);
                }
            }
        }
    }
    for (name, ps) in &lic.permission_sets {
        if ic.permission_sets.contains_key(name) {
            continue;
        }
        let address = format!("permission_set.{name}");
        // AWS provisions a set to the account of each of its assignments.
        let mut provisioned: BTreeSet<&String> = ps.provisioned_accounts.iter().collect();
        provisioned.extend(lic.assignments.iter().filter(|a| &a.permission_set == name).map(|a| &a.account_id));
        let provisioned_nowhere = provisioned.is_empty();
        if options.prune && provisioned_nowhere {
            out.changes.push(Change {
                address,
                kind: Kind::PermissionSet,
                action: Action::Delete,
                before: Some(lost(ps)),
                after: None,
                reason: "not in the blueprint and provisioned nowhere (--prune)".into(),
                op: Op::DeletePermissionSet { name: name.clone(), arn: ps.arn.clone() },
            });
        } else {
            let note = if provisioned_nowhere {
                "not in the blueprint; provisioned nowhere, --prune deletes it".to_string()
            } else {
                format!("not in the blueprint; provisioned to {} account(s), kept", provisioned.len())
            };
            out.unmanaged.push(Unmanaged { address, kind: Kind::PermissionSet, note });
        }
    }
    assignments(bp, ic, live, lic, matched, &mut out);
    out
}

/// What deleting a permission set loses, as far as lzctl reads a permission set the blueprint
/// does not manage (its policies are not read).
fn lost(ps: &LivePermissionSet) -> Value {
    json!({
        "name": ps.name,
        "description": ps.description,
        "session_duration": ps.session_duration,
        "relay_state": ps.relay_state,
    })
}

fn spec_of(ps: &PermissionSet) -> PermissionSetSpec {
    PermissionSetSpec {
        name: ps.name.clone(),
        description: ps.description.clone(),
        session_duration: ps.session_duration.clone(),
        relay_state: ps.relay_state.clone(),
        managed_policies: ps.managed_policies.clone(),
        customer_managed_policies: ps.customer_managed_policies.clone(),
        inline_policy: ps.inline_policy.as_ref().map(minified),
        permissions_boundary: ps.permissions_boundary.clone(),
        tags: ps.tags.clone(),
    }
}

fn create_permission_set(ps: &PermissionSet) -> Change {
    let spec = spec_of(ps);
    Change {
        address: format!("permission_set.{}", ps.name),
        kind: Kind::PermissionSet,
        action: Action::Create,
        before: None,
        after: Some(json!({
            "name": ps.name,
            "description": ps.description,
            "session_duration": ps.session_duration,
            "relay_state": ps.relay_state,
            "managed_policies": ps.managed_policies,
            "customer_managed_policies": ps.customer_managed_policies,
            "inline_policy": ps.inline_policy,
            "permissions_boundary": ps.permissions_boundary,
            "tags": ps.tags,
        })),
        reason: format!("permission set {} does not exist", ps.name),
        op: Op::CreatePermissionSet { spec },
    }
}

fn update_permission_set(
    ps: &PermissionSet,
    live: &LivePermissionSet,
    assigned: bool,
    warnings: &mut Vec<String>,
) -> Option<Change> {
    let mut change = PermissionSetChange::default();
    let (mut before, mut after) = (json!({}), json!({}));
    let mut what = Vec::new();
    let mut differs = |key: &str, b: Value, a: Value, what: &mut Vec<String>| {
        before[key] = b;
        after[key] = a;
        what.push(key.replace('_', " "));
    };

    let description_differs = live.description.as_deref().unwrap_or("") != ps.description.as_deref().unwrap_or("");
    let session_differs = live.session_duration.as_deref() != Some(ps.session_duration.as_str());
    let relay_differs = live.relay_state.as_deref().unwrap_or("") != ps.relay_state.as_deref().unwrap_or("");
    if description_differs {
        differs("description", json!(live.description), json!(ps.description), &mut what);
    }
    if session_differs {
        differs("session_duration", json!(live.session_duration), json!(ps.session_duration), &mut what);
    }
    if relay_differs {
        differs("relay_state", json!(live.relay_state), json!(ps.relay_state), &mut what);
    }
    if description_differs || session_differs || relay_differs {
        change.attributes = Some((ps.description.clone(), ps.session_duration.clone(), ps.relay_state.clone()));
    }
    if live.managed_policies != ps.managed_policies {
        change.attach_managed = ps.managed_policies.difference(&live.managed_policies).cloned().collect();
        change.detach_managed = live.managed_policies.difference(&ps.managed_policies).cloned().collect();
        differs("managed_policies", json!(live.managed_policies), json!(ps.managed_policies), &mut what);
    }
    if live.customer_managed_policies != ps.customer_managed_policies {
        change.attach_customer_managed =
            ps.customer_managed_policies.difference(&live.customer_managed_policies).cloned().collect();
        change.detach_customer_managed =
            live.customer_managed_policies.difference(&ps.customer_managed_policies).cloned().collect();
        differs(
            "customer_managed_policies",
            json!(live.customer_managed_policies),
            json!(ps.customer_managed_policies),
            &mut what,
        );
    }
    if live.inline_policy.as_ref().map(normalize_policy) != ps.inline_policy.as_ref().map(normalize_policy) {
        change.inline_policy = Some(ps.inline_policy.as_ref().map(minified));
        differs("inline_policy", json!(live.inline_policy), json!(ps.inline_policy), &mut what);
    }
    match &live.permissions_boundary {
        Readable::Known(boundary) if boundary != &ps.permissions_boundary => {
            change.permissions_boundary = Some(ps.permissions_boundary.clone());
            differs("permissions_boundary", json!(boundary), json!(ps.permissions_boundary), &mut what);
        }
        Readable::Unknown(why) if ps.permissions_boundary.is_some() => {
            warnings.push(format!(
                "permission set {}: its permissions boundary could not be read ({why}); it is not compared",
                ps.name
            ));
        }
        _ => {}
    }
    match &live.tags {
        Readable::Known(tags) if tags != &ps.tags => {
            change.set_tags =
                ps.tags.iter().filter(|(k, v)| tags.get(*k) != Some(*v)).map(|(k, v)| (k.clone(), v.clone())).collect();
            change.remove_tags = tags.keys().filter(|k| !ps.tags.contains_key(*k)).cloned().collect();
            differs("tags", json!(tags), json!(ps.tags), &mut what);
        }
        Readable::Unknown(why) if !ps.tags.is_empty() => {
            warnings
                .push(format!("permission set {}: its tags could not be read ({why}); they are not compared", ps.name));
        }
        _ => {}
    }
    if what.is_empty() {
        return None;
    }
    // Attribute and policy changes reach accounts only once provisioned again.
    let provisioned = !live.provisioned_accounts.is_empty() || assigned;
    let policy_changed = change
        != PermissionSetChange {
            set_tags: change.set_tags.clone(),
            remove_tags: change.remove_tags.clone(),
            ..Default::default()
        };
    let reprovision = provisioned && policy_changed;
    let mut reason = format!("{} differ{}", what.join(", "), if what.len() == 1 { "s" } else { "" });
    if reprovision {
        reason.push_str("; then provisioned again to every account it is provisioned to");
        after["reprovision"] = json!(true);
    }
    Some(Change {
        address: format!("permission_set.{}", ps.name),
        kind: Kind::PermissionSet,
        action: Action::Update,
        before: Some(before),
        after: Some(after),
        reason,
        op: Op::UpdatePermissionSet { name: ps.name.clone(), arn: live.arn.clone(), change, reprovision },
    })
}

/// An account as a person reads it: its blueprint key or live name, and its id.
fn account_label(live: &LiveState, matched: &BTreeMap<String, String>, account: &AccountRef) -> (String, String) {
    match account {
        AccountRef::Key(key) => {
            (key.clone(), matched.get(key).cloned().unwrap_or_else(|| "created by this plan".into()))
        }
        AccountRef::Id(id) => {
            let name = live.accounts.get(id).map_or_else(|| id.clone(), |a| a.name.clone());
            (name, id.clone())
        }
    }
}

fn assignments(
    bp: &Blueprint,
    ic: &IdentityCenter,
    live: &LiveState,
    lic: &LiveIdentityCenter,
    matched: &BTreeMap<String, String>,
    out: &mut IdentityPlan,
) {
    let mut reported = BTreeSet::new();
    for a in &ic.assignments {
        if !lic.principals.contains_key(&a.principal) && reported.insert(a.principal.clone()) {
            let same_kind = lic.principals.keys().filter(|p| p.kind() == a.principal.kind()).map(Principal::name);
            out.unresolved.push(Unresolved {
                place: a.place.clone(),
                principal: a.principal.clone(),
                permission_set: a.permission_set.clone(),
                near: crate::model::closest(a.principal.name(), same_kind).map(str::to_string),
            });
        }
    }
    if !out.unresolved.is_empty() {
        return;
    }
    let id_of = |account: &AccountRef| match account {
        AccountRef::Key(key) => matched.get(key).cloned(),
        AccountRef::Id(id) => Some(id.clone()),
    };
    let key_of_id: BTreeMap<&String, &String> = matched.iter().map(|(k, id)| (id, k)).collect();
    let wanted = wanted(bp, ic, live, matched);
    let mut wanted_live: BTreeSet<LiveAssignment> = BTreeSet::new();
    for w in &wanted {
        // An invited account gets its assignments once it has joined.
        if let AccountRef::Key(key) = &w.account
            && !matched.contains_key(key)
            && bp.accounts.get(key).is_some_and(|a| a.invite)
        {
            continue;
        }
        let principal = PrincipalId { kind: w.principal.kind(), id: lic.principals[&w.principal].clone() };
        let exists = id_of(&w.account).map(|account_id| LiveAssignment {
            permission_set: w.permission_set.clone(),
            account_id,
            principal: principal.clone(),
        });
        if let Some(existing) = &exists {
            wanted_live.insert(existing.clone());
            if lic.assignments.contains(existing) {
                continue;
            }
        }
        let (label, id) = account_label(live, matched, &w.account);
        out.changes.push(Change {
            address: assignment_address(&w.permission_set, &w.principal, &label),
            kind: Kind::Assignment,
            action: Action::Create,
            before: None,
            after: Some(json!({"permission_set": w.permission_set, "principal_type": principal.kind, "principal": w.principal.name(), "account": label, "account_id": id})),
            reason: format!("the blueprint gives {} {} in {label} ({id})", w.principal, w.permission_set),
            op: Op::CreateAssignment { permission_set: w.permission_set.clone(), principal, account: w.account.clone() },
        });
    }
    for existing in &lic.assignments {
        if wanted_live.contains(existing) {
            continue;
        }
        let principal = lic
            .principal_names
            .get(&existing.principal.id)
            .cloned()
            .unwrap_or_else(|| Principal::unnamed(&existing.principal));
        let account = match key_of_id.get(&existing.account_id) {
            Some(key) => AccountRef::Key((*key).clone()),
            None => AccountRef::Id(existing.account_id.clone()),
        };
        let (label, id) = account_label(live, matched, &account);
        if !ic.permission_sets.contains_key(&existing.permission_set) {
            // Access the blueprint does not manage: shown, so that access made by hand is seen.
            out.unmanaged.push(Unmanaged {
                address: assignment_address(&existing.permission_set, &principal, &label),
                kind: Kind::Assignment,
                note: format!(
                    "{principal} has {} in {label} ({id}); the permission set is not in the blueprint, so this access is kept",
                    existing.permission_set
                ),
            });
            continue;
        }
        out.changes.push(Change {
            address: assignment_address(&existing.permission_set, &principal, &label),
            kind: Kind::Assignment,
            action: Action::Delete,
            before: Some(json!({"permission_set": existing.permission_set, "principal_type": existing.principal.kind, "principal": principal.name(), "account": label, "account_id": id})),
            after: None,
            reason: format!("{principal} has {} in {label} ({id}), which the blueprint does not list (made by hand?); the permission set is managed, so its assignments are exact", existing.permission_set),
            op: Op::DeleteAssignment { permission_set: existing.permission_set.clone(), principal: existing.principal.clone(), account: AccountRef::Id(existing.account_id.clone()) },
        });
    }
}

fn assignment_address(permission_set: &str, principal: &Principal, account: &str) -> String {
    let kind = match principal {
        Principal::Group(_) => "group",
        Principal::User(_) => "user",
    };
    format!("assignment.{permission_set}/{kind}:{}/{account}", principal.name())
}

#[cfg(test)]
mod tests;
