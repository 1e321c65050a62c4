//! IAM's side of the organization: the centralized root-access features (read, switched on and
//! off from the management account), and the root user's credentials in each member account,
//! read through a short-lived root session scoped by AWS's audit task policy.

use super::Aws;
use super::api::{iam, sts};
use super::errors::{call_error, code, failed};
use crate::apply::{CallError, IamCall};
use crate::live::{RootCredentials, RootUserRow};
use crate::model::RootFeature;
use aws_sdk_iam::config::Credentials;
use futures::future::join_all;
use std::collections::BTreeSet;
use std::sync::Arc;

/// The AWS managed task policy a root session is scoped to: it may read the root user's
/// credentials, nothing else.
const AUDIT_TASK_POLICY: &str = "policy/root-task/IAMAuditRootUserCredentials";
/// The longest root session AWS grants; the reads take seconds.
const ROOT_SESSION_SECONDS: i32 = 900;

/// How an IAM client in a member account is made from a root session's credentials (tests give
/// one per account on mocked HTTP).
pub(crate) type MemberIam = Arc<dyn Fn(&str, Credentials) -> aws_sdk_iam::Client + Send + Sync>;

/// The root-access features switched on. Before IAM has trusted access none can be on, and AWS
/// answers ServiceAccessNotEnabledException: read as none.
pub(crate) async fn read_root_features(aws: &Aws) -> Result<BTreeSet<RootFeature>, CallError> {
    let api = iam::LIST_ORGANIZATIONS_FEATURES;
    match aws.pacer.call(api, || aws.iam.list_organizations_features().send()).await {
        Ok(out) => Ok(out.enabled_features().iter().filter_map(|f| RootFeature::from_aws_name(f.as_str())).collect()),
        Err(e) if code(&e) == Some("ServiceAccessNotEnabledException") => Ok(BTreeSet::new()),
        Err(e) => Err(call_error(api, "the organization", &e)),
    }
}

/// Switches one feature on or off. Both calls succeed when the feature is already so.
pub(crate) async fn execute(aws: &Aws, call: &IamCall) -> Result<Option<String>, CallError> {
    let IamCall::SetRootFeature { feature, enabled } = call;
    let resource = format!("the organization's {}", feature.aws_name());
    let client = &aws.iam;
    macro_rules! send {
        ($api:expr, $request:ident) => {
            aws.pacer
                .call($api, || client.$request().send())
                .await
                .map(drop)
                .map_err(|e| call_error($api, &resource, &e))
        };
    }
    match (feature, enabled) {
        (RootFeature::CredentialsManagement, true) => {
            send!(iam::ENABLE_ROOT_CREDENTIALS_MANAGEMENT, enable_organizations_root_credentials_management)
        }
        (RootFeature::CredentialsManagement, false) => {
            send!(iam::DISABLE_ROOT_CREDENTIALS_MANAGEMENT, disable_organizations_root_credentials_management)
        }
        (RootFeature::RootSessions, true) => send!(iam::ENABLE_ROOT_SESSIONS, enable_organizations_root_sessions),
        (RootFeature::RootSessions, false) => send!(iam::DISABLE_ROOT_SESSIONS, disable_organizations_root_sessions),
    }?;
    Ok(None)
}

/// The root user of every given member account (id, name), each read through its own root
/// session; one account's failure is its row, not the end of the report. `partition` is the
/// caller's (`aws`, `aws-cn`, `aws-us-gov`), where the audit task policy lives.
pub(crate) async fn root_users(aws: &Aws, accounts: &[(String, String)], partition: &str) -> Vec<RootUserRow> {
    let task_policy = format!("arn:{partition}:iam::aws:{AUDIT_TASK_POLICY}");
    join_all(accounts.iter().map(|(id, name)| {
        let task_policy = task_policy.clone();
        async move {
            let credentials = match root_session(aws, id, &task_policy).await {
                Ok(credentials) => read_root_user(aws, id, credentials).await,
                Err(e) => Err(e),
            };
            RootUserRow {
                account_id: id.clone(),
                account_name: name.clone(),
                credentials: credentials.map_err(|e| format!("{}: {}", e.operation, e.message)),
            }
        }
    }))
    .await
}

/// sts:AssumeRoot into a member account, scoped to the audit task policy.
async fn root_session(aws: &Aws, account_id: &str, task_policy: &str) -> Result<Credentials, CallError> {
    let policy = aws_sdk_sts::types::PolicyDescriptorType::builder().arn(task_policy).build();
    let out = aws
        .pacer
        .call(sts::ASSUME_ROOT, || {
            aws.sts
                .assume_root()
                .target_principal(account_id)
                .task_policy_arn(policy.clone())
                .duration_seconds(ROOT_SESSION_SECONDS)
                .send()
        })
        .await
        .map_err(|e| call_error(sts::ASSUME_ROOT, account_id, &e))?;
    let c =
        out.credentials().ok_or_else(|| failed(sts::ASSUME_ROOT, account_id, "no credentials in the answer".into()))?;
    Ok(Credentials::new(
        c.access_key_id(),
        c.secret_access_key(),
        Some(c.session_token().to_string()),
        None,
        "lzctl-assume-root",
    ))
}

/// The root user's password, access keys, MFA devices and signing certificates: IAM calls with
/// no user name, made as the root user, answer for the root user.
async fn read_root_user(aws: &Aws, account_id: &str, credentials: Credentials) -> Result<RootCredentials, CallError> {
    let Some(make) = &aws.member_iam else {
        return Err(failed(sts::ASSUME_ROOT, account_id, "no AWS configuration to open a root session with".into()));
    };
    let client = make(account_id, credentials);
    let resource = format!("the root user of {account_id}");
    let password = async {
        match aws.pacer.call(iam::GET_LOGIN_PROFILE, || client.get_login_profile().send()).await {
            Ok(_) => Ok(true),
            Err(e) if code(&e) == Some("NoSuchEntity") => Ok(false),
            Err(e) => Err(call_error(iam::GET_LOGIN_PROFILE, &resource, &e)),
        }
    };
    let access_keys = async {
        let out = aws.pacer.call(iam::LIST_ACCESS_KEYS, || client.list_access_keys().max_items(100).send()).await;
        out.map(|o| o.access_key_metadata().len()).map_err(|e| call_error(iam::LIST_ACCESS_KEYS, &resource, &e))
    };
    let mfa_devices = async {
        let out = aws.pacer.call(iam::LIST_MFA_DEVICES, || client.list_mfa_devices().max_items(100).send()).await;
        out.map(|o| o.mfa_devices().len()).map_err(|e| call_error(iam::LIST_MFA_DEVICES, &resource, &e))
    };
    let signing_certificates = async {
        let out = aws
            .pacer
            .call(iam::LIST_SIGNING_CERTIFICATES, || client.list_signing_certificates().max_items(100).send())
            .await;
        out.map(|o| o.certificates().len()).map_err(|e| call_error(iam::LIST_SIGNING_CERTIFICATES, &resource, &e))
    };
    let (password, access_keys, mfa_devices, signing_certificates) =
        futures::try_join!(password, access_keys, mfa_devices, signing_certificates)?;
    Ok(RootCredentials { password, access_keys, mfa_devices, signing_certificates })
}

#[cfg(test)]
mod tests;
