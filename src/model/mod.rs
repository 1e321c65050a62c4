//! The shared vocabulary of blueprint, live state and plan: policy types, change kinds and
//! actions, attachment targets, OU paths, principals, and policy documents compared the way IAM
//! compares them. Nothing here knows the blueprint's file format or the AWS SDK.

mod deployment;
mod document;
mod ou_path;
mod principals;
mod regions;
mod text;
mod time;

pub(crate) use deployment::{AutoDeployment, OperationPreferences};
pub(crate) use document::{canonical_json, minified, normalize_policy, pretty};
pub(crate) use ou_path::OuPath;
pub(crate) use principals::{Boundary, PolicyReference, Principal, PrincipalId, PrincipalKind};
pub(crate) use regions::{REGIONS, known_region};
pub(crate) use text::{closest, csv_table, escaped, first_unprintable, same_width_visible};
pub(crate) use time::{now_secs, parse_rfc3339, rfc3339};

use serde::{Deserialize, Serialize};
use std::fmt;

/// The name AWS gives the SCP that allows everything; attached to every target by default.
pub(crate) const FULL_AWS_ACCESS: &str = "FullAWSAccess";
/// The RCP AWS keeps attached everywhere; lzctl never plans it.
pub(crate) const RCP_FULL_AWS_ACCESS: &str = "RCPFullAWSAccess";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum PolicyType {
    ServiceControlPolicy,
    ResourceControlPolicy,
    TagPolicy,
    BackupPolicy,
    AiservicesOptOutPolicy,
    ChatbotPolicy,
    DeclarativePolicyEc2,
    SecurityhubPolicy,
    InspectorPolicy,
    BedrockPolicy,
    S3Policy,
    GuarddutyPolicy,
    NetworkSecurityDirectorPolicy,
    UpgradeRolloutPolicy,
}

impl PolicyType {
    /// Every policy type the pinned Organizations API accepts.
    pub(crate) const ALL: [PolicyType; 14] = [
        PolicyType::ServiceControlPolicy,
        PolicyType::ResourceControlPolicy,
        PolicyType::TagPolicy,
        PolicyType::BackupPolicy,
        PolicyType::AiservicesOptOutPolicy,
        PolicyType::ChatbotPolicy,
        PolicyType::DeclarativePolicyEc2,
        PolicyType::SecurityhubPolicy,
        PolicyType::InspectorPolicy,
        PolicyType::BedrockPolicy,
        PolicyType::S3Policy,
        PolicyType::GuarddutyPolicy,
        PolicyType::NetworkSecurityDirectorPolicy,
        PolicyType::UpgradeRolloutPolicy,
    ];
    /// The authorization policies: IAM policy language, evaluated by count mode.
    pub(crate) const AUTHORIZATION: [PolicyType; 2] =
        [PolicyType::ServiceControlPolicy, PolicyType::ResourceControlPolicy];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            PolicyType::ServiceControlPolicy => "SERVICE_CONTROL_POLICY",
            PolicyType::ResourceControlPolicy => "RESOURCE_CONTROL_POLICY",
            PolicyType::TagPolicy => "TAG_POLICY",
            PolicyType::BackupPolicy => "BACKUP_POLICY",
            PolicyType::AiservicesOptOutPolicy => "AISERVICES_OPT_OUT_POLICY",
            PolicyType::ChatbotPolicy => "CHATBOT_POLICY",
            PolicyType::DeclarativePolicyEc2 => "DECLARATIVE_POLICY_EC2",
            PolicyType::SecurityhubPolicy => "SECURITYHUB_POLICY",
            PolicyType::InspectorPolicy => "INSPECTOR_POLICY",
            PolicyType::BedrockPolicy => "BEDROCK_POLICY",
            PolicyType::S3Policy => "S3_POLICY",
            PolicyType::GuarddutyPolicy => "GUARDDUTY_POLICY",
            PolicyType::NetworkSecurityDirectorPolicy => "NETWORK_SECURITY_DIRECTOR_POLICY",
            PolicyType::UpgradeRolloutPolicy => "UPGRADE_ROLLOUT_POLICY",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<PolicyType> {
        PolicyType::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// SCPs and RCPs are IAM policies; every other type is a management policy (JSON with the
    /// inheritance operators `@@assign`, `@@append`, `@@remove`).
    pub(crate) fn is_authorization(self) -> bool {
        PolicyType::AUTHORIZATION.contains(&self)
    }

    /// The largest document AWS accepts, in characters minified (the documented quotas: SCP and
    /// RCP 5,120, AI services opt-out 2,500, the other types 10,000).
    pub(crate) fn max_size(self) -> usize {
        match self {
            PolicyType::ServiceControlPolicy | PolicyType::ResourceControlPolicy => 5_120,
            PolicyType::AiservicesOptOutPolicy => 2_500,
            _ => 10_000,
        }
    }

    /// The top-level key a management policy of this type holds, where AWS documents one.
    pub(crate) fn top_level_key(self) -> Option<&'static str> {
        Some(match self {
            PolicyType::TagPolicy => "tags",
            PolicyType::BackupPolicy => "plans",
            PolicyType::AiservicesOptOutPolicy => "services",
            PolicyType::ChatbotPolicy => "chatbot",
            PolicyType::DeclarativePolicyEc2 => "ec2_attributes",
            PolicyType::SecurityhubPolicy => "securityhub",
            PolicyType::InspectorPolicy => "inspector",
            _ => return None,
        })
    }
}

impl fmt::Display for PolicyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Centralized root access (IAM's organization features): member accounts without root
/// credentials, managed from the management account, and privileged root sessions there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum RootFeature {
    CredentialsManagement,
    RootSessions,
}

impl RootFeature {
    pub(crate) const ALL: [RootFeature; 2] = [RootFeature::CredentialsManagement, RootFeature::RootSessions];

    /// As the blueprint writes it (`organization.root_access.<key>`).
    pub(crate) fn key(self) -> &'static str {
        match self {
            RootFeature::CredentialsManagement => "credentials_management",
            RootFeature::RootSessions => "root_sessions",
        }
    }

    /// As IAM names it (ListOrganizationsFeatures).
    pub(crate) fn aws_name(self) -> &'static str {
        match self {
            RootFeature::CredentialsManagement => "RootCredentialsManagement",
            RootFeature::RootSessions => "RootSessions",
        }
    }

    pub(crate) fn from_aws_name(name: &str) -> Option<RootFeature> {
        RootFeature::ALL.into_iter().find(|f| f.aws_name() == name)
    }

    /// What it does, for the plan's reason.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            RootFeature::CredentialsManagement => {
                "root credentials management: member accounts are created without root credentials, and the management account can delete theirs"
            }
            RootFeature::RootSessions => {
                "root sessions: privileged tasks in member accounts through short-lived sessions (sts:AssumeRoot) from the management account"
            }
        }
    }
}

/// The service principal whose trusted access centralized root access needs.
pub(crate) const IAM_SERVICE: &str = "iam.amazonaws.com";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Kind {
    OrganizationSetting,
    OrganizationalUnit,
    Account,
    Policy,
    PolicyAttachment,
    PermissionSet,
    Assignment,
    StackSet,
    StackInstances,
}

impl Kind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Kind::OrganizationSetting => "organization_setting",
            Kind::OrganizationalUnit => "organizational_unit",
            Kind::Account => "account",
            Kind::Policy => "policy",
            Kind::PolicyAttachment => "policy_attachment",
            Kind::PermissionSet => "permission_set",
            Kind::Assignment => "assignment",
            Kind::StackSet => "stack_set",
            Kind::StackInstances => "stack_instances",
        }
    }
}

/// Where an account is in its life, as the blueprint wants it: in use, waiting in the suspended
/// OU, or closed (moved there, then CloseAccount).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Lifecycle {
    #[default]
    Active,
    Suspended,
    Closed,
}

impl Lifecycle {
    pub(crate) const ALL: [(&'static str, Lifecycle); 3] =
        [("active", Lifecycle::Active), ("suspended", Lifecycle::Suspended), ("closed", Lifecycle::Closed)];

    /// As the blueprint writes it.
    pub(crate) fn as_str(self) -> &'static str {
        Lifecycle::ALL.iter().find(|(_, l)| *l == self).map_or("active", |(word, _)| word)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Action {
    Create,
    Update,
    Delete,
    Move,
}

impl Action {
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            Action::Create => "+",
            Action::Update => "~",
            Action::Delete => "-",
            Action::Move => "→",
        }
    }
}

/// Where a policy is attached: the root, an OU by its path, or an account by its blueprint key
/// (or, for accounts the blueprint does not name, by id).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "type", content = "name", rename_all = "snake_case")]
pub(crate) enum Target {
    Root,
    Ou(OuPath),
    Account(String),
}

impl fmt::Display for Target {
    /// The form used in addresses: `Root`, `Foundational/Workloads`, `account:prod-web`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Root => f.write_str(OuPath::ROOT_NAME),
            Target::Ou(path) => write!(f, "{path}"),
            Target::Account(key) => write!(f, "account:{key}"),
        }
    }
}

#[cfg(test)]
mod tests;
