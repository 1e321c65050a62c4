//! The live organization as plain Rust values: what `src/aws/` read, and all the planner knows
//! of AWS. Lookups by path, name and email live here so every consumer resolves them alike.

use crate::model::{
    AutoDeployment, Boundary, OuPath, PolicyReference, PolicyType, Principal, PrincipalId, RootFeature,
};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct LiveState {
    pub organization_id: String,
    pub management_account_id: String,
    pub root: LiveRoot,
    /// By id.
    pub ous: BTreeMap<String, LiveOu>,
    /// By id.
    pub accounts: BTreeMap<String, LiveAccount>,
    /// By id; SCPs and RCPs only.
    pub policies: BTreeMap<String, LivePolicy>,
    /// Read only when the blueprint has an `identity_center` section.
    pub identity_center: Option<LiveIdentityCenter>,
    /// Services with trusted access; read only when the blueprint lists trusted services.
    pub trusted_services: Option<BTreeSet<String>>,
    /// Service principal → delegated administrator account ids; read only when the blueprint
    /// names delegated administrators.
    pub delegated_administrators: Option<BTreeMap<String, BTreeSet<String>>>,
    /// By name; read only when the blueprint has `stack_sets`.
    pub stack_sets: Option<BTreeMap<String, LiveStackSet>>,
    /// The organization's invitations (AWS keeps them 30 days after they end); read only when
    /// the blueprint invites an account.
    pub handshakes: Option<Vec<LiveHandshake>>,
    /// The centralized root-access features switched on; read only when the blueprint has
    /// `organization.root_access`.
    pub root_features: Option<BTreeSet<RootFeature>>,
}

/// An invitation to join the organization, as AWS reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LiveHandshake {
    pub id: String,
    /// The invited account.
    pub account_id: String,
    /// REQUESTED, OPEN, ACCEPTED, DECLINED, CANCELED or EXPIRED.
    pub state: String,
    /// RFC 3339.
    pub requested_at: String,
    pub expires_at: String,
}

impl LiveHandshake {
    /// Still waiting for the invited account to answer.
    pub(crate) fn is_open(&self) -> bool {
        matches!(self.state.as_str(), "REQUESTED" | "OPEN")
    }
}

/// A CloudFormation stack set as read. Fields the service did not report are None and are
/// not compared (the emulator omits auto-deployment and capabilities).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LiveStackSet {
    pub name: String,
    pub description: Option<String>,
    pub template_body: String,
    pub parameters: BTreeMap<String, String>,
    pub capabilities: Option<BTreeSet<String>>,
    pub permission_model: Option<String>,
    pub auto_deployment: Option<AutoDeployment>,
    /// Only read for the stack sets the blueprint manages.
    pub instances: Vec<LiveStackInstance>,
    /// The OUs recorded as deployment targets (AWS reports them; the emulator does not: None).
    pub target_ou_ids: Option<BTreeSet<String>>,
}

impl LiveStackSet {
    /// A stack set known by its name only (one the blueprint does not manage is not read).
    pub(crate) fn named(name: &str) -> LiveStackSet {
        LiveStackSet {
            name: name.to_string(),
            description: None,
            template_body: String::new(),
            parameters: BTreeMap::new(),
            capabilities: None,
            permission_model: None,
            auto_deployment: None,
            instances: Vec::new(),
            target_ou_ids: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct LiveStackInstance {
    pub account_id: String,
    pub region: String,
    /// The OU the instance was deployed through; AWS reports it, the emulator does not.
    pub ou_id: Option<String>,
    /// Why the instance failed (its last operation FAILED, or it is INOPERABLE); None while it
    /// stands.
    pub failed: Option<String>,
}

/// IAM Identity Center as read: the instance, permission sets, the assignments of the managed
/// ones, and the blueprint's principals resolved to ids.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct LiveIdentityCenter {
    pub instance_arn: String,
    pub identity_store_id: String,
    /// By name.
    pub permission_sets: BTreeMap<String, LivePermissionSet>,
    /// Assignments of every permission set (a plan shows those of sets it does not manage).
    pub assignments: BTreeSet<LiveAssignment>,
    /// The blueprint's principals, resolved; a principal missing here does not exist.
    pub principals: BTreeMap<Principal, String>,
    /// Names of principals by id, for showing assignments made by hand.
    pub principal_names: BTreeMap<String, Principal>,
    /// Every user's email by user id.
    pub user_emails: BTreeMap<String, String>,
    /// Every user's display name and status (ENABLED, DISABLED) by user id.
    pub user_details: BTreeMap<String, (String, String)>,
    /// Group id → member user ids; read only when asked (inventory --expand-groups).
    pub memberships: Option<BTreeMap<String, BTreeSet<String>>>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LivePermissionSet {
    pub arn: String,
    pub name: String,
    pub description: Option<String>,
    pub session_duration: Option<String>,
    pub relay_state: Option<String>,
    /// Attributes below are read only for managed permission sets.
    pub managed_policies: BTreeSet<String>,
    pub customer_managed_policies: BTreeSet<PolicyReference>,
    pub inline_policy: Option<Value>,
    /// `Unknown` where the service would not say (the emulator does not implement it).
    pub permissions_boundary: Readable<Option<Boundary>>,
    pub tags: Readable<BTreeMap<String, String>>,
    /// Accounts it is provisioned to.
    pub provisioned_accounts: BTreeSet<String>,
}

/// A value the service may be unable to report; an unknown value never plans a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Readable<T> {
    Known(T),
    Unknown(String),
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct LiveAssignment {
    pub permission_set: String,
    pub account_id: String,
    /// The principal's type and id.
    pub principal: PrincipalId,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct LiveRoot {
    pub id: String,
    /// Policy types enabled on the root.
    pub policy_types: BTreeSet<PolicyType>,
    /// The root's tags, where the approval rule in force is recorded; read when the scope asks.
    pub tags: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LiveOu {
    pub id: String,
    pub name: String,
    pub parent_id: String,
    /// Read only for OUs whose tags the blueprint manages; None when not read.
    pub tags: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LiveAccount {
    pub id: String,
    pub name: String,
    pub email: String,
    pub status: String,
    pub parent_id: String,
    /// Read only for accounts whose tags the blueprint manages; None when not read.
    pub tags: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LivePolicy {
    pub id: String,
    pub name: String,
    pub policy_type: PolicyType,
    pub description: String,
    pub aws_managed: bool,
    /// Read only for policies the blueprint names; None when not read.
    pub document: Option<Value>,
    /// Ids of the roots, OUs and accounts it is attached to.
    pub targets: BTreeSet<String>,
}

/// What the reader should read beyond the tree: tags where the blueprint manages them, and the
/// documents of the policies it names. Each costs a call per item, so nothing more is read.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct ReadScope {
    /// Read the organization's invitations (the blueprint invites an account).
    #[serde(default)]
    pub handshakes: bool,
    pub tagged_ou_paths: BTreeSet<OuPath>,
    pub tagged_account_emails: BTreeSet<String>,
    pub tagged_account_names: BTreeSet<String>,
    pub policy_names: BTreeSet<String>,
    /// The Identity Center part to read; None when the blueprint has none.
    pub identity_center: Option<IdentityCenterScope>,
    pub trusted_services: bool,
    pub delegated_administrators: bool,
    /// Stack sets whose details and instances to read; None: stack sets are not read at all.
    pub stack_sets: Option<BTreeSet<String>>,
    /// Skip policies and their attachments (an inventory does not need them).
    pub skip_policies: bool,
    /// Read the root's tags: the approval rule in force (plan and apply need it).
    #[serde(default)]
    pub approval_rule: bool,
    /// Read the tags of every OU and account and the document of every customer policy: what
    /// an import needs.
    #[serde(default)]
    pub everything: bool,
    /// Read the document of every customer policy (count mode with the live policies).
    #[serde(default)]
    pub all_documents: bool,
    /// Read every stack set in full (with `stack_sets` Some).
    #[serde(default)]
    pub all_stack_sets: bool,
    /// Read the tags of every account (an inventory shows them).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub account_tags: bool,
    /// Read the centralized root-access features (IAM).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub root_access: bool,
    /// Read the document of every management policy (tag, backup …): the effective policies
    /// the plan changes are computed from them.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub management_documents: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct IdentityCenterScope {
    /// The instance the blueprint names, when the account has more than one.
    pub instance_arn: Option<String>,
    pub permission_sets: BTreeSet<String>,
    pub principals: BTreeSet<Principal>,
    /// Read the assignments of every permission set (not only the named ones), and no
    /// permission-set details: what an inventory needs.
    pub all_permission_sets: bool,
    /// Read every group's members.
    pub memberships: bool,
    /// With `all_permission_sets`: read every permission set's details too (an import).
    #[serde(default)]
    pub details: bool,
}

impl LiveState {
    /// The OU path of a parent id (an OU's or the root's); None for an id that is not known.
    pub(crate) fn path_of(&self, parent_id: &str) -> Option<OuPath> {
        if parent_id == self.root.id {
            return Some(OuPath::root());
        }
        let ou = self.ous.get(parent_id)?;
        Some(self.path_of(&ou.parent_id)?.child(&ou.name))
    }

    /// Every OU by its path. Where AWS holds two sibling OUs of one name, the lower id wins.
    pub(crate) fn ous_by_path(&self) -> BTreeMap<OuPath, &LiveOu> {
        let mut by_path = BTreeMap::new();
        for ou in self.ous.values() {
            if let Some(path) = self.path_of(&ou.id) {
                by_path.entry(path).or_insert(ou);
            }
        }
        by_path
    }

    /// Where an account is: the path of its parent, None for an account or parent not known.
    pub(crate) fn account_path(&self, account_id: &str) -> Option<OuPath> {
        self.path_of(&self.accounts.get(account_id)?.parent_id)
    }

    /// The live accounts blueprint accounts stand for, matched by id where given, then by
    /// email, then by name, through indexes: key → live account id.
    pub(crate) fn match_accounts<'a>(
        &self,
        wanted: impl Iterator<Item = (&'a str, Option<&'a str>, &'a str, &'a str)>,
    ) -> BTreeMap<String, String> {
        let mut by_email: BTreeMap<String, &str> = BTreeMap::new();
        let mut by_name: BTreeMap<&str, &str> = BTreeMap::new();
        for a in self.accounts.values() {
            by_email.entry(a.email.to_ascii_lowercase()).or_insert(&a.id);
            by_name.entry(&a.name).or_insert(&a.id);
        }
        wanted
            .filter_map(|(key, id, email, name)| {
                let id = id
                    .filter(|id| self.accounts.contains_key(*id))
                    .or_else(|| by_email.get(&email.to_ascii_lowercase()).copied())
                    .or_else(|| by_name.get(name).copied())?;
                Some((key.to_string(), id.to_string()))
            })
            .collect()
    }

    pub(crate) fn policy_by_name(&self, name: &str) -> Option<&LivePolicy> {
        self.policies.values().find(|p| p.name == name)
    }

    /// Ids of the policies of the managed types attached to a target.
    pub(crate) fn attached_to(&self, target_id: &str) -> impl Iterator<Item = &LivePolicy> {
        self.policies.values().filter(move |p| p.targets.contains(target_id))
    }

    /// Whether an account is in an OU or anywhere under it.
    pub(crate) fn is_under(&self, account_id: &str, ou: &OuPath) -> bool {
        self.account_path(account_id).is_some_and(|path| ou.contains(&path))
    }
}

/// Whether AWS Config records in one account and region, as read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum RecorderState {
    Recording,
    Stopped,
    NoRecorder,
    /// No instance of the blueprint's stack sets deploys to the account-region.
    NoStackInstance,
    /// The stack instance that deploys Config there failed, and why.
    StackInstanceFailed(String),
    Unreadable(String),
}

impl RecorderState {
    pub(crate) fn label(&self) -> String {
        match self {
            RecorderState::Recording => "recording".into(),
            RecorderState::Stopped => "recorder stopped".into(),
            RecorderState::NoRecorder => "recorder missing".into(),
            RecorderState::NoStackInstance => "no stack instance".into(),
            RecorderState::StackInstanceFailed(why) => format!("stack instance failed: {why}"),
            RecorderState::Unreadable(why) => format!("unreadable: {why}"),
        }
    }

    /// As JSON and CSV name it.
    pub(crate) fn code(&self) -> &'static str {
        match self {
            RecorderState::Recording => "recording",
            RecorderState::Stopped => "recorder_stopped",
            RecorderState::NoRecorder => "recorder_missing",
            RecorderState::NoStackInstance => "no_stack_instance",
            RecorderState::StackInstanceFailed(_) => "stack_instance_failed",
            RecorderState::Unreadable(_) => "unreadable",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct CoverageRow {
    pub account_id: String,
    pub account_name: String,
    /// The account's OU path (`Root` for the root).
    pub ou: String,
    pub region: String,
    pub state: RecorderState,
}

/// What a member account's root user holds, read through a root session with AWS's audit task
/// policy (`lzctl root-status`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub(crate) struct RootCredentials {
    pub password: bool,
    pub access_keys: usize,
    pub mfa_devices: usize,
    pub signing_certificates: usize,
}

impl RootCredentials {
    pub(crate) fn any(&self) -> bool {
        self.password || self.access_keys + self.mfa_devices + self.signing_certificates > 0
    }
}

/// One member account's root user: its credentials, or why they could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RootUserRow {
    pub account_id: String,
    pub account_name: String,
    pub credentials: Result<RootCredentials, String>,
}

impl RootUserRow {
    /// Read, and found holding some credential.
    pub(crate) fn has_credentials(&self) -> bool {
        self.credentials.as_ref().is_ok_and(RootCredentials::any)
    }
}
