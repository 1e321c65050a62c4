//! Every AWS API lzctl calls, one constant each: the pacer paces by it (with its published rate),
//! `--stats` counts by it (`organizations.ListRoots`), and errors name it
//! (`organizations:ListRoots`), so the three can never disagree.

use std::fmt;

/// How fast an API may be called: its own published rate, its service's one shared budget, or
/// (unpublished) lzctl's default.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Rate {
    /// Sustained calls per second, and burst.
    Own(f64, f64),
    /// One budget for every API of the service.
    Service(f64, f64),
    Unpublished,
}

/// One AWS API.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Api {
    /// `service.Operation`: how `--stats` names it.
    pub(crate) key: &'static str,
    pub(crate) service: &'static str,
    pub(crate) operation: &'static str,
    pub(crate) rate: Rate,
}

impl Api {
    /// `service:Operation`, as IAM and error messages name it.
    pub(crate) fn name(self) -> String {
        format!("{}:{}", self.service, self.operation)
    }

    /// Whether the API changes anything. `plan` and `validate` must never call one.
    pub(crate) fn is_mutating(self) -> bool {
        const VERBS: [&str; 21] = [
            "Create",
            "Update",
            "Delete",
            "Attach",
            "Detach",
            "Move",
            "Enable",
            "Disable",
            "Tag",
            "Untag",
            "Register",
            "Deregister",
            "Provision",
            "Put",
            "Close",
            "Invite",
            "Remove",
            "Start",
            "Stop",
            "Accept",
            "Leave",
        ];
        VERBS.iter().any(|verb| self.operation.starts_with(verb))
    }

    /// The token bucket it draws from: its own, or its service's shared one.
    pub(crate) fn bucket(self) -> &'static str {
        match self.rate {
            Rate::Service(..) => self.service,
            Rate::Own(..) | Rate::Unpublished => self.key,
        }
    }
}

impl PartialEq for Api {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl Eq for Api {}
impl PartialOrd for Api {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Api {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key.cmp(other.key)
    }
}

impl fmt::Display for Api {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key)
    }
}

/// Declares a service's APIs: `NAME = "Operation" (rate, burst)`, `(shared rate, burst)` for a
/// service budget, or nothing where AWS publishes no rate.
macro_rules! apis {
    ($service:literal; $($name:ident = $op:literal $(($rate:expr, $burst:expr))? $([shared $srate:expr, $sburst:expr])?;)*) => {
        $(
            pub(crate) const $name: super::Api = super::Api {
                key: concat!($service, ".", $op),
                service: $service,
                operation: $op,
                rate: apis!(@rate $(($rate, $burst))? $([$srate, $sburst])?),
            };
        )*
        /// Every API of the service, for the tests that check the table.
        #[cfg(test)]
        pub(crate) const ALL: &[super::Api] = &[$($name),*];
    };
    (@rate ($rate:expr, $burst:expr)) => { super::Rate::Own($rate, $burst) };
    (@rate [$rate:expr, $burst:expr]) => { super::Rate::Service($rate, $burst) };
    (@rate) => { super::Rate::Unpublished };
}

/// AWS Organizations; rates per account as AWS publishes them.
pub(crate) mod organizations {
    apis! { "organizations";
        LIST_ROOTS = "ListRoots" (1.0, 2.0);
        DESCRIBE_ORGANIZATION = "DescribeOrganization" (1.0, 2.0);
        LIST_ACCOUNTS = "ListAccounts" (8.0, 12.0);
        LIST_PARENTS = "ListParents" (5.0, 8.0);
        LIST_ACCOUNTS_FOR_PARENT = "ListAccountsForParent" (5.0, 8.0);
        LIST_OUS_FOR_PARENT = "ListOrganizationalUnitsForParent" (5.0, 8.0);
        LIST_POLICIES = "ListPolicies" (5.0, 8.0);
        LIST_TARGETS_FOR_POLICY = "ListTargetsForPolicy" (5.0, 8.0);
        DESCRIBE_POLICY = "DescribePolicy" (2.0, 2.0);
        DESCRIBE_EFFECTIVE_POLICY = "DescribeEffectivePolicy";
        LIST_TAGS_FOR_RESOURCE = "ListTagsForResource" (10.0, 15.0);
        DESCRIBE_CREATE_ACCOUNT_STATUS = "DescribeCreateAccountStatus" (5.0, 8.0);
        LIST_CREATE_ACCOUNT_STATUS = "ListCreateAccountStatus";
        CREATE_POLICY = "CreatePolicy" (2.0, 3.0);
        UPDATE_POLICY = "UpdatePolicy" (2.0, 3.0);
        DELETE_POLICY = "DeletePolicy" (2.0, 3.0);
        ATTACH_POLICY = "AttachPolicy" (2.0, 3.0);
        DETACH_POLICY = "DetachPolicy" (2.0, 3.0);
        CREATE_OU = "CreateOrganizationalUnit" (1.0, 2.0);
        DELETE_OU = "DeleteOrganizationalUnit" (2.0, 3.0);
        UPDATE_OU = "UpdateOrganizationalUnit" (2.0, 3.0);
        CLOSE_ACCOUNT = "CloseAccount";
        INVITE_ACCOUNT = "InviteAccountToOrganization" (1.0, 1.0);
        LIST_HANDSHAKES = "ListHandshakesForOrganization" (5.0, 8.0);
        LIST_HANDSHAKES_FOR_ACCOUNT = "ListHandshakesForAccount" (5.0, 8.0);
        LEAVE_ORGANIZATION = "LeaveOrganization" (1.0, 1.0);
        ACCEPT_HANDSHAKE = "AcceptHandshake" (1.0, 1.0);
        DESCRIBE_ACCOUNT = "DescribeAccount" (20.0, 30.0);
        MOVE_ACCOUNT = "MoveAccount" (2.0, 3.0);
        TAG_RESOURCE = "TagResource" (4.0, 6.0);
        UNTAG_RESOURCE = "UntagResource" (4.0, 6.0);
        ENABLE_POLICY_TYPE = "EnablePolicyType" (1.0, 1.0);
        DISABLE_POLICY_TYPE = "DisablePolicyType" (1.0, 1.0);
        CREATE_ACCOUNT = "CreateAccount" (0.1, 3.0);
        LIST_SERVICE_ACCESS = "ListAWSServiceAccessForOrganization" (5.0, 8.0);
        LIST_DELEGATED_ADMINISTRATORS = "ListDelegatedAdministrators" (5.0, 8.0);
        LIST_DELEGATED_SERVICES = "ListDelegatedServicesForAccount" (5.0, 8.0);
        ENABLE_SERVICE_ACCESS = "EnableAWSServiceAccess" (1.0, 1.0);
        DISABLE_SERVICE_ACCESS = "DisableAWSServiceAccess" (1.0, 1.0);
        REGISTER_DELEGATED_ADMINISTRATOR = "RegisterDelegatedAdministrator" (1.0, 1.0);
        DEREGISTER_DELEGATED_ADMINISTRATOR = "DeregisterDelegatedAdministrator" (1.0, 1.0);
    }
    /// The most items a listing may return per page (asked for, so pages are as few as can be).
    pub(crate) const PAGE: i32 = 20;
}

/// IAM Identity Center: 20 requests per second shared by every API.
pub(crate) mod sso_admin {
    apis! { "sso-admin";
        LIST_INSTANCES = "ListInstances" [shared 20.0, 20.0];
        LIST_PERMISSION_SETS = "ListPermissionSets" [shared 20.0, 20.0];
        DESCRIBE_PERMISSION_SET = "DescribePermissionSet" [shared 20.0, 20.0];
        LIST_ACCOUNTS_FOR_PROVISIONED = "ListAccountsForProvisionedPermissionSet" [shared 20.0, 20.0];
        LIST_MANAGED_POLICIES = "ListManagedPoliciesInPermissionSet" [shared 20.0, 20.0];
        LIST_CUSTOMER_MANAGED_REFERENCES = "ListCustomerManagedPolicyReferencesInPermissionSet" [shared 20.0, 20.0];
        GET_INLINE_POLICY = "GetInlinePolicyForPermissionSet" [shared 20.0, 20.0];
        GET_PERMISSIONS_BOUNDARY = "GetPermissionsBoundaryForPermissionSet" [shared 20.0, 20.0];
        LIST_TAGS_FOR_RESOURCE = "ListTagsForResource" [shared 20.0, 20.0];
        LIST_ACCOUNT_ASSIGNMENTS = "ListAccountAssignments" [shared 20.0, 20.0];
        LIST_ASSIGNMENTS_FOR_PRINCIPAL = "ListAccountAssignmentsForPrincipal" [shared 20.0, 20.0];
        CREATE_PERMISSION_SET = "CreatePermissionSet" [shared 20.0, 20.0];
        UPDATE_PERMISSION_SET = "UpdatePermissionSet" [shared 20.0, 20.0];
        DELETE_PERMISSION_SET = "DeletePermissionSet" [shared 20.0, 20.0];
        ATTACH_MANAGED_POLICY = "AttachManagedPolicyToPermissionSet" [shared 20.0, 20.0];
        DETACH_MANAGED_POLICY = "DetachManagedPolicyFromPermissionSet" [shared 20.0, 20.0];
        ATTACH_CUSTOMER_MANAGED_REFERENCE = "AttachCustomerManagedPolicyReferenceToPermissionSet" [shared 20.0, 20.0];
        DETACH_CUSTOMER_MANAGED_REFERENCE = "DetachCustomerManagedPolicyReferenceFromPermissionSet" [shared 20.0, 20.0];
        PUT_INLINE_POLICY = "PutInlinePolicyToPermissionSet" [shared 20.0, 20.0];
        DELETE_INLINE_POLICY = "DeleteInlinePolicyFromPermissionSet" [shared 20.0, 20.0];
        PUT_PERMISSIONS_BOUNDARY = "PutPermissionsBoundaryToPermissionSet" [shared 20.0, 20.0];
        DELETE_PERMISSIONS_BOUNDARY = "DeletePermissionsBoundaryFromPermissionSet" [shared 20.0, 20.0];
        TAG_RESOURCE = "TagResource" [shared 20.0, 20.0];
        UNTAG_RESOURCE = "UntagResource" [shared 20.0, 20.0];
        PROVISION_PERMISSION_SET = "ProvisionPermissionSet" [shared 20.0, 20.0];
        DESCRIBE_PROVISIONING_STATUS = "DescribePermissionSetProvisioningStatus" [shared 20.0, 20.0];
        CREATE_ACCOUNT_ASSIGNMENT = "CreateAccountAssignment" [shared 20.0, 20.0];
        DELETE_ACCOUNT_ASSIGNMENT = "DeleteAccountAssignment" [shared 20.0, 20.0];
        DESCRIBE_ASSIGNMENT_CREATION = "DescribeAccountAssignmentCreationStatus" [shared 20.0, 20.0];
        DESCRIBE_ASSIGNMENT_DELETION = "DescribeAccountAssignmentDeletionStatus" [shared 20.0, 20.0];
    }
    /// The most items a listing may return per page.
    pub(crate) const PAGE: i32 = 100;
}

/// The Identity Center identity store: 20 requests per second shared by every API.
pub(crate) mod identitystore {
    apis! { "identitystore";
        LIST_GROUPS = "ListGroups" [shared 20.0, 20.0];
        LIST_USERS = "ListUsers" [shared 20.0, 20.0];
        LIST_GROUP_MEMBERSHIPS = "ListGroupMemberships" [shared 20.0, 20.0];
    }
    /// The most items a listing may return per page.
    pub(crate) const PAGE: i32 = 100;
}

/// CloudFormation StackSets (rates unpublished).
pub(crate) mod cloudformation {
    apis! { "cloudformation";
        LIST_STACK_SETS = "ListStackSets";
        DESCRIBE_STACK_SET = "DescribeStackSet";
        LIST_STACK_INSTANCES = "ListStackInstances";
        CREATE_STACK_SET = "CreateStackSet";
        UPDATE_STACK_SET = "UpdateStackSet";
        DELETE_STACK_SET = "DeleteStackSet";
        CREATE_STACK_INSTANCES = "CreateStackInstances";
        DELETE_STACK_INSTANCES = "DeleteStackInstances";
        DESCRIBE_STACK_SET_OPERATION = "DescribeStackSetOperation";
        LIST_STACK_SET_OPERATION_RESULTS = "ListStackSetOperationResults";
    }
    /// The most items a listing may return per page.
    pub(crate) const PAGE: i32 = 100;
}

/// Amazon S3, where an organization trail delivers CloudTrail's log files; S3's published rates
/// (thousands of requests per second per prefix) are far above what count mode needs.
pub(crate) mod s3 {
    apis! { "s3";
        LIST_OBJECTS = "ListObjectsV2";
        GET_OBJECT = "GetObject";
    }
    /// The most keys a listing may return per page.
    pub(crate) const PAGE: i32 = 1000;
}

/// CloudTrail's event history, read in member accounts (2 requests/s per account and region,
/// which `cloudtrail.rs` keeps per account and region).
pub(crate) mod cloudtrail {
    apis! { "cloudtrail";
        LOOKUP_EVENTS = "LookupEvents";
    }
    /// The most events a page may return.
    pub(crate) const PAGE: i32 = 50;
    /// The least time between two pages of one account and region.
    pub(crate) const PAGE_INTERVAL: std::time::Duration = std::time::Duration::from_millis(500);
}

/// IAM: the organization's root-access features (management account), and the root user's
/// credentials read in member accounts through a root session. IAM publishes no rates.
pub(crate) mod iam {
    apis! { "iam";
        LIST_ORGANIZATIONS_FEATURES = "ListOrganizationsFeatures";
        ENABLE_ROOT_CREDENTIALS_MANAGEMENT = "EnableOrganizationsRootCredentialsManagement";
        DISABLE_ROOT_CREDENTIALS_MANAGEMENT = "DisableOrganizationsRootCredentialsManagement";
        ENABLE_ROOT_SESSIONS = "EnableOrganizationsRootSessions";
        DISABLE_ROOT_SESSIONS = "DisableOrganizationsRootSessions";
        GET_LOGIN_PROFILE = "GetLoginProfile";
        LIST_ACCESS_KEYS = "ListAccessKeys";
        LIST_MFA_DEVICES = "ListMFADevices";
        LIST_SIGNING_CERTIFICATES = "ListSigningCertificates";
    }
}

/// AWS Config, read in member accounts.
pub(crate) mod config {
    apis! { "config";
        DESCRIBE_RECORDER_STATUS = "DescribeConfigurationRecorderStatus";
    }
}

/// Every API lzctl calls.
#[cfg(test)]
pub(crate) fn all() -> Vec<Api> {
    [
        organizations::ALL,
        sso_admin::ALL,
        identitystore::ALL,
        cloudformation::ALL,
        config::ALL,
        iam::ALL,
        s3::ALL,
        cloudtrail::ALL,
        sts::ALL,
    ]
    .concat()
}

/// STS; and `CREDENTIALS`, not an API but named like one in errors: resolving credentials.
pub(crate) mod sts {
    apis! { "sts";
        GET_CALLER_IDENTITY = "GetCallerIdentity";
        ASSUME_ROLE = "AssumeRole";
        ASSUME_ROOT = "AssumeRoot";
        CREDENTIALS = "ResolveCredentials";
    }
}
