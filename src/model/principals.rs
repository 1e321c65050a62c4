//! Who and what Identity Center deals in, shared by the blueprint, the live state and the plan:
//! principals (by name and by id), and the policy references and boundaries of permission sets.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A group or user by its name in the identity store.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Principal {
    Group(String),
    User(String),
}

impl fmt::Display for Principal {
    /// As people say it: `group Developers`, `user alice`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Principal::Group(name) => write!(f, "group {name}"),
            Principal::User(name) => write!(f, "user {name}"),
        }
    }
}

impl Principal {
    pub(crate) fn name(&self) -> &str {
        match self {
            Principal::Group(name) | Principal::User(name) => name,
        }
    }

    pub(crate) fn kind(&self) -> PrincipalKind {
        match self {
            Principal::Group(_) => PrincipalKind::Group,
            Principal::User(_) => PrincipalKind::User,
        }
    }

    /// A principal known only by its id, named by it.
    pub(crate) fn unnamed(id: &PrincipalId) -> Principal {
        match id.kind {
            PrincipalKind::Group => Principal::Group(id.id.clone()),
            PrincipalKind::User => Principal::User(id.id.clone()),
        }
    }
}

/// A principal by its type and identity-store id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub(crate) struct PrincipalId {
    pub(crate) kind: PrincipalKind,
    pub(crate) id: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub(crate) enum PrincipalKind {
    Group,
    User,
}

impl PrincipalKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            PrincipalKind::Group => "GROUP",
            PrincipalKind::User => "USER",
        }
    }
}

/// A customer-managed IAM policy by name and path, as permission sets reference it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub(crate) struct PolicyReference {
    pub(crate) name: String,
    pub(crate) path: String,
}

/// A permission set's permissions boundary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Boundary {
    ManagedPolicyArn(String),
    CustomerManaged(PolicyReference),
}
