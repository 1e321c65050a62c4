//! Centralized root access on mocks (the emulator has neither IAM's organization features nor
//! sts:AssumeRoot): the features read (none before IAM has trusted access), each switched on
//! and off through its own API, and the root users of member accounts read through root
//! sessions scoped to the audit task policy, one account's failure being its own row.

use super::*;
use crate::aws::test_support::{Mocked, mocked_aws};
use aws_sdk_iam::Client as Iam;
use aws_sdk_iam::operation::disable_organizations_root_sessions::DisableOrganizationsRootSessionsOutput;
use aws_sdk_iam::operation::enable_organizations_root_credentials_management::EnableOrganizationsRootCredentialsManagementOutput;
use aws_sdk_iam::operation::enable_organizations_root_sessions::EnableOrganizationsRootSessionsOutput;
use aws_sdk_iam::operation::get_login_profile::GetLoginProfileOutput;
use aws_sdk_iam::operation::list_access_keys::ListAccessKeysOutput;
use aws_sdk_iam::operation::list_mfa_devices::ListMfaDevicesOutput;
use aws_sdk_iam::operation::list_organizations_features::ListOrganizationsFeaturesOutput;
use aws_sdk_iam::operation::list_signing_certificates::ListSigningCertificatesOutput;
use aws_sdk_iam::primitives::DateTime;
use aws_sdk_iam::types::{AccessKeyMetadata, FeatureType, LoginProfile, MfaDevice};
use aws_sdk_sts::Client as Sts;
use aws_sdk_sts::operation::assume_root::AssumeRootOutput;
use aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityOutput;
use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
use std::collections::BTreeMap;

/// An error answer as AWS sends it for the query protocols (IAM, STS).
fn query_error(code: &str, message: &str) -> String {
    format!(
        "<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>r</RequestId></ErrorResponse>"
    )
}

#[tokio::test]
async fn features_read_as_enabled_and_as_none_before_iam_has_trusted_access() {
    let both = mock!(Iam::list_organizations_features).then_output(|| {
        ListOrganizationsFeaturesOutput::builder()
            .enabled_features(FeatureType::RootCredentialsManagement)
            .enabled_features(FeatureType::RootSessions)
            .build()
    });
    let aws = mocked_aws(&Mocked { iam: &[&both], ..Mocked::default() });
    assert_eq!(
        read_root_features(&aws).await.unwrap(),
        BTreeSet::from([RootFeature::CredentialsManagement, RootFeature::RootSessions])
    );

    let untrusted = mock!(Iam::list_organizations_features)
        .sequence()
        .http_status(400, Some(query_error("ServiceAccessNotEnabledException", "no trusted access")))
        .build();
    let aws = mocked_aws(&Mocked { iam: &[&untrusted], ..Mocked::default() });
    assert_eq!(read_root_features(&aws).await.unwrap(), BTreeSet::new());

    let not_all_features = mock!(Iam::list_organizations_features)
        .sequence()
        .http_status(400, Some(query_error("OrganizationNotInAllFeaturesModeException", "consolidated billing")))
        .build();
    let aws = mocked_aws(&Mocked { iam: &[&not_all_features], ..Mocked::default() });
    let err = read_root_features(&aws).await.unwrap_err();
    assert_eq!(err.operation, "iam:ListOrganizationsFeatures");
    assert!(err.message.contains("enable-all-features"), "{}", err.message);
}

#[tokio::test]
async fn each_feature_is_switched_through_its_own_api() {
    let credentials_on = mock!(Iam::enable_organizations_root_credentials_management)
        .then_output(|| EnableOrganizationsRootCredentialsManagementOutput::builder().build());
    let sessions_on = mock!(Iam::enable_organizations_root_sessions)
        .then_output(|| EnableOrganizationsRootSessionsOutput::builder().build());
    let sessions_off = mock!(Iam::disable_organizations_root_sessions)
        .then_output(|| DisableOrganizationsRootSessionsOutput::builder().build());
    let aws = mocked_aws(&Mocked { iam: &[&credentials_on, &sessions_on, &sessions_off], ..Mocked::default() });
    let set = |feature, enabled| IamCall::SetRootFeature { feature, enabled };
    execute(&aws, &set(RootFeature::CredentialsManagement, true)).await.unwrap();
    execute(&aws, &set(RootFeature::RootSessions, true)).await.unwrap();
    execute(&aws, &set(RootFeature::RootSessions, false)).await.unwrap();
    assert_eq!((credentials_on.num_calls(), sessions_on.num_calls(), sessions_off.num_calls()), (1, 1, 1));

    let untrusted = mock!(Iam::enable_organizations_root_sessions)
        .sequence()
        .http_status(400, Some(query_error("ServiceAccessNotEnabledException", "trusted access is not enabled")))
        .build();
    let aws = mocked_aws(&Mocked { iam: &[&untrusted], ..Mocked::default() });
    let err = execute(&aws, &set(RootFeature::RootSessions, true)).await.unwrap_err();
    assert_eq!(err.operation, "iam:EnableOrganizationsRootSessions");
    assert_eq!(err.resource, "the organization's RootSessions");
    assert!(err.message.contains("iam.amazonaws.com"), "the fix is named: {}", err.message);
}

/// A member account's IAM as its root user sees it.
fn member_iam(password: bool, access_keys: usize, mfa_devices: usize) -> aws_sdk_iam::Client {
    let profile = if password {
        mock!(Iam::get_login_profile).then_output(|| {
            GetLoginProfileOutput::builder()
                .login_profile(
                    LoginProfile::builder().user_name("root").create_date(DateTime::from_secs(0)).build().unwrap(),
                )
                .build()
        })
    } else {
        mock!(Iam::get_login_profile)
            .sequence()
            .http_status(404, Some(query_error("NoSuchEntity", "The user with name root cannot be found.")))
            .build()
    };
    let keys = mock!(Iam::list_access_keys).then_output(move || {
        let keys = (0..access_keys).map(|i| AccessKeyMetadata::builder().access_key_id(format!("AKIA{i}")).build());
        ListAccessKeysOutput::builder().set_access_key_metadata(Some(keys.collect())).build().unwrap()
    });
    let mfa = mock!(Iam::list_mfa_devices).then_output(move || {
        let devices = (0..mfa_devices).map(|i| {
            MfaDevice::builder()
                .user_name("root")
                .serial_number(format!("arn:aws:iam::1:mfa/{i}"))
                .enable_date(DateTime::from_secs(0))
                .build()
                .unwrap()
        });
        ListMfaDevicesOutput::builder().set_mfa_devices(Some(devices.collect())).build().unwrap()
    });
    let certificates = mock!(Iam::list_signing_certificates)
        .then_output(|| ListSigningCertificatesOutput::builder().set_certificates(Some(vec![])).build().unwrap());
    mock_client!(aws_sdk_iam, RuleMode::MatchAny, &[&profile, &keys, &mfa, &certificates], |c| c
        .retry_config(aws_config::retry::RetryConfig::disabled()))
}

fn session_for(account: &'static str) -> Rule {
    mock!(Sts::assume_root)
        .match_requests(move |r| {
            r.target_principal() == Some(account)
                && r.task_policy_arn().and_then(|p| p.arn())
                    == Some("arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials")
                && r.duration_seconds() == Some(900)
        })
        .then_output(move || {
            let credentials = aws_sdk_sts::types::Credentials::builder()
                .access_key_id(format!("ASIA-{account}"))
                .secret_access_key("secret")
                .session_token("token")
                .expiration(aws_sdk_sts::primitives::DateTime::from_secs(900))
                .build()
                .unwrap();
            AssumeRootOutput::builder().credentials(credentials).build()
        })
}

#[tokio::test]
async fn root_users_are_read_through_a_root_session_per_account_and_a_refusal_is_its_row() {
    let caller = mock!(Sts::get_caller_identity).then_output(|| {
        GetCallerIdentityOutput::builder().arn("arn:aws:sts::999999999999:assumed-role/Admin/me").build()
    });
    let (clean, leaky) = (session_for("111111111111"), session_for("222222222222"));
    let refused = mock!(Sts::assume_root)
        .match_requests(|r| r.target_principal() == Some("333333333333"))
        .sequence()
        .http_status(403, Some(query_error("AccessDenied", "root sessions are not enabled")))
        .build();
    let mut aws = mocked_aws(&Mocked { sts: &[&caller, &clean, &leaky, &refused], ..Mocked::default() });
    let members: BTreeMap<&str, aws_sdk_iam::Client> =
        BTreeMap::from([("111111111111", member_iam(false, 0, 0)), ("222222222222", member_iam(true, 1, 1))]);
    aws.member_iam = Some(Arc::new(move |account: &str, credentials: Credentials| {
        assert_eq!(credentials.access_key_id(), format!("ASIA-{account}"), "the account's own root session");
        members[account].clone()
    }));
    let accounts: Vec<(String, String)> =
        [("111111111111", "clean"), ("222222222222", "leaky"), ("333333333333", "refused")]
            .map(|(id, name)| (id.to_string(), name.to_string()))
            .into();
    let rows = aws.root_users(&accounts).await.unwrap();
    assert_eq!(rows[0].credentials, Ok(RootCredentials::default()));
    assert!(!rows[0].credentials.as_ref().unwrap().any());
    assert_eq!(
        rows[1].credentials,
        Ok(RootCredentials { password: true, access_keys: 1, mfa_devices: 1, signing_certificates: 0 })
    );
    let why = rows[2].credentials.as_ref().unwrap_err();
    assert!(why.starts_with("sts:AssumeRoot: AccessDenied: root sessions are not enabled"), "{why}");
    assert_eq!((clean.num_calls(), leaky.num_calls(), refused.num_calls()), (1, 1, 1));
}

#[tokio::test]
async fn the_audit_policy_is_the_callers_partition() {
    let caller = mock!(Sts::get_caller_identity).then_output(|| {
        GetCallerIdentityOutput::builder().arn("arn:aws-cn:sts::999999999999:assumed-role/Admin/me").build()
    });
    let china = mock!(Sts::assume_root)
        .match_requests(|r| {
            r.task_policy_arn().and_then(|p| p.arn())
                == Some("arn:aws-cn:iam::aws:policy/root-task/IAMAuditRootUserCredentials")
        })
        .sequence()
        .http_status(403, Some(query_error("AccessDenied", "matched")))
        .build();
    let aws = mocked_aws(&Mocked { sts: &[&caller, &china], ..Mocked::default() });
    let rows = aws.root_users(&[("111111111111".into(), "a".into())]).await.unwrap();
    assert!(rows[0].credentials.as_ref().unwrap_err().contains("matched"), "{rows:?}");
}
