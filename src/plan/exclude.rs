//! `--exclude ADDRESS` (as OpenTofu's `-exclude`): changes whose address matches a pattern (`*`
//! matches any text) are left out of the plan, and so is every change that needs one of them
//! (an attachment of a policy left out, a policy of a type not enabled, an account's move into
//! an OU not created …). What was left out, and why, is part of the plan. Pure.

use super::{AccountRef, Change, Excluded, Op, Plan};
use crate::model::{PolicyType, Target};

/// Whether `address` matches `pattern`, where `*` matches any text (also none).
pub(crate) fn matches(pattern: &str, address: &str) -> bool {
    let Some((first, rest)) = pattern.split_once('*') else { return pattern == address };
    let Some(mut left) = address.strip_prefix(first) else { return false };
    let parts: Vec<&str> = rest.split('*').collect();
    let (last, middle) = parts.split_last().expect("split yields at least one part");
    for part in middle {
        match left.find(part) {
            Some(at) => left = &left[at + part.len()..],
            None => return false,
        }
    }
    left.len() >= last.len() && left.ends_with(last)
}

/// What a change makes that others may need: `(what, name)`.
fn makes(op: &Op) -> Option<(&'static str, String)> {
    Some(match op {
        Op::EnablePolicyType { policy_type } => ("policy_type", policy_type.as_str().to_string()),
        Op::CreateOu { path, .. } | Op::RenameOu { path, .. } => ("ou", path.to_string()),
        Op::CreatePolicy { name, .. } => ("policy", name.clone()),
        Op::CreateAccount { key, .. } | Op::InviteAccount { key, .. } => ("account", key.clone()),
        Op::CreatePermissionSet { spec } => ("permission_set", spec.name.clone()),
        Op::CreateStackSet { spec } => ("stack_set", spec.name.clone()),
        Op::EnableServiceAccess { service } => ("trusted_service", service.clone()),
        _ => return None,
    })
}

fn target_needs(target: &Target) -> Option<(&'static str, String)> {
    match target {
        Target::Root => None,
        Target::Ou(path) => Some(("ou", path.to_string())),
        Target::Account(key) => Some(("account", key.clone())),
    }
}

fn account_needs(account: &AccountRef) -> Option<(&'static str, String)> {
    match account {
        AccountRef::Key(key) => Some(("account", key.clone())),
        AccountRef::Id(_) => None,
    }
}

/// What a change needs made before it; `policy_type_of` names a policy's type.
fn needs(op: &Op, policy_type_of: &dyn Fn(&str) -> Option<PolicyType>) -> Vec<(&'static str, String)> {
    let mut out: Vec<Option<(&'static str, String)>> = Vec::new();
    match op {
        Op::CreateOu { parent, .. } => out.push(Some(("ou", parent.to_string()))),
        Op::CreatePolicy { policy_type, .. } => out.push(Some(("policy_type", policy_type.as_str().to_string()))),
        Op::MoveAccount { key, to, .. } => {
            out.push(Some(("account", key.clone())));
            out.push(Some(("ou", to.to_string())));
        }
        Op::SetTags { target, .. } => out.push(target_needs(target)),
        Op::CloseAccount { key, .. } => out.push(Some(("account", key.clone()))),
        Op::AttachPolicy { policy, target } => {
            out.push(Some(("policy", policy.clone())));
            out.push(policy_type_of(policy).map(|t| ("policy_type", t.as_str().to_string())));
            out.push(target_needs(target));
        }
        Op::CreateAssignment { permission_set, account, .. } => {
            out.push(Some(("permission_set", permission_set.clone())));
            out.push(account_needs(account));
        }
        Op::RegisterDelegatedAdministrator { service, account } => {
            out.push(Some(("trusted_service", service.clone())));
            out.push(account_needs(account));
        }
        Op::CreateStackInstances { stack_set, .. } => out.push(Some(("stack_set", stack_set.clone()))),
        Op::SetRootFeature { enabled: true, .. } => {
            out.push(Some(("trusted_service", crate::model::IAM_SERVICE.to_string())));
        }
        _ => {}
    }
    out.into_iter().flatten().collect()
}

/// The plan without the changes `patterns` match and those that need them; each left out is
/// listed with why, and a pattern that matches nothing is a warning.
/// `policy_type_of` names a policy's type where the blueprint knows it.
pub(crate) fn exclude(
    mut plan: Plan,
    patterns: &[String],
    policy_type_of: &dyn Fn(&str) -> Option<PolicyType>,
) -> Plan {
    if patterns.is_empty() {
        return plan;
    }
    let mut out: Vec<Option<String>> = plan
        .changes
        .iter()
        .map(|c| patterns.iter().find(|p| matches(p, &c.address)).map(|p| format!("matches --exclude {p}")))
        .collect();
    // Until nothing more is left out: whatever needs what is left out is left out too.
    loop {
        let missing: Vec<((&'static str, String), &str)> = plan
            .changes
            .iter()
            .zip(&out)
            .filter(|(_, why)| why.is_some())
            .filter_map(|(c, _)| makes(&c.op).map(|m| (m, c.address.as_str())))
            .collect();
        let mut grew = false;
        for (change, why) in plan.changes.iter().zip(out.iter_mut()).filter(|(_, why)| why.is_none()) {
            let needed = needs(&change.op, policy_type_of);
            if let Some((_, address)) = missing.iter().find(|(made, _)| needed.contains(made)) {
                *why = Some(format!("needs {address}, left out"));
                grew = true;
            }
        }
        if !grew {
            break;
        }
    }
    for pattern in patterns.iter().filter(|p| !plan.changes.iter().any(|c| matches(p, &c.address))) {
        plan.warnings.push(format!("--exclude {pattern} matches no change"));
    }
    let mut kept = Vec::new();
    let mut excluded_types = Vec::new();
    for (change, why) in std::mem::take(&mut plan.changes).into_iter().zip(out) {
        match why {
            None => kept.push(change),
            Some(why) => {
                excluded_types.extend(type_of(&change, policy_type_of));
                plan.excluded.push(Excluded { address: change.address, reason: why });
            }
        }
    }
    plan.changes = kept;
    let left_out = |address: &String| plan.excluded.iter().any(|e| &e.address == address);
    plan.hazards.retain(|h| !left_out(&h.address));
    // What the effective policies of a type do depends on every change of the type.
    plan.effective.retain(|e| !excluded_types.contains(&e.policy_type));
    plan
}

/// The policy type a change is about, where it is about one.
fn type_of(change: &Change, created_type: &dyn Fn(&str) -> Option<PolicyType>) -> Option<PolicyType> {
    match &change.op {
        Op::EnablePolicyType { policy_type } | Op::CreatePolicy { policy_type, .. } => Some(*policy_type),
        Op::AttachPolicy { policy, .. } | Op::DetachPolicy { policy, .. } => created_type(policy),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
