//! The calls `apply` makes: one AWS operation each, every name resolved to an id, grouped by the
//! service that carries them out; and the executor trait the AWS one and the in-memory test
//! organization both implement.

use crate::model::{OperationPreferences, PolicyType, PrincipalId, RootFeature};
use crate::plan::{PermissionSetChange, PermissionSetSpec, StackSetSpec};
use std::collections::{BTreeMap, BTreeSet};
use thiserror::Error;

/// One AWS operation with every name resolved to an id, by service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Call {
    Organizations(OrganizationsCall),
    IdentityCenter(IdentityCenterCall),
    StackSets(StackSetsCall),
    Iam(IamCall),
}

/// IAM: the organization's centralized root access.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum IamCall {
    SetRootFeature { feature: RootFeature, enabled: bool },
}

/// AWS Organizations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum OrganizationsCall {
    EnablePolicyType { root_id: String, policy_type: PolicyType },
    DisablePolicyType { root_id: String, policy_type: PolicyType },
    CreateOu { parent_id: String, name: String, tags: BTreeMap<String, String> },
    DeleteOu { id: String },
    RenameOu { id: String, name: String },
    CreatePolicy { name: String, policy_type: PolicyType, description: String, content: String },
    UpdatePolicy { id: String, description: Option<String>, content: Option<String> },
    DeletePolicy { id: String },
    CreateAccount { name: String, email: String, tags: BTreeMap<String, String> },
    MoveAccount { account_id: String, from_id: String, to_id: String },
    CloseAccount { account_id: String },
    InviteAccount { account_id: String },
    AttachPolicy { policy_id: String, target_id: String },
    DetachPolicy { policy_id: String, target_id: String },
    TagResource { resource_id: String, tags: BTreeMap<String, String> },
    UntagResource { resource_id: String, keys: BTreeSet<String> },
    EnableServiceAccess { service: String },
    DisableServiceAccess { service: String },
    RegisterDelegatedAdministrator { service: String, account_id: String },
    DeregisterDelegatedAdministrator { service: String, account_id: String },
}

/// IAM Identity Center.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum IdentityCenterCall {
    CreatePermissionSet { instance_arn: String, spec: PermissionSetSpec },
    UpdatePermissionSet { instance_arn: String, arn: String, change: PermissionSetChange, reprovision: bool },
    DeletePermissionSet { instance_arn: String, arn: String },
    CreateAssignment { instance_arn: String, permission_set_arn: String, principal: PrincipalId, account_id: String },
    DeleteAssignment { instance_arn: String, permission_set_arn: String, principal: PrincipalId, account_id: String },
}

/// CloudFormation StackSets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum StackSetsCall {
    CreateStackSet {
        spec: StackSetSpec,
    },
    UpdateStackSet {
        spec: StackSetSpec,
    },
    DeleteStackSet {
        name: String,
    },
    CreateStackInstances {
        stack_set: String,
        region: String,
        ou_ids: Vec<String>,
        preferences: OperationPreferences,
        /// Accounts under the OUs that get no instance.
        exclude_account_ids: Vec<String>,
    },
    DeleteStackInstances {
        stack_set: String,
        region: String,
        ou_ids: Vec<String>,
        account_ids: Vec<String>,
        preferences: OperationPreferences,
        /// Only the instances of `account_ids` under `ou_ids`.
        only_accounts: bool,
    },
}

/// An AWS operation that failed, in words: the operation, the resource, what AWS said.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
#[error("{operation} on {resource} failed: {message}")]
pub(crate) struct CallError {
    pub operation: String,
    pub resource: String,
    pub message: String,
}

/// Carries out calls; returns the id of what a create call made.
pub(crate) trait Executor {
    fn call(&self, call: &Call) -> impl std::future::Future<Output = Result<Option<String>, CallError>>;
}
