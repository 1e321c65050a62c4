//! diff(blueprint, live) → plan: the planner itself, a pure function tested from tables.

use super::order::sort_changes;
use super::{Change, Op, Plan, PlanOptions, Unmanaged, ou_address};
use crate::blueprint::{Attachments, Blueprint};
use crate::live::LiveState;
use crate::model::{
    Action, FULL_AWS_ACCESS, Kind, OuPath, PolicyType, RCP_FULL_AWS_ACCESS, Target, minified, normalize_policy,
};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// Why no plan could be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
pub(crate) enum PlanError {
    #[error("the blueprint names OUs that are neither in it nor in the organization; nothing was planned:\n{}", .0.iter().map(|u| format!("  {u}")).collect::<Vec<_>>().join("\n"))]
    #[diagnostic(
        code(lzctl::plan::unknown_ous),
        help(
            "a blueprint without organizational_units names the organization's OUs by their path from the root, escaping / in a name as \\/"
        )
    )]
    UnknownOus(Vec<String>),
    #[error("{} name(s) in the blueprint's assignments are not in the identity store; nothing was planned:\n{}", .0.len(), .0.iter().map(|u| format!("  {}: {} (assignment of {}){}", u.place, u.principal, u.permission_set, u.near.as_ref().map(|n| format!(": did you mean {n:?}?")).unwrap_or_default())).collect::<Vec<_>>().join("\n"))]
    #[diagnostic(
        code(lzctl::plan::unresolved_principals),
        help(
            "groups resolve by DisplayName and users by UserName; create them in the identity source (or fix the spelling) and plan again"
        )
    )]
    UnresolvedPrincipals(Vec<super::identity::Unresolved>),
    #[error(
        "the plan closes {planned} account(s), but AWS lets this organization close {allowed} in 30 days and {recent} are already closing or closed (SUSPENDED or PENDING_CLOSURE); nothing was planned"
    )]
    #[diagnostic(
        code(lzctl::plan::close_quota),
        help(
            "AWS allows closing 10% of member accounts (at least 10, at most 1,000) per rolling 30 days: mark fewer accounts closed now, the rest suspended, and close them later"
        )
    )]
    CloseQuota { planned: usize, allowed: usize, recent: usize },
}

pub(crate) fn diff(bp: &Blueprint, live: &LiveState, options: &PlanOptions) -> Result<Plan, PlanError> {
    // Everything below sees the OUs the blueprint renamed under their new names.
    let (live, renames) = super::renames::renamed(bp, live);
    let live = &*live;
    let live_ous = live.ous_by_path();
    let unknown = unknown_ous(bp, &live_ous);
    if !unknown.is_empty() {
        return Err(PlanError::UnknownOus(unknown));
    }
    let matched = crate::plan::matched_accounts(bp, live);
    let mut p = Planner {
        bp,
        live,
        managed_account_ids: matched.values().cloned().collect(),
        matched,
        options,
        live_ous,
        changes: renames,
        unmanaged: Vec::new(),
        warnings: Vec::new(),
        waiting: Vec::new(),
    };
    p.duplicates();
    p.policy_types();
    p.ous();
    p.policies();
    p.accounts();
    p.check_close_quota()?;
    p.attachments();
    p.unmanaged_ous();
    p.unmanaged_policies();
    p.unmanaged_accounts();
    let identity = super::identity::plan(bp, live, &p.matched, options);
    if !identity.unresolved.is_empty() {
        return Err(PlanError::UnresolvedPrincipals(identity.unresolved));
    }
    p.changes.extend(identity.changes);
    let settings = super::settings::plan(bp, live, &p.matched, options);
    p.changes.extend(settings.changes);
    p.unmanaged.extend(settings.unmanaged);
    p.warnings.extend(settings.warnings);
    let stack_sets = super::stack_sets::plan(bp, live, &p.matched, options);
    p.changes.extend(stack_sets.changes);
    p.unmanaged.extend(stack_sets.unmanaged);
    p.warnings.extend(stack_sets.warnings);
    p.unmanaged.extend(identity.unmanaged);
    p.warnings.extend(identity.warnings);
    p.unmanaged.sort_by(|a, b| (a.kind, &a.address).cmp(&(b.kind, &b.address)));
    let changes = sort_changes(p.changes);
    let hazards = super::hazards::find(bp, live, &p.matched, &changes);
    // Only changes move effective policies.
    let (effective, unread) =
        if changes.is_empty() { Default::default() } else { super::effective::changes(bp, live, &p.matched) };
    p.warnings.extend(unread);
    let plan = Plan {
        changes,
        unmanaged: p.unmanaged,
        warnings: p.warnings,
        hazards,
        waiting: p.waiting,
        excluded: Vec::new(),
        effective,
    };
    Ok(super::exclude::exclude(plan, &options.exclude, &|name| bp.policies.get(name).map(|p| p.policy_type)))
}

struct Planner<'a> {
    bp: &'a Blueprint,
    live: &'a LiveState,
    options: &'a PlanOptions,
    live_ous: BTreeMap<OuPath, &'a crate::live::LiveOu>,
    /// Blueprint account key → the live account it matched.
    matched: BTreeMap<String, String>,
    managed_account_ids: BTreeSet<String>,
    changes: Vec<Change>,
    unmanaged: Vec<Unmanaged>,
    warnings: Vec<String>,
    waiting: Vec<Unmanaged>,
}

impl Planner<'_> {
    fn change(
        &mut self,
        address: String,
        action: Action,
        before: Option<Value>,
        after: Option<Value>,
        reason: impl Into<String>,
        op: Op,
    ) {
        self.changes.push(Change { address, kind: op.kind(), action, before, after, reason: reason.into(), op });
    }

    /// Twins AWS holds that lzctl tells apart by name or email only: said, not silently resolved.
    fn duplicates(&mut self) {
        let mut siblings: BTreeMap<(&str, &str), Vec<&str>> = BTreeMap::new();
        for ou in self.live.ous.values() {
            siblings.entry((&ou.parent_id, &ou.name)).or_default().push(&ou.id);
        }
        for ((parent, name), ids) in siblings.into_iter().filter(|(_, ids)| ids.len() > 1) {
            let path = self.live.path_of(parent).map_or_else(|| parent.to_string(), |p| p.to_string());
            self.warnings.push(format!(
                "AWS holds {} OUs named {name:?} under {path} ({}): lzctl manages the first, {}, and leaves the others alone; merge them by hand",
                ids.len(),
                ids.join(", "),
                ids[0]
            ));
        }
        let mut by_email: BTreeMap<String, Vec<&str>> = BTreeMap::new();
        for account in self.live.accounts.values() {
            by_email.entry(account.email.to_ascii_lowercase()).or_default().push(&account.id);
        }
        for (email, ids) in by_email.into_iter().filter(|(_, ids)| ids.len() > 1) {
            self.warnings.push(format!(
                "AWS holds {} accounts with the email {email} ({}): a blueprint account with it stands for the first, {}",
                ids.len(),
                ids.join(", "),
                ids[0]
            ));
        }
    }

    fn policy_types(&mut self) {
        let live = &self.live.root.policy_types;
        let needed: BTreeSet<PolicyType> = self.bp.policies.values().map(|p| p.policy_type).collect();
        let (wanted, managed) = match &self.bp.organization.policy_types {
            Some(types) => (types.clone(), true),
            None => (needed, false),
        };
        for t in wanted.difference(live) {
            let reason =
                if managed { "listed in organization.policy_types" } else { "the blueprint's policies need it" };
            self.change(
                format!("organization_setting.policy_type/{t}"),
                Action::Create,
                None,
                Some(json!({"policy_type": t, "enabled": true})),
                format!("enable {t} on the root ({reason})"),
                Op::EnablePolicyType { policy_type: *t },
            );
        }
        if managed {
            for t in live.difference(&wanted) {
                let address = format!("organization_setting.policy_type/{t}");
                if self.options.prune {
                    self.change(
                        address,
                        Action::Delete,
                        Some(json!({"policy_type": t, "enabled": true})),
                        None,
                        format!("disable {t} on the root (not in organization.policy_types; --prune)"),
                        Op::DisablePolicyType { policy_type: *t },
                    );
                } else {
                    self.unmanaged.push(Unmanaged {
                        address,
                        kind: Kind::OrganizationSetting,
                        note: format!("{t} is enabled but not listed; --prune disables it"),
                    });
                }
            }
        }
    }

    fn ous(&mut self) {
        for (path, ou) in &self.bp.ous {
            let (parent, name) = (path.parent(), path.name());
            match self.live_ous.get(path) {
                None => self.change(
                    ou_address(path),
                    Action::Create,
                    None,
                    Some(with_tags(json!({"name": name, "parent": parent.to_string()}), ou.tags.as_ref())),
                    format!("OU {name} does not exist under {parent}"),
                    Op::CreateOu {
                        path: path.clone(),
                        name: name.to_string(),
                        parent,
                        tags: ou.tags.clone().unwrap_or_default(),
                    },
                ),
                Some(live_ou) => {
                    let live_tags = live_ou.tags.clone();
                    self.tags(ou_address(path), Target::Ou(path.clone()), ou.tags.as_ref(), live_tags.as_ref());
                }
            }
        }
    }

    fn tags(
        &mut self,
        address: String,
        target: Target,
        desired: Option<&BTreeMap<String, String>>,
        live: Option<&BTreeMap<String, String>>,
    ) {
        let (Some(desired), Some(live)) = (desired, live) else {
            return;
        };
        if desired == live {
            return;
        }
        let set: BTreeMap<String, String> =
            desired.iter().filter(|(k, v)| live.get(*k) != Some(*v)).map(|(k, v)| (k.clone(), v.clone())).collect();
        let remove: BTreeSet<String> = live.keys().filter(|k| !desired.contains_key(*k)).cloned().collect();
        let mut words = Vec::new();
        if !set.is_empty() {
            words.push(format!("set {}", set.keys().cloned().collect::<Vec<_>>().join(", ")));
        }
        if !remove.is_empty() {
            words.push(format!("remove {}", remove.iter().cloned().collect::<Vec<_>>().join(", ")));
        }
        self.change(
            address,
            Action::Update,
            Some(json!({"tags": live})),
            Some(json!({"tags": desired})),
            format!("tags differ: {}", words.join("; ")),
            Op::SetTags { target, set, remove },
        );
    }

    fn policies(&mut self) {
        for (name, policy) in &self.bp.policies {
            let address = format!("policy.{name}");
            let desired_doc = normalize_policy(&policy.document);
            match self.live.policy_by_name(name) {
                None => self.change(
                    address,
                    Action::Create,
                    None,
                    Some(json!({"name": name, "type": policy.policy_type, "description": policy.description, "document": policy.document})),
                    format!("{} {name} does not exist", policy.policy_type),
                    Op::CreatePolicy { name: name.clone(), policy_type: policy.policy_type, description: policy.description.clone(), content: minified(&policy.document) },
                ),
                Some(live) => {
                    if live.policy_type != policy.policy_type {
                        self.warnings.push(format!("policy {name} exists as a {} but the blueprint declares a {}; lzctl does not change a policy's type (delete it by hand to recreate it)", live.policy_type, policy.policy_type));
                        continue;
                    }
                    let live_doc = live.document.as_ref().map(normalize_policy);
                    let doc_differs = live_doc.as_ref() != Some(&desired_doc);
                    let description_differs = live.description != policy.description;
                    if !doc_differs && !description_differs {
                        continue;
                    }
                    let mut before = json!({});
                    let mut after = json!({});
                    let mut what = Vec::new();
                    if description_differs {
                        before["description"] = json!(live.description);
                        after["description"] = json!(policy.description);
                        what.push("description");
                    }
                    if doc_differs {
                        before["document"] = live.document.clone().unwrap_or(Value::Null);
                        after["document"] = policy.document.clone();
                        what.push("document");
                    }
                    self.change(
                        address,
                        Action::Update,
                        Some(before),
                        Some(after),
                        format!("{} differs", what.join(" and ")),
                        Op::UpdatePolicy {
                            name: name.clone(),
                            id: live.id.clone(),
                            description: description_differs.then(|| policy.description.clone()),
                            content: doc_differs.then(|| minified(&policy.document)),
                        },
                    );
                }
            }
        }
    }

    fn accounts(&mut self) {
        for (key, account) in &self.bp.accounts {
            let address = format!("account.{key}");
            let live = self.matched.get(key).and_then(|id| self.live.accounts.get(id));
            if self.retired(key, account, live) {
                continue;
            }
            if account.invite && live.is_none() {
                self.invite(key, account);
                continue;
            }
            match live {
                None => {
                    self.change(
                        address.clone(),
                        Action::Create,
                        None,
                        Some(with_tags(
                            json!({"name": account.name, "email": account.email, "ou": account.ou.to_string()}),
                            account.tags.as_ref(),
                        )),
                        format!("no account has the email {} or the name {}", account.email, account.name),
                        Op::CreateAccount {
                            key: key.clone(),
                            name: account.name.clone(),
                            email: account.email.clone(),
                            tags: account.tags.clone().unwrap_or_default(),
                        },
                    );
                    if !account.ou.is_root() {
                        self.change(
                            address,
                            Action::Move,
                            Some(json!({"parent": OuPath::root().to_string()})),
                            Some(json!({"parent": account.ou})),
                            format!("a new account starts in the root; the blueprint puts it in {}", account.ou),
                            Op::MoveAccount { key: key.clone(), from: OuPath::root(), to: account.ou.clone() },
                        );
                    }
                }
                Some(live) => {
                    if live.name != account.name {
                        self.warnings.push(format!("account {key} ({}) is named {:?} in AWS and {:?} in the blueprint; lzctl does not rename accounts", live.id, live.name, account.name));
                    }
                    if !live.email.eq_ignore_ascii_case(&account.email) {
                        self.warnings.push(format!(
                            "account {key} ({}) was matched by name; its email in AWS is {}, the blueprint says {}",
                            live.id, live.email, account.email
                        ));
                    }
                    let current = self.live.path_of(&live.parent_id).unwrap_or_default();
                    if current != account.ou {
                        self.change(
                            address.clone(),
                            Action::Move,
                            Some(json!({"parent": current.to_string()})),
                            Some(json!({"parent": account.ou.to_string()})),
                            format!("it is in {current}; the blueprint puts it in {}", account.ou),
                            Op::MoveAccount { key: key.clone(), from: current, to: account.ou.clone() },
                        );
                    }
                    let live_tags = live.tags.clone();
                    self.tags(address, Target::Account(key.clone()), account.tags.as_ref(), live_tags.as_ref());
                }
            }
        }
    }
}

/// The OU paths the blueprint refers to that neither it nor the organization has, each with
/// what names it.
fn unknown_ous(bp: &Blueprint, live_ous: &BTreeMap<OuPath, &crate::live::LiveOu>) -> Vec<String> {
    let known = |path: &OuPath| path.is_root() || bp.ous.contains_key(path) || live_ous.contains_key(path);
    let near = |path: &OuPath| {
        let candidates = live_ous.keys().map(OuPath::as_str).chain(bp.ous.keys().map(OuPath::as_str));
        crate::model::closest(path.as_str(), candidates.chain([OuPath::ROOT_NAME]))
            .map(|n| format!(": did you mean {n:?}?"))
            .unwrap_or_default()
    };
    let mut unknown = Vec::new();
    for account in bp.accounts.values().filter(|a| !known(&a.ou)) {
        unknown.push(format!(
            "{}: {} (the OU of account {}){}",
            account.place,
            account.ou,
            account.key,
            near(&account.ou)
        ));
    }
    for a in bp.identity_center.iter().flat_map(|ic| &ic.assignments) {
        for ou in a.ous.iter().filter(|ou| !known(ou)) {
            unknown.push(format!("{}: {ou} (an assignment's OU){}", a.place, near(ou)));
        }
    }
    for ss in bp.stack_sets.values() {
        for ou in ss.target_ous.iter().filter(|ou| !known(ou)) {
            unknown.push(format!("{}: {ou} (a target of stack set {}){}", ss.place, ss.name, near(ou)));
        }
    }
    unknown
}

fn with_tags(mut value: Value, tags: Option<&BTreeMap<String, String>>) -> Value {
    if let Some(tags) = tags.filter(|t| !t.is_empty()) {
        value["tags"] = json!(tags);
    }
    value
}

mod attachments;
mod lifecycle;
#[cfg(test)]
use lifecycle::close_quota;
mod unmanaged;

#[cfg(test)]
mod tests;
