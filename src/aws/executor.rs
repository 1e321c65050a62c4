//! The executor `apply` runs calls through: each call goes to the service that carries it out,
//! with that service's polling and the command's progress callback.

use super::poll::{Polling, Progress, Wait};
use super::{Aws, iam, identity_center, organizations, stack_sets};
use crate::apply::{Call, CallError, Executor};

/// How long each kind of asynchronous operation is waited for.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Pollings {
    pub(crate) accounts: Polling,
    pub(crate) identity_center: Polling,
    pub(crate) stack_sets: Polling,
}

impl Default for Pollings {
    fn default() -> Self {
        Pollings {
            accounts: Polling::ACCOUNTS,
            identity_center: Polling::IDENTITY_CENTER,
            stack_sets: Polling::STACK_SETS,
        }
    }
}

/// Carries out calls against AWS.
pub(crate) struct AwsExecutor<'a> {
    aws: &'a Aws,
    pollings: Pollings,
    progress: Progress<'a>,
}

impl<'a> AwsExecutor<'a> {
    pub(crate) fn new(aws: &'a Aws, pollings: Pollings, progress: Progress<'a>) -> Self {
        AwsExecutor { aws, pollings, progress }
    }

    fn wait(&self, polling: Polling) -> Wait<'a> {
        Wait { polling, progress: self.progress }
    }
}

impl Executor for AwsExecutor<'_> {
    async fn call(&self, call: &Call) -> Result<Option<String>, CallError> {
        match call {
            Call::Organizations(call) => {
                organizations::execute(self.aws, call, self.wait(self.pollings.accounts)).await
            }
            Call::IdentityCenter(call) => {
                identity_center::execute(self.aws, call, self.wait(self.pollings.identity_center)).await
            }
            Call::StackSets(call) => stack_sets::execute(self.aws, call, self.wait(self.pollings.stack_sets)).await,
            Call::Iam(call) => iam::execute(self.aws, call).await,
        }
    }
}
