//! Closing an account (`lifecycle: closed`): CloseAccount, then DescribeAccount until AWS
//! reports it SUSPENDED (it passes through PENDING_CLOSURE). Idempotent: an account already
//! closed counts as closed.

use crate::apply::CallError;
use crate::aws::Aws;
use crate::aws::api::organizations;
use crate::aws::errors::{call_error, code};
use crate::aws::poll::{Status, Wait, poll};
use aws_sdk_organizations::types as t;

pub(super) async fn close_account(aws: &Aws, wait: Wait<'_>, account_id: &str) -> Result<Option<String>, CallError> {
    let (org, resource) = (&aws.org, format!("account {account_id}"));
    let closed =
        aws.pacer.call(organizations::CLOSE_ACCOUNT, || org.close_account().account_id(account_id).send()).await;
    match closed {
        Ok(_) => {}
        Err(e) if code(&e) == Some("AccountAlreadyClosedException") => {}
        Err(e) => return Err(call_error(organizations::CLOSE_ACCOUNT, &resource, &e)),
    }
    poll(wait, organizations::CLOSE_ACCOUNT, &resource, "", None, || async {
        let described = aws
            .pacer
            .call(organizations::DESCRIBE_ACCOUNT, || org.describe_account().account_id(account_id).send())
            .await
            .map_err(|e| call_error(organizations::DESCRIBE_ACCOUNT, &resource, &e))?;
        let account = described.account();
        let state = account
            .and_then(|a| a.state().map(t::AccountState::as_str))
            .or_else(|| account.and_then(|a| a.status().map(t::AccountStatus::as_str)))
            .unwrap_or("UNKNOWN");
        Ok(match state {
            "SUSPENDED" | "CLOSED" => Status::Done(None),
            other => Status::Running(other.to_string()),
        })
    })
    .await
}
