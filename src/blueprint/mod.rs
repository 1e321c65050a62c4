//! The blueprint: one YAML file (plus the policy and template files it names) read into a
//! validated, plain description of the desired organization. Loading collects every problem
//! before failing; nothing here talks to AWS.

mod diagnostics;
mod files;
mod raw;
mod schema;
mod validate;

pub(crate) use diagnostics::BlueprintErrors;
#[cfg(test)]
use diagnostics::Code;
pub(crate) use files::MemoryFiles;
pub(crate) use schema::schema;

use crate::model::{
    AutoDeployment, Boundary, OperationPreferences, OuPath, PolicyReference, PolicyType, Principal, RootFeature,
};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use thiserror::Error;

/// Quotas the validator enforces; AWS raised some of them for some organizations, so a
/// blueprint may override them under `quotas:`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Quotas {
    pub policy_size: usize,
    pub policies_per_target: usize,
}

impl Default for Quotas {
    fn default() -> Self {
        Quotas { policy_size: 5_120, policies_per_target: 5 }
    }
}

pub(crate) const MAX_OU_DEPTH: usize = 5;

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Blueprint {
    pub file: PathBuf,
    pub organization: Organization,
    /// By path from the root ("Foundational/Workloads"), parents before children.
    pub ous: BTreeMap<OuPath, Ou>,
    /// By the short key the blueprint uses.
    pub accounts: BTreeMap<String, Account>,
    pub policies: BTreeMap<String, Policy>,
    pub identity_center: Option<IdentityCenter>,
    pub stack_sets: BTreeMap<String, StackSet>,
    pub approvals: Option<Approvals>,
    pub quotas: Quotas,
    /// Every file the blueprint names, in the order met; a saved plan digests them all.
    pub named_files: Vec<(PathBuf, String)>,
    /// The blueprint's own text, as read.
    pub source: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Organization {
    /// None: the blueprint does not manage the root's policy types.
    pub policy_types: Option<BTreeSet<PolicyType>>,
    pub trusted_services: Option<BTreeSet<String>>,
    /// Service principal → account key.
    pub delegated_administrators: BTreeMap<String, String>,
    /// None: the root's attachments are not managed.
    pub root_policies: Option<Vec<String>>,
    /// Where suspended and closed accounts wait, denied everything.
    pub suspended_ou: Option<OuPath>,
    /// Centralized root access: each feature switched on (true) or off (false); a feature the
    /// blueprint does not name is left as it is.
    pub root_access: BTreeMap<RootFeature, bool>,
}

/// What a managed root, OU or account has attached: exactly these policies, plus
/// FullAWSAccess unless `full_aws_access: false`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Attachments {
    pub policies: Vec<String>,
    pub full_aws_access: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Ou {
    pub path: OuPath,
    pub name: String,
    pub parent: OuPath,
    pub attachments: Attachments,
    /// None: the blueprint does not manage its tags; Some: exactly these tags.
    pub tags: Option<BTreeMap<String, String>>,
    /// The OU's name in AWS before this blueprint renamed it (`renamed_from:`), under the same
    /// parent.
    pub renamed_from: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Account {
    pub key: String,
    /// The account's id, where the blueprint pins it: matched before email and name.
    pub id: Option<String>,
    pub name: String,
    pub email: String,
    pub ou: OuPath,
    /// `file:line:column` of its `ou:` (of its key where it has none), for errors found at plan time.
    pub place: String,
    pub attachments: Attachments,
    /// None: the blueprint does not manage its tags; Some: exactly these tags.
    pub tags: Option<BTreeMap<String, String>>,
    /// Suspended and closed accounts are in `organization.suspended_ou` (their `ou`).
    pub lifecycle: crate::model::Lifecycle,
    /// `join: invite`: not created but invited (by its `id`) when the organization lacks it.
    pub invite: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Policy {
    pub name: String,
    pub policy_type: PolicyType,
    pub description: String,
    pub document: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct IdentityCenter {
    pub instance_arn: Option<String>,
    pub permission_sets: BTreeMap<String, PermissionSet>,
    pub assignments: Vec<Assignment>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PermissionSet {
    pub name: String,
    pub description: Option<String>,
    pub session_duration: String,
    pub relay_state: Option<String>,
    pub managed_policies: BTreeSet<String>,
    pub customer_managed_policies: BTreeSet<PolicyReference>,
    pub inline_policy: Option<Value>,
    pub permissions_boundary: Option<Boundary>,
    pub tags: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Assignment {
    pub principal: Principal,
    pub permission_set: String,
    pub accounts: Vec<String>,
    pub ous: Vec<OuPath>,
    /// Accounts (blueprint keys or ids) its OUs reach that it leaves out.
    pub exclude_accounts: Vec<String>,
    /// `file:line:column` of the assignment, for errors found at plan time.
    pub place: String,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StackSet {
    pub name: String,
    pub template_file: PathBuf,
    pub template_body: String,
    pub description: Option<String>,
    pub permission_model: String,
    pub capabilities: BTreeSet<String>,
    pub parameters: BTreeMap<String, String>,
    pub target_ous: Vec<OuPath>,
    /// Accounts (blueprint keys or ids) under the target OUs that get no instance.
    pub exclude_accounts: Vec<String>,
    /// `file:line:column` of its name, for errors found at plan time.
    pub place: String,
    pub regions: Vec<String>,
    pub auto_deployment: Option<AutoDeployment>,
    pub operation_preferences: OperationPreferences,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Approvals {
    pub required: u32,
    pub allowed_signers: PathBuf,
    /// The file's signers, as validation parsed them.
    pub signers: Vec<crate::approvals::Signer>,
}

#[derive(Debug, Error, miette::Diagnostic)]
pub(crate) enum BlueprintError {
    #[error("cannot read the blueprint {}: {why}", .path.display())]
    #[diagnostic(code(lzctl::blueprint::read))]
    Read { path: PathBuf, why: files::FileError },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Invalid(#[from] BlueprintErrors),
}

impl Blueprint {
    /// The approval rule the blueprint wants in force, from its `approvals` block.
    pub(crate) fn approval_rule(&self) -> Option<crate::approvals::ApprovalRule> {
        self.approvals.as_ref().map(|a| crate::approvals::ApprovalRule::from_signers(a.required, &a.signers))
    }

    /// The blueprint and every file it names, as validation read them, in the order met, each by
    /// its name relative to the blueprint's folder (so a digest does not depend on where lzctl
    /// runs from).
    pub(crate) fn files(&self) -> Vec<(String, &[u8])> {
        let dir = self.file.parent().unwrap_or(Path::new(""));
        let name = |path: &Path| path.strip_prefix(dir).unwrap_or(path).display().to_string();
        std::iter::once((name(&self.file), self.source.as_bytes()))
            .chain(self.named_files.iter().map(|(path, text)| (name(path), text.as_bytes())))
            .collect()
    }
}

/// Reads and validates a blueprint file and every file it names.
pub(crate) fn load(path: &Path) -> Result<Blueprint, BlueprintError> {
    let source = files::read_bounded(path, files::BLUEPRINT_LIMIT)
        .map_err(|why| BlueprintError::Read { path: path.to_path_buf(), why })?;
    Ok(parse(path, &source, &files::DiskFiles)?)
}

/// Validates blueprint text; `files` reads the files it names (relative to the blueprint).
pub(crate) fn parse(path: &Path, source: &str, files: &dyn files::FileSource) -> Result<Blueprint, BlueprintErrors> {
    validate::validate(path, &Arc::new(source.to_string()), files)
}

#[cfg(test)]
mod tests;
