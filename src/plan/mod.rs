//! The plan: the exact list of changes that would make the live organization match the
//! blueprint, each with an address, a kind, an action, before/after values, a reason, and the
//! operation `apply` runs for it. Computing it is pure.

mod diff;
pub(crate) mod effective;
mod exclude;
mod hazards;
mod identity;
mod order;
mod renames;
mod settings;
mod stack_sets;

pub(crate) use diff::{PlanError, diff};
pub(crate) use effective::EffectiveChange;
pub(crate) use identity::{desired_assignments, desired_pairs};
pub(crate) use renames::renamed;

/// How plans, progress and errors name an OU.
pub(crate) fn ou_address(path: &OuPath) -> String {
    format!("organizational_unit.{path}")
}

use crate::model::{
    Action, Boundary, Kind, OperationPreferences, OuPath, PolicyReference, PolicyType, PrincipalId, RootFeature, Target,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PlanOptions {
    /// Delete unmanaged things that are safe to delete (empty OUs, detached policies).
    pub prune: bool,
    /// Address patterns (`*` matches any text) of changes to leave out, with what needs them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Plan {
    /// In the order `apply` runs them.
    pub changes: Vec<Change>,
    /// What the live organization has and the blueprint does not mention.
    pub unmanaged: Vec<Unmanaged>,
    /// Differences lzctl cannot act on, said once in the plan.
    pub warnings: Vec<String>,
    /// Changes `apply` refuses without `--allow-hazards`.
    #[serde(default)]
    pub hazards: Vec<Hazard>,
    /// What waits on someone else (an invitation the account has not answered yet).
    #[serde(default)]
    pub waiting: Vec<Unmanaged>,
    /// Changes left out by `--exclude`, and those that needed them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub excluded: Vec<Excluded>,
    /// Accounts whose effective management policies (tag, backup, declarative …) the changes
    /// alter, grouped by type and by how they change.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub effective: Vec<EffectiveChange>,
}

/// A change `--exclude` left out of the plan, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Excluded {
    pub address: String,
    pub reason: String,
}

/// A change that can lock people out, or looks like protection and is none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Hazard {
    pub address: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Change {
    pub address: String,
    pub kind: Kind,
    pub action: Action,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub reason: String,
    pub op: Op,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Unmanaged {
    pub address: String,
    pub kind: Kind,
    pub note: String,
}

/// One AWS operation, named by blueprint paths and names; ids of things that exist already are
/// carried along, ids of things the same apply creates are resolved while it runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub(crate) enum Op {
    EnablePolicyType {
        policy_type: PolicyType,
    },
    DisablePolicyType {
        policy_type: PolicyType,
    },
    CreateOu {
        path: OuPath,
        name: String,
        parent: OuPath,
        tags: BTreeMap<String, String>,
    },
    DeleteOu {
        path: OuPath,
        id: String,
    },
    /// An OU the blueprint renamed (`renamed_from:`): its new path and name.
    RenameOu {
        path: OuPath,
        id: String,
        name: String,
    },
    CreatePolicy {
        name: String,
        policy_type: PolicyType,
        description: String,
        content: String,
    },
    UpdatePolicy {
        name: String,
        id: String,
        description: Option<String>,
        content: Option<String>,
    },
    DeletePolicy {
        name: String,
        id: String,
    },
    CreateAccount {
        key: String,
        name: String,
        email: String,
        tags: BTreeMap<String, String>,
    },
    /// An account of another organization (or none) the blueprint lists with `join: invite`:
    /// InviteAccountToOrganization. It joins when someone in it accepts (`lzctl join`).
    InviteAccount {
        key: String,
        id: String,
    },
    /// An account the blueprint marks `lifecycle: closed`: CloseAccount, then followed to
    /// SUSPENDED. Needs `apply --allow-close`.
    CloseAccount {
        key: String,
        id: String,
    },
    MoveAccount {
        key: String,
        /// Where it is now (a new account starts in the root).
        from: OuPath,
        to: OuPath,
    },
    AttachPolicy {
        policy: String,
        target: Target,
    },
    DetachPolicy {
        policy: String,
        target: Target,
    },
    SetTags {
        target: Target,
        set: BTreeMap<String, String>,
        remove: BTreeSet<String>,
    },
    CreatePermissionSet {
        spec: PermissionSetSpec,
    },
    UpdatePermissionSet {
        name: String,
        arn: String,
        change: PermissionSetChange,
        /// Re-provision to every account it is provisioned to, once changed.
        reprovision: bool,
    },
    DeletePermissionSet {
        name: String,
        arn: String,
    },
    CreateAssignment {
        permission_set: String,
        principal: PrincipalId,
        account: AccountRef,
    },
    DeleteAssignment {
        permission_set: String,
        principal: PrincipalId,
        account: AccountRef,
    },
    /// Centralized root access: IAM's Enable/DisableOrganizationsRoot… for one feature.
    SetRootFeature {
        feature: RootFeature,
        enabled: bool,
    },
    EnableServiceAccess {
        service: String,
    },
    DisableServiceAccess {
        service: String,
    },
    RegisterDelegatedAdministrator {
        service: String,
        account: AccountRef,
    },
    DeregisterDelegatedAdministrator {
        service: String,
        account: AccountRef,
    },
    /// Records the approval rule in the root's tags: sets these, removes those.
    SetApprovalRule {
        set: BTreeMap<String, String>,
        remove: BTreeSet<String>,
    },
    CreateStackSet {
        spec: StackSetSpec,
    },
    UpdateStackSet {
        spec: StackSetSpec,
    },
    /// Deletes every instance, then the stack set.
    DeleteStackSet {
        name: String,
    },
    CreateStackInstances {
        stack_set: String,
        region: String,
        ous: Vec<OuPath>,
        preferences: OperationPreferences,
        /// Accounts under the OUs that get no instance (`targets.exclude_accounts`).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        exclude: Vec<AccountRef>,
    },
    DeleteStackInstances {
        stack_set: String,
        region: String,
        ou_ids: Vec<String>,
        /// The instances' accounts, for stack sets whose instances do not report their OU.
        account_ids: Vec<String>,
        preferences: OperationPreferences,
        /// Delete only the instances of `account_ids` under `ou_ids` (an excluded account's).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        only_accounts: bool,
    },
}

/// Everything a stack set is made of; an update sends it all again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct StackSetSpec {
    pub name: String,
    pub template_body: String,
    pub description: Option<String>,
    pub permission_model: String,
    pub capabilities: BTreeSet<String>,
    pub parameters: BTreeMap<String, String>,
    pub auto_deployment: Option<(bool, bool)>,
    pub preferences: OperationPreferences,
}

/// An account as the plan names it: by blueprint key (it may not exist yet) or by live id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum AccountRef {
    Key(String),
    Id(String),
}

/// Everything a permission set is made of, as it is created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PermissionSetSpec {
    pub name: String,
    pub description: Option<String>,
    pub session_duration: String,
    pub relay_state: Option<String>,
    pub managed_policies: BTreeSet<String>,
    pub customer_managed_policies: BTreeSet<PolicyReference>,
    /// Minified JSON.
    pub inline_policy: Option<String>,
    pub permissions_boundary: Option<Boundary>,
    pub tags: BTreeMap<String, String>,
}

/// What changes in an existing permission set; empty parts change nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PermissionSetChange {
    /// Description, session duration and relay state go together: UpdatePermissionSet clears a
    /// relay state it is not sent.
    pub attributes: Option<(Option<String>, String, Option<String>)>,
    pub attach_managed: BTreeSet<String>,
    pub detach_managed: BTreeSet<String>,
    pub attach_customer_managed: BTreeSet<PolicyReference>,
    pub detach_customer_managed: BTreeSet<PolicyReference>,
    /// Some(None) deletes the inline policy.
    pub inline_policy: Option<Option<String>>,
    /// Some(None) deletes the boundary.
    pub permissions_boundary: Option<Option<Boundary>>,
    pub set_tags: BTreeMap<String, String>,
    pub remove_tags: BTreeSet<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Summary {
    pub create: usize,
    pub update: usize,
    pub delete: usize,
    #[serde(rename = "move")]
    pub moves: usize,
}

impl Op {
    /// The kind of thing the operation changes.
    pub(crate) fn kind(&self) -> Kind {
        match self {
            Op::EnablePolicyType { .. } | Op::DisablePolicyType { .. } => Kind::OrganizationSetting,
            Op::CreateOu { .. }
            | Op::DeleteOu { .. }
            | Op::RenameOu { .. }
            | Op::SetTags { target: Target::Ou(_) | Target::Root, .. } => Kind::OrganizationalUnit,
            Op::CreatePolicy { .. } | Op::UpdatePolicy { .. } | Op::DeletePolicy { .. } => Kind::Policy,
            Op::CreateAccount { .. }
            | Op::MoveAccount { .. }
            | Op::CloseAccount { .. }
            | Op::InviteAccount { .. }
            | Op::SetTags { target: Target::Account(_), .. } => Kind::Account,
            Op::AttachPolicy { .. } | Op::DetachPolicy { .. } => Kind::PolicyAttachment,
            Op::CreatePermissionSet { .. } | Op::UpdatePermissionSet { .. } | Op::DeletePermissionSet { .. } => {
                Kind::PermissionSet
            }
            Op::CreateAssignment { .. } | Op::DeleteAssignment { .. } => Kind::Assignment,
            Op::EnableServiceAccess { .. }
            | Op::DisableServiceAccess { .. }
            | Op::SetRootFeature { .. }
            | Op::RegisterDelegatedAdministrator { .. }
            | Op::DeregisterDelegatedAdministrator { .. }
            | Op::SetApprovalRule { .. } => Kind::OrganizationSetting,
            Op::CreateStackSet { .. } | Op::UpdateStackSet { .. } | Op::DeleteStackSet { .. } => Kind::StackSet,
            Op::CreateStackInstances { .. } | Op::DeleteStackInstances { .. } => Kind::StackInstances,
        }
    }
}

impl Plan {
    pub(crate) fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for c in &self.changes {
            match c.action {
                Action::Create => s.create += 1,
                Action::Update => s.update += 1,
                Action::Delete => s.delete += 1,
                Action::Move => s.moves += 1,
            }
        }
        s
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}

/// The live accounts the blueprint's accounts stand for: key → live account id.
pub(crate) fn matched_accounts(
    bp: &crate::blueprint::Blueprint,
    live: &crate::live::LiveState,
) -> BTreeMap<String, String> {
    live.match_accounts(
        bp.accounts.values().map(|a| (a.key.as_str(), a.id.as_deref(), a.email.as_str(), a.name.as_str())),
    )
}
