//! Planning CloudFormation stack sets: the stack set itself (a template compares after
//! normalizing its format), and its instances as (OU, region) targets, adding and removing
//! exactly the difference. Fields the service does not report are not compared. Pure.

use super::{AccountRef, Change, Op, PlanOptions, StackSetSpec, Unmanaged};
use crate::blueprint::{Blueprint, StackSet};
use crate::live::{LiveStackSet, LiveState};
use crate::model::{Action, Kind, OuPath};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};

pub(super) struct StackSetsPlan {
    pub changes: Vec<Change>,
    pub unmanaged: Vec<Unmanaged>,
    pub warnings: Vec<String>,
}

/// A template in a canonical form: parsed (JSON or YAML) and printed with sorted keys, or, where
/// it does not parse (short-form intrinsic tags), its lines without trailing spaces and blanks.
pub(super) fn normalize_template(text: &str) -> String {
    let parsed: Option<serde_json::Value> =
        serde_json::from_str(text).ok().or_else(|| serde_saphyr::from_str::<serde_json::Value>(text).ok());
    match parsed {
        Some(value) if value.is_object() => crate::model::canonical_json(&value),
        _ => text.lines().map(str::trim_end).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("\n"),
    }
}

/// What a template holds, for a reviewer: its description, its parameters, its resources
/// by type, and its size. JSON and YAML alike; YAML with CloudFormation's short-form tags is
/// read line by line.
pub(crate) fn template_summary(text: &str) -> serde_json::Value {
    let mut resources: BTreeMap<String, usize> = BTreeMap::new();
    let mut parameters: Vec<String> = Vec::new();
    let mut description = None;
    let parsed: Option<serde_json::Value> =
        serde_json::from_str(text).ok().or_else(|| serde_saphyr::from_str::<serde_json::Value>(text).ok());
    match parsed.as_ref().and_then(serde_json::Value::as_object) {
        Some(template) => {
            for resource in template.get("Resources").and_then(|r| r.as_object()).into_iter().flat_map(|r| r.values()) {
                let kind = resource.get("Type").and_then(|t| t.as_str()).unwrap_or("?");
                *resources.entry(kind.to_string()).or_default() += 1;
            }
            parameters.extend(
                template.get("Parameters").and_then(|p| p.as_object()).into_iter().flat_map(|p| p.keys().cloned()),
            );
            description = template.get("Description").and_then(|d| d.as_str()).map(|d| d.trim().to_string());
        }
        None => {
            let mut section = "";
            for line in text.lines() {
                let indent = line.len() - line.trim_start().len();
                let trimmed = line.trim();
                if indent == 0 && !trimmed.is_empty() && !trimmed.starts_with('#') {
                    section = trimmed.split(':').next().unwrap_or_default();
                } else if indent == 2 && section == "Parameters" && trimmed.ends_with(':') {
                    parameters.push(trimmed.trim_end_matches(':').to_string());
                } else if section == "Resources"
                    && let Some(kind) = trimmed.strip_prefix("Type:")
                {
                    let kind = kind.trim().trim_matches(['"', '\'']);
                    *resources.entry(kind.to_string()).or_default() += 1;
                }
            }
        }
    }
    json!({
        "description": description,
        "parameters": parameters,
        "resources": resources,
        "lines": text.lines().count(),
    })
}

fn spec_of(ss: &StackSet) -> StackSetSpec {
    StackSetSpec {
        name: ss.name.clone(),
        template_body: ss.template_body.clone(),
        description: ss.description.clone(),
        permission_model: ss.permission_model.clone(),
        capabilities: ss.capabilities.clone(),
        parameters: ss.parameters.clone(),
        auto_deployment: ss.auto_deployment.as_ref().map(|a| (a.enabled, a.retain_stacks_on_account_removal)),
        preferences: ss.operation_preferences.clone(),
    }
}

/// Whether any account sits under an OU path once the plan's moves are done.
fn has_accounts(bp: &Blueprint, live: &LiveState, matched: &BTreeMap<String, String>, path: &OuPath) -> bool {
    let under = |p: &OuPath| path.contains(p);
    if bp.accounts.values().any(|a| under(&a.ou)) {
        return true;
    }
    let managed: BTreeSet<&String> = matched.values().collect();
    live.accounts.values().any(|a| {
        !managed.contains(&a.id) && a.status == "ACTIVE" && live.path_of(&a.parent_id).is_some_and(|p| under(&p))
    })
}

pub(super) fn plan(
    bp: &Blueprint,
    live: &LiveState,
    matched: &BTreeMap<String, String>,
    options: &PlanOptions,
) -> StackSetsPlan {
    let mut out = StackSetsPlan { changes: Vec::new(), unmanaged: Vec::new(), warnings: Vec::new() };
    let Some(live_sets) = &live.stack_sets else { return out };
    let mut ou_ids: BTreeMap<OuPath, String> = live.ous_by_path().into_iter().map(|(p, o)| (p, o.id.clone())).collect();
    ou_ids.insert(OuPath::root(), live.root.id.clone());
    for (name, ss) in &bp.stack_sets {
        let spec = spec_of(ss);
        let existing = live_sets.get(name);
        match existing {
            None => out.changes.push(Change {
                address: format!("stack_set.{name}"),
                kind: Kind::StackSet,
                action: Action::Create,
                before: None,
                after: Some(json!({
                    "name": name, "description": ss.description, "permission_model": ss.permission_model,
                    "capabilities": ss.capabilities, "parameters": ss.parameters,
                    // As the blueprint names it: the same whatever folder it is planned from.
                    "template": bp.file.parent().and_then(|dir| ss.template_file.strip_prefix(dir).ok()).unwrap_or(&ss.template_file),
                    "template_summary": template_summary(&ss.template_body),
                    "auto_deployment": spec.auto_deployment.map(|(e, r)| json!({"enabled": e, "retain_stacks_on_account_removal": r})),
                })),
                reason: format!("stack set {name} does not exist"),
                op: Op::CreateStackSet { spec: spec.clone() },
            }),
            Some(current) => {
                if let Some(change) = update(ss, &spec, current) {
                    out.changes.push(change);
                }
            }
        }
        instances(bp, live, matched, ss, existing, &ou_ids, &mut out);
    }
    for (name, live_set) in live_sets.iter().filter(|(n, _)| !bp.stack_sets.contains_key(*n)) {
        let address = format!("stack_set.{name}");
        if options.prune {
            out.changes.push(Change {
                address,
                kind: Kind::StackSet,
                action: Action::Delete,
                before: Some(json!({
                    "name": name, "description": live_set.description, "permission_model": live_set.permission_model,
                    "parameters": live_set.parameters, "template_summary": template_summary(&live_set.template_body),
                })),
                after: None,
                reason: "not in the blueprint (--prune): its instances are deleted first".into(),
                op: Op::DeleteStackSet { name: name.clone() },
            });
        } else {
            out.unmanaged.push(Unmanaged {
                address,
                kind: Kind::StackSet,
                note: "not in the blueprint; --prune deletes it and its instances".into(),
            });
        }
    }
    out
}

fn update(ss: &StackSet, spec: &StackSetSpec, live: &LiveStackSet) -> Option<Change> {
    let (mut before, mut after) = (json!({}), json!({}));
    let mut what = Vec::new();
    let mut differs = |key: &str, b: serde_json::Value, a: serde_json::Value| {
        before[key] = b;
        after[key] = a;
        what.push(key.replace('_', " "));
    };
    if normalize_template(&live.template_body) != normalize_template(&ss.template_body) {
        differs("template", json!(live.template_body), json!(ss.template_body));
    }
    if live.description.as_deref().unwrap_or("") != ss.description.as_deref().unwrap_or("") {
        differs("description", json!(live.description), json!(ss.description));
    }
    if live.parameters != ss.parameters {
        differs("parameters", json!(live.parameters), json!(ss.parameters));
    }
    if let Some(capabilities) = &live.capabilities
        && capabilities != &ss.capabilities
    {
        differs("capabilities", json!(capabilities), json!(ss.capabilities));
    }
    if let Some(model) = &live.permission_model
        && model != &ss.permission_model
    {
        differs("permission_model", json!(model), json!(ss.permission_model));
    }
    if let (Some(current), Some(wanted)) = (&live.auto_deployment, &ss.auto_deployment)
        && current != wanted
    {
        differs(
            "auto_deployment",
            json!({"enabled": current.enabled, "retain_stacks_on_account_removal": current.retain_stacks_on_account_removal}),
            json!({"enabled": wanted.enabled, "retain_stacks_on_account_removal": wanted.retain_stacks_on_account_removal}),
        );
    }
    if what.is_empty() {
        return None;
    }
    Some(Change {
        address: format!("stack_set.{}", ss.name),
        kind: Kind::StackSet,
        action: Action::Update,
        before: Some(before),
        after: Some(after),
        reason: format!(
            "{} differ{}; the update reaches every instance",
            what.join(", "),
            if what.len() == 1 { "s" } else { "" }
        ),
        op: Op::UpdateStackSet { spec: spec.clone() },
    })
}

/// OU paths as people read them, the root as `Root`.
fn shown(paths: &[OuPath]) -> Vec<String> {
    paths.iter().map(ToString::to_string).collect()
}

/// Instances to remove in one region: the OU paths, their ids, and the accounts reached.
#[derive(Default)]
struct Removal {
    paths: Vec<OuPath>,
    ou_ids: Vec<String>,
    accounts: Vec<String>,
}

fn instances(
    bp: &Blueprint,
    live: &LiveState,
    matched: &BTreeMap<String, String>,
    ss: &StackSet,
    existing: Option<&LiveStackSet>,
    ou_ids: &BTreeMap<OuPath, String>,
    out: &mut StackSetsPlan,
) {
    // The OUs AWS records as targets (for auto-deployment), where the endpoint reports them.
    let recorded: Option<&BTreeSet<String>> = match existing {
        Some(e) => e.target_ou_ids.as_ref(),
        None => None,
    };
    let id_of = |path: &OuPath| ou_ids.get(path).cloned();
    let mut wanted: BTreeSet<(OuPath, String)> = BTreeSet::new();
    for path in &ss.target_ous {
        if !has_accounts(bp, live, matched, path) {
            let on_record = id_of(path).is_some_and(|id| recorded.is_some_and(|r| r.contains(&id)));
            if on_record {
                continue;
            }
            if existing.is_some() && recorded.is_none() {
                out.warnings.push(format!(
                    "stack set {}: OU {path} has no accounts yet and the service does not report the stack set's target OUs, so no instances are planned there",
                    ss.name
                ));
                continue;
            }
        }
        for region in &ss.regions {
            wanted.insert((path.clone(), region.clone()));
        }
    }
    // Deployed (OU path, region) targets: from the OU AWS reports, or, where it does not,
    // from the targeted OU that holds the instance's account.
    let path_of_id: BTreeMap<&String, &OuPath> = ou_ids.iter().map(|(p, id)| (id, p)).collect();
    let key_of: BTreeMap<&String, &String> = matched.iter().map(|(k, id)| (id, k)).collect();
    let excluded_ids: BTreeSet<String> =
        ss.exclude_accounts.iter().map(|name| matched.get(name).cloned().unwrap_or_else(|| name.clone())).collect();
    let excluded_refs: Vec<AccountRef> =
        ss.exclude_accounts
            .iter()
            .map(|name| {
                if bp.accounts.contains_key(name) {
                    AccountRef::Key(name.clone())
                } else {
                    AccountRef::Id(name.clone())
                }
            })
            .collect();
    let mut excluded_instances: BTreeMap<(String, String), Option<String>> = BTreeMap::new();
    let mut deployed: BTreeMap<(OuPath, String), Vec<String>> = BTreeMap::new();
    for instance in existing.map(|e| e.instances.as_slice()).unwrap_or_default() {
        let path = match &instance.ou_id {
            Some(id) => path_of_id.get(id).map(|p| (*p).clone()),
            None => ss.target_ous.iter().find(|p| live.is_under(&instance.account_id, p)).cloned(),
        };
        let path = path.unwrap_or_else(|| live.account_path(&instance.account_id).unwrap_or_default());
        let still_targeted = wanted.contains(&(path.clone(), instance.region.clone()));
        if still_targeted && excluded_ids.contains(&instance.account_id) {
            let ou_id = instance.ou_id.clone().or_else(|| id_of(&path));
            excluded_instances.insert((instance.region.clone(), instance.account_id.clone()), ou_id);
        }
        deployed.entry((path, instance.region.clone())).or_default().push(instance.account_id.clone());
    }
    let mut adds: BTreeMap<&String, Vec<OuPath>> = BTreeMap::new();
    for (path, region) in &wanted {
        if !deployed.contains_key(&(path.clone(), region.clone())) {
            adds.entry(region).or_default().push(path.clone());
        }
    }
    for (region, ous) in adds {
        out.changes.push(Change {
            address: format!("stack_instances.{}/{region}", ss.name),
            kind: Kind::StackInstances,
            action: Action::Create,
            before: None,
            after: Some(json!({"stack_set": ss.name, "region": region, "ous": shown(&ous)})),
            reason: format!("deploy to {} in {region}", shown(&ous).join(", ")),
            op: Op::CreateStackInstances {
                stack_set: ss.name.clone(),
                region: region.clone(),
                ous,
                preferences: ss.operation_preferences.clone(),
                exclude: excluded_refs.clone(),
            },
        });
    }
    let mut removes: BTreeMap<&String, Removal> = BTreeMap::new();
    for ((path, region), accounts) in &deployed {
        if wanted.contains(&(path.clone(), region.clone())) {
            continue;
        }
        let entry = removes.entry(region).or_default();
        entry.paths.push(path.clone());
        if let Some(id) = ou_ids.get(path) {
            entry.ou_ids.push(id.clone());
        }
        entry.accounts.extend(accounts.iter().cloned());
    }
    let targeted_ids: BTreeSet<String> = ss.target_ous.iter().filter_map(id_of).collect();
    for id in recorded.into_iter().flatten().filter(|id| !targeted_ids.contains(*id)) {
        let path = path_of_id.get(id).map_or_else(|| OuPath::parse(id), |p| (*p).clone());
        for region in &ss.regions {
            let entry = removes.entry(region).or_default();
            if !entry.ou_ids.contains(id) {
                entry.paths.push(path.clone());
                entry.ou_ids.push(id.clone());
            }
        }
    }
    for (region, Removal { paths, ou_ids: ids, accounts }) in removes {
        let reason = if ss.regions.contains(region) {
            format!("{} no longer targeted in {region}", shown(&paths).join(", "))
        } else {
            format!("{region} is no longer one of the stack set's regions")
        };
        out.changes.push(Change {
            address: format!("stack_instances.{}/{region}", ss.name),
            kind: Kind::StackInstances,
            action: Action::Delete,
            before: Some(json!({"stack_set": ss.name, "region": region, "ous": shown(&paths), "accounts": accounts})),
            after: None,
            reason,
            op: Op::DeleteStackInstances {
                stack_set: ss.name.clone(),
                region: region.clone(),
                ou_ids: ids,
                account_ids: accounts,
                preferences: ss.operation_preferences.clone(),
                only_accounts: false,
            },
        });
    }
    // An excluded account's instance, where the rest of its OU stays deployed, goes alone.
    for ((region, account), ou_id) in excluded_instances {
        let label = key_of.get(&account).map_or_else(|| account.clone(), |k| (*k).clone());
        out.changes.push(Change {
            address: format!("stack_instances.{}/{region}/{label}", ss.name),
            kind: Kind::StackInstances,
            action: Action::Delete,
            before: Some(json!({"stack_set": ss.name, "region": region, "account": label})),
            after: None,
            reason: format!("{label} is in the stack set's exclude_accounts"),
            op: Op::DeleteStackInstances {
                stack_set: ss.name.clone(),
                region,
                ou_ids: ou_id.into_iter().collect(),
                account_ids: vec![account],
                preferences: ss.operation_preferences.clone(),
                only_accounts: true,
            },
        });
    }
}

#[cfg(test)]
mod tests;
