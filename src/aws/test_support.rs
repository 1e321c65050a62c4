//! Test support for the AWS layer: clients on mocked HTTP (aws-smithy-mocks), built one way for
//! every service, an executor with one polling for all, and AWS's JSON error body.

use super::executor::{AwsExecutor, Pollings};
use super::pacing::{Pacer, RetryPolicy};
use super::poll::Polling;
use super::{Aws, Clients};
use aws_smithy_mocks::{Rule, RuleMode, mock_client};

/// The mocked answers, per service; a service without rules is never called.
#[derive(Default)]
pub(crate) struct Mocked<'a> {
    pub(crate) org: &'a [&'a Rule],
    pub(crate) sso: &'a [&'a Rule],
    pub(crate) store: &'a [&'a Rule],
    pub(crate) cfn: &'a [&'a Rule],
    pub(crate) iam: &'a [&'a Rule],
    pub(crate) sts: &'a [&'a Rule],
}

/// An `Aws` on mocked clients; as in `Aws::connect`, the SDK does not retry, lzctl's pacer does.
pub(crate) fn mocked_aws(rules: &Mocked<'_>) -> Aws {
    macro_rules! client {
        ($sdk:ident, $rules:expr) => {
            mock_client!($sdk, RuleMode::MatchAny, $rules, |c| c
                .retry_config(aws_config::retry::RetryConfig::disabled()))
        };
    }
    let clients = Clients {
        org: client!(aws_sdk_organizations, rules.org),
        sso: client!(aws_sdk_ssoadmin, rules.sso),
        identitystore: client!(aws_sdk_identitystore, rules.store),
        cfn: client!(aws_sdk_cloudformation, rules.cfn),
        iam: client!(aws_sdk_iam, rules.iam),
        sts: client!(aws_sdk_sts, rules.sts),
    };
    Aws::from_clients(clients, Pacer::new(RetryPolicy::default()))
}

/// An executor that waits for every kind of operation with `polling` and shows no progress.
pub(crate) fn executor(aws: &Aws, polling: Polling) -> AwsExecutor<'_> {
    AwsExecutor::new(aws, Pollings { accounts: polling, identity_center: polling, stack_sets: polling }, &|_| {})
}

/// An error answer as AWS sends it for the JSON protocols.
pub(crate) fn aws_error(code: &str, message: &str) -> String {
    format!(r#"{{"__type":"{code}","Message":"{message}"}}"#)
}
