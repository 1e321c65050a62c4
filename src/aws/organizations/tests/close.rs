//! Closing an account on mocks (the emulator closes at once): PENDING_CLOSURE is followed to
//! SUSPENDED, an account already closed counts as closed, and AWS's quota refusal is reported
//! with the operation and the account.

use crate::apply::{Call, Executor, OrganizationsCall};
use crate::aws::poll::Polling;
use crate::aws::test_support::{Mocked, aws_error, executor, mocked_aws};
use aws_sdk_organizations::Client;
use aws_sdk_organizations::operation::close_account::CloseAccountOutput;
use aws_sdk_organizations::operation::describe_account::DescribeAccountOutput;
use aws_sdk_organizations::types::{Account, AccountState};
use aws_smithy_mocks::{Rule, mock};
use std::time::Duration;

const POLLING: Polling = Polling::every(Duration::from_secs(5), Duration::from_secs(60));

fn described(state: AccountState) -> DescribeAccountOutput {
    DescribeAccountOutput::builder().account(Account::builder().id("222222222222").state(state).build()).build()
}

fn close() -> Call {
    Call::Organizations(OrganizationsCall::CloseAccount { account_id: "222222222222".into() })
}

async fn run(rules: &[&Rule]) -> Result<Option<String>, crate::apply::CallError> {
    let aws = mocked_aws(&Mocked { org: rules, ..Mocked::default() });
    executor(&aws, POLLING).call(&close()).await
}

#[tokio::test(start_paused = true)]
async fn pending_closure_is_followed_to_suspended() {
    let closing = mock!(Client::close_account).then_output(|| CloseAccountOutput::builder().build());
    let states = mock!(Client::describe_account)
        .sequence()
        .output(|| described(AccountState::PendingClosure))
        .output(|| described(AccountState::PendingClosure))
        .output(|| described(AccountState::Suspended))
        .build();
    assert_eq!(run(&[&closing, &states]).await, Ok(None));
    assert_eq!(states.num_calls(), 3, "polled until SUSPENDED");
}

#[tokio::test(start_paused = true)]
async fn an_account_already_closed_counts_as_closed_and_the_quota_is_named() {
    let already = mock!(Client::close_account)
        .sequence()
        .http_status(400, Some(aws_error("AccountAlreadyClosedException", "closed")))
        .build();
    let suspended = mock!(Client::describe_account).then_output(|| described(AccountState::Suspended));
    assert_eq!(run(&[&already, &suspended]).await, Ok(None));

    let quota = mock!(Client::close_account)
        .sequence()
        .http_status(
            400,
            Some(aws_error("ConstraintViolationException", "CLOSE_ACCOUNT_QUOTA_EXCEEDED: too many accounts closed")),
        )
        .build();
    let err = run(&[&quota]).await.expect_err("refused");
    assert_eq!((err.operation.as_str(), err.resource.as_str()), ("organizations:CloseAccount", "account 222222222222"));
    assert!(err.message.contains("CLOSE_ACCOUNT_QUOTA_EXCEEDED"), "{err}");
}
