//! AWS Config coverage: whether a configuration recorder exists and records in each member
//! account and region, read through a role every member account has (the one StackSets and
//! account creation already use). One account's failure is a row, not the end of the report.

use super::Aws;
use super::api::{config, sts};
use super::errors::call_error;
use crate::apply::CallError;
use crate::live::{CoverageRow, RecorderState};
use futures::future::join_all;

/// Credentials inside a member account, through `role_name`.
pub(in crate::aws) async fn assume(
    aws: &Aws,
    account_id: &str,
    role_name: &str,
) -> Result<aws_sdk_config::config::Credentials, CallError> {
    let arn = format!("arn:aws:iam::{account_id}:role/{role_name}");
    let out = aws
        .pacer
        .call(sts::ASSUME_ROLE, || aws.sts.assume_role().role_arn(&arn).role_session_name("lzctl-config-status").send())
        .await
        .map_err(|e| call_error(sts::ASSUME_ROLE, &arn, &e))?;
    let c = out.credentials().ok_or_else(|| CallError {
        operation: sts::ASSUME_ROLE.name(),
        resource: arn.clone(),
        message: "no credentials in the answer".into(),
    })?;
    Ok(aws_sdk_config::config::Credentials::new(
        c.access_key_id(),
        c.secret_access_key(),
        Some(c.session_token().to_string()),
        None,
        "lzctl-assume-role",
    ))
}

async fn recording_in(aws: &Aws, credentials: aws_sdk_config::config::Credentials, region: &str) -> RecorderState {
    let Some(base) = &aws.config else { return RecorderState::Unreadable("no AWS configuration".into()) };
    let config = aws_sdk_config::config::Builder::from(base)
        .credentials_provider(credentials)
        .region(aws_sdk_config::config::Region::new(region.to_string()))
        .build();
    let client = aws_sdk_config::Client::from_conf(config);
    let status = aws
        .pacer
        .call(config::DESCRIBE_RECORDER_STATUS, || client.describe_configuration_recorder_status().send())
        .await;
    match status {
        Ok(out) if out.configuration_recorders_status().is_empty() => RecorderState::NoRecorder,
        Ok(out)
            if out
                .configuration_recorders_status()
                .iter()
                .any(aws_sdk_config::types::ConfigurationRecorderStatus::recording) =>
        {
            RecorderState::Recording
        }
        Ok(_) => RecorderState::Stopped,
        Err(e) => RecorderState::Unreadable(call_error(config::DESCRIBE_RECORDER_STATUS, region, &e).message),
    }
}

/// Coverage of every (account, region): accounts as (id, name, OU path).
pub(crate) async fn coverage(
    aws: &Aws,
    accounts: &[(String, String, String)],
    regions: &[String],
    role_name: &str,
) -> Vec<CoverageRow> {
    let per_account = join_all(accounts.iter().map(|(id, name, ou)| async move {
        let credentials = match assume(aws, id, role_name).await {
            Ok(c) => c,
            Err(e) => {
                return regions
                    .iter()
                    .map(|region| CoverageRow {
                        account_id: id.clone(),
                        account_name: name.clone(),
                        ou: ou.clone(),
                        region: region.clone(),
                        state: RecorderState::Unreadable(e.message.clone()),
                    })
                    .collect::<Vec<_>>();
            }
        };
        join_all(regions.iter().map(|region| {
            let credentials = credentials.clone();
            async move {
                let state = recording_in(aws, credentials, region).await;
                CoverageRow {
                    account_id: id.clone(),
                    account_name: name.clone(),
                    ou: ou.clone(),
                    region: region.clone(),
                    state,
                }
            }
        }))
        .await
    }))
    .await;
    let mut rows: Vec<CoverageRow> = per_account.into_iter().flatten().collect();
    rows.sort();
    rows
}
