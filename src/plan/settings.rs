//! Planning organization settings: trusted service access, delegated administrators,
//! centralized root access, the approval rule. Listed ones are made exact; others are
//! reported, and removed only with `--prune`. Pure.

use super::{AccountRef, Change, Op, PlanOptions, Unmanaged};
use crate::approvals::{ApprovalRule, TAG_REQUIRED, TAG_SIGNER_PREFIX};
use crate::blueprint::Blueprint;
use crate::live::LiveState;
use crate::model::{Action, Kind};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};

pub(super) struct SettingsPlan {
    pub changes: Vec<Change>,
    pub unmanaged: Vec<Unmanaged>,
    pub warnings: Vec<String>,
}

fn change(address: String, action: Action, value: serde_json::Value, reason: String, op: Op) -> Change {
    let (before, after) = if action == Action::Delete { (Some(value), None) } else { (None, Some(value)) };
    Change { address, kind: Kind::OrganizationSetting, action, before, after, reason, op }
}

pub(super) fn plan(
    bp: &Blueprint,
    live: &LiveState,
    matched: &BTreeMap<String, String>,
    options: &PlanOptions,
) -> SettingsPlan {
    let mut out = SettingsPlan { changes: Vec::new(), unmanaged: Vec::new(), warnings: Vec::new() };
    if let (Some(wanted), Some(enabled)) = (&bp.organization.trusted_services, &live.trusted_services) {
        for service in wanted.difference(enabled) {
            out.changes.push(change(
                format!("organization_setting.trusted_service/{service}"),
                Action::Create,
                json!({"trusted_service": service}),
                format!("give {service} trusted access to the organization"),
                Op::EnableServiceAccess { service: service.clone() },
            ));
        }
        for service in enabled.difference(wanted) {
            let address = format!("organization_setting.trusted_service/{service}");
            if options.prune {
                out.changes.push(change(
                    address,
                    Action::Delete,
                    json!({"trusted_service": service}),
                    "trusted access not in the blueprint (--prune)".into(),
                    Op::DisableServiceAccess { service: service.clone() },
                ));
            } else {
                let note = "trusted access not in organization.trusted_services; --prune disables it".to_string();
                out.unmanaged.push(Unmanaged { address, kind: Kind::OrganizationSetting, note });
            }
        }
    }
    root_access(bp, live, &mut out);
    approval_rule(bp, live, &mut out);
    match crate::lock::recorded(&live.root.tags) {
        Ok(Some(lock)) => out.warnings.push(format!(
            "the organization's apply lock is {}: an apply is running (or died: `lzctl unlock`)",
            lock.describe()
        )),
        Err(raw) => out.warnings.push(format!("the organization's apply lock is unreadable ({raw:?}): `lzctl unlock`")),
        Ok(None) => {}
    }
    let (wanted, Some(registered)) = (&bp.organization.delegated_administrators, &live.delegated_administrators) else {
        return out;
    };
    let key_of: BTreeMap<&String, &String> = matched.iter().map(|(k, id)| (id, k)).collect();
    let label = |id: &String| key_of.get(id).map_or_else(|| id.clone(), |k| (*k).clone());
    for (service, key) in wanted {
        let current = registered.get(service).cloned().unwrap_or_default();
        let id = matched.get(key);
        if id.is_none_or(|id| !current.contains(id)) {
            out.changes.push(change(
                format!("organization_setting.delegated_administrator/{service}/{key}"),
                Action::Create,
                json!({"service": service, "account": key}),
                format!("register {key} as delegated administrator for {service}"),
                Op::RegisterDelegatedAdministrator { service: service.clone(), account: AccountRef::Key(key.clone()) },
            ));
        }
        for other in current.iter().filter(|other| Some(*other) != id) {
            out.changes.push(change(
                format!("organization_setting.delegated_administrator/{service}/{}", label(other)),
                Action::Delete,
                json!({"service": service, "account": label(other)}),
                format!("the blueprint makes {key} the delegated administrator for {service}"),
                Op::DeregisterDelegatedAdministrator {
                    service: service.clone(),
                    account: AccountRef::Id(other.clone()),
                },
            ));
        }
    }
    for (service, accounts) in registered.iter().filter(|(s, _)| !wanted.contains_key(*s)) {
        for account in accounts {
            let address = format!("organization_setting.delegated_administrator/{service}/{}", label(account));
            if options.prune {
                out.changes.push(change(
                    address,
                    Action::Delete,
                    json!({"service": service, "account": label(account)}),
                    "delegated administrator not in the blueprint (--prune)".into(),
                    Op::DeregisterDelegatedAdministrator {
                        service: service.clone(),
                        account: AccountRef::Id(account.clone()),
                    },
                ));
            } else {
                let note = "not in organization.delegated_administrators; --prune deregisters it".to_string();
                out.unmanaged.push(Unmanaged { address, kind: Kind::OrganizationSetting, note });
            }
        }
    }
    out
}

/// Centralized root access: each feature the blueprint names switched on or off as it says.
fn root_access(bp: &Blueprint, live: &LiveState, out: &mut SettingsPlan) {
    let Some(enabled) = &live.root_features else { return };
    for (&feature, &wanted) in &bp.organization.root_access {
        if enabled.contains(&feature) == wanted {
            continue;
        }
        let address = format!("organization_setting.root_access/{}", feature.key());
        let value = json!({"root_access": feature.key(), "enabled": true});
        let (action, reason) = if wanted {
            (Action::Create, format!("switch on centralized {}", feature.describe()))
        } else {
            (Action::Delete, format!("switch off centralized {}", feature.describe()))
        };
        out.changes.push(change(address, action, value, reason, Op::SetRootFeature { feature, enabled: wanted }));
    }
}

/// The rule as the plan shows it: the count, and each signer's key and principals.
fn rule_value(rule: &ApprovalRule) -> serde_json::Value {
    let signers: Vec<serde_json::Value> =
        rule.signers.iter().map(|(key, principals)| json!({"key": key, "principals": principals})).collect();
    json!({"required": rule.required, "signers": signers})
}

/// The approval rule the blueprint wants, recorded in the root's tags where it differs from the
/// rule in force. (Whoever applies this plan does so under the rule in force, not this one.)
fn approval_rule(bp: &Blueprint, live: &LiveState, out: &mut SettingsPlan) {
    let wanted = bp.approval_rule();
    let in_force = match ApprovalRule::from_tags(&live.root.tags) {
        Ok(rule) => rule,
        Err(why) => {
            out.warnings.push(format!(
                "the approval rule recorded on the root cannot be read ({why}): no saved plan is applied until it is mended"
            ));
            return;
        }
    };
    if wanted == in_force {
        return;
    }
    let ours = |k: &String| k.starts_with(TAG_SIGNER_PREFIX) || k == TAG_REQUIRED;
    let wanted_tags = wanted.as_ref().map(ApprovalRule::to_tags).unwrap_or_default();
    let set: BTreeMap<String, String> = wanted_tags
        .iter()
        .filter(|(k, v)| live.root.tags.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let remove: BTreeSet<String> =
        live.root.tags.keys().filter(|k| ours(k) && !wanted_tags.contains_key(*k)).cloned().collect();
    let (action, reason) = match (&in_force, &wanted) {
        (None, Some(rule)) => (
            Action::Create,
            format!(
                "record the approval rule in the organization: {} approval(s) from {} allowed signer(s); every later saved plan is approved under it",
                rule.required,
                rule.signers.len()
            ),
        ),
        (Some(_), None) => (
            Action::Delete,
            "the blueprint has no approvals block: the rule in force is removed (under that rule)".into(),
        ),
        _ => (Action::Update, "the approval rule changes; this plan itself is approved under the rule in force".into()),
    };
    out.changes.push(Change {
        address: "organization_setting.approval_rule".into(),
        kind: Kind::OrganizationSetting,
        action,
        before: in_force.as_ref().map(rule_value),
        after: wanted.as_ref().map(rule_value),
        reason,
        op: Op::SetApprovalRule { set, remove },
    });
}
