//! Saved plans: a plan written to a file with everything needed to apply exactly it later and
//! to refuse when that is no longer safe — the blueprint's digest, who made it, a fingerprint
//! of the live state it was computed from, and the approvals (SSH signatures) it collected.

use crate::live::{LiveState, ReadScope};
use crate::plan::{Plan, PlanOptions};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use thiserror::Error;

pub(crate) const FORMAT_VERSION: u32 = 1;

/// What the plan is and was made from; the digest covers all of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Body {
    pub format_version: u32,
    pub tool_version: String,
    /// The blueprint path as given to `plan`.
    pub blueprint: String,
    /// SHA-256 of the blueprint and every file it names.
    pub blueprint_digest: String,
    /// The blueprint's path from the folder the plan file is in, so `apply PLANFILE` finds it
    /// wherever it is run from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blueprint_from_plan: Option<String>,
    /// SHA-256 of each of those files by its name, to say which one changed.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub file_digests: BTreeMap<String, String>,
    /// sts:GetCallerIdentity ARN of whoever made the plan.
    pub creator: String,
    /// The organization the plan was made for.
    #[serde(default)]
    pub organization_id: Option<String>,
    /// Who asked for the change (`plan --requested-by`, in a pipeline the pull request's author).
    #[serde(default)]
    pub requested_by: Option<String>,
    /// The approval rule in force in the organization when the plan was made; `approve` checks
    /// against it, `apply` against the rule in force then (which must be the same).
    #[serde(default)]
    pub rule: Option<crate::approvals::ApprovalRule>,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// What `apply` reads again to check the world has not changed.
    pub scope: ReadScope,
    /// The options the plan was made with; `apply` plans again with them to check the plan.
    #[serde(default)]
    pub options: PlanOptions,
    pub state_fingerprint: String,
    /// Fingerprints of the parts of the live state, to say what changed.
    pub state_parts: BTreeMap<String, String>,
    pub plan: Plan,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct SavedPlan {
    #[serde(flatten)]
    pub body: Body,
    /// SHA-256 of the body; what approvals sign.
    pub digest: String,
    /// Armored SSH signatures (SSHSIG, namespace `lzctl-plan`) over the digest.
    #[serde(default)]
    pub approvals: Vec<String>,
}

#[derive(Debug, Error, miette::Diagnostic)]
pub(crate) enum SavedPlanError {
    #[error("{0} is not a saved lzctl plan: {1}")]
    #[diagnostic(code(lzctl::saved::unreadable))]
    Unreadable(String, String),
    #[error(
        "the plan was made by lzctl {made} (format {format}); this is lzctl {ours} (format {FORMAT_VERSION}): plan again with this version"
    )]
    #[diagnostic(code(lzctl::saved::version))]
    Version { made: String, format: u32, ours: String },
    #[error(
        "the plan file was altered after it was made: its content no longer matches its digest (and so no approval of it counts); plan again"
    )]
    #[diagnostic(code(lzctl::saved::altered))]
    Altered,
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

impl Body {
    /// Who may not approve this plan.
    pub(crate) fn parties(&self) -> crate::approvals::Parties<'_> {
        crate::approvals::Parties { creator: &self.creator, requested_by: self.requested_by.as_deref() }
    }

    pub(crate) fn digest(&self) -> String {
        let value = serde_json::to_value(self).expect("a plan body serializes");
        sha256_hex(crate::model::canonical_json(&value).as_bytes())
    }
}

impl SavedPlan {
    pub(crate) fn new(body: Body) -> SavedPlan {
        SavedPlan { digest: body.digest(), body, approvals: Vec::new() }
    }

    pub(crate) fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a saved plan serializes") + "\n"
    }

    /// Parses a saved plan and checks it is whole and ours.
    pub(crate) fn parse(name: &str, text: &str) -> Result<SavedPlan, SavedPlanError> {
        let saved: SavedPlan =
            serde_json::from_str(text).map_err(|e| SavedPlanError::Unreadable(name.into(), e.to_string()))?;
        let ours = env!("CARGO_PKG_VERSION");
        if saved.body.format_version != FORMAT_VERSION || saved.body.tool_version != ours {
            return Err(SavedPlanError::Version {
                made: saved.body.tool_version,
                format: saved.body.format_version,
                ours: ours.into(),
            });
        }
        if saved.body.digest() != saved.digest {
            return Err(SavedPlanError::Altered);
        }
        Ok(saved)
    }
}

/// SHA-256 of each file by its name.
pub(crate) fn file_digests(files: &[(String, &[u8])]) -> BTreeMap<String, String> {
    files.iter().map(|(name, bytes)| (name.clone(), sha256_hex(bytes))).collect()
}

/// The files whose digests differ between then and now: changed, added or gone.
pub(crate) fn files_changed(then: &BTreeMap<String, String>, now: &BTreeMap<String, String>) -> Vec<String> {
    let names: std::collections::BTreeSet<&String> = then.keys().chain(now.keys()).collect();
    names
        .into_iter()
        .filter_map(|name| match (then.get(name), now.get(name)) {
            (Some(a), Some(b)) if a == b => None,
            (Some(_), Some(_)) => Some(format!("{name} changed")),
            (None, Some(_)) => Some(format!("{name} is new")),
            (Some(_), None) => Some(format!("{name} is no longer named")),
            (None, None) => None,
        })
        .collect()
}

/// SHA-256 over the blueprint and every file it names, each with its name, in order.
pub(crate) fn blueprint_digest(files: &[(String, &[u8])]) -> String {
    let mut hasher = Sha256::new();
    for (name, bytes) in files {
        hasher.update((name.len() as u64).to_be_bytes());
        hasher.update(name.as_bytes());
        hasher.update((bytes.len() as u64).to_be_bytes());
        hasher.update(bytes);
    }
    hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// A fingerprint per part of the live state (each OU, account, policy, permission set, …), so
/// that a stale plan can say what changed; each part named as plans name it (`account.prod`,
/// `organizational_unit.Workloads`), accounts by blueprint key where `keys` (id → key) has one.
pub(crate) fn state_parts(live: &LiveState, keys: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let mut parts = BTreeMap::new();
    let mut put = |key: String, value: String| {
        parts.insert(key, sha256_hex(value.as_bytes())[..16].to_string());
    };
    // The apply lock comes and goes with every apply: not part of what a plan was made from.
    let root_tags: BTreeMap<&String, &String> = live.root.tags.iter().filter(|(k, _)| *k != crate::lock::TAG).collect();
    put(
        "organization_setting.root (policy types and tags)".into(),
        format!("{} {:?} {root_tags:?}", live.root.id, live.root.policy_types),
    );
    let paths = live.ous_by_path();
    for (path, ou) in &paths {
        put(crate::plan::ou_address(path), format!("{ou:?}"));
    }
    for a in live.accounts.values() {
        let name = keys.get(&a.id).unwrap_or(&a.id);
        put(format!("account.{name}"), format!("{a:?} in {:?}", live.path_of(&a.parent_id)));
    }
    for p in live.policies.values() {
        put(format!("policy.{}", p.name), format!("{p:?}"));
    }
    if let Some(ic) = &live.identity_center {
        for (name, ps) in &ic.permission_sets {
            put(format!("permission_set.{name}"), format!("{ps:?}"));
        }
        put("assignment.* (Identity Center's assignments)".into(), format!("{:?}", ic.assignments));
        put("identity store principals".into(), format!("{:?}", ic.principals));
    }
    if let Some(t) = &live.trusted_services {
        put("organization_setting.trusted_service/*".into(), format!("{t:?}"));
    }
    if let Some(f) = &live.root_features {
        put("organization_setting.root_access/*".into(), format!("{f:?}"));
    }
    if let Some(d) = &live.delegated_administrators {
        put("organization_setting.delegated_administrator/*".into(), format!("{d:?}"));
    }
    for (name, ss) in live.stack_sets.iter().flatten() {
        put(format!("stack_set.{name}"), format!("{ss:?}"));
    }
    parts
}

pub(crate) fn fingerprint(parts: &BTreeMap<String, String>) -> String {
    sha256_hex(format!("{parts:?}").as_bytes())
}

/// What differs between two sets of part fingerprints, in words.
pub(crate) fn what_changed(then: &BTreeMap<String, String>, now: &BTreeMap<String, String>) -> Vec<String> {
    let mut changes = Vec::new();
    for (key, value) in then {
        match now.get(key) {
            None => changes.push(format!("{key} is gone")),
            Some(v) if v != value => changes.push(format!("{key} changed")),
            _ => {}
        }
    }
    changes.extend(now.keys().filter(|k| !then.contains_key(*k)).map(|k| format!("{k} appeared")));
    changes
}

/// SHA-256 of a plan's JSON (`plan --format json`), for a plan that is not saved.
pub(crate) fn plan_digest(plan: &Plan) -> String {
    let value = serde_json::to_value(plan).expect("a plan serializes");
    sha256_hex(crate::model::canonical_json(&value).as_bytes())
}

/// Now, as RFC 3339 UTC.
pub(crate) fn now_rfc3339() -> String {
    crate::model::rfc3339(crate::model::now_secs())
}

#[cfg(test)]
mod tests;
