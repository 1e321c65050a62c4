//! What the emulator cannot show, against mocked SDK clients: asynchronous account creation
//! that fails, throttling, server errors, and the idempotent answers AWS gives to repeated work.

mod close;
mod handshakes;
mod policy_types;

use crate::apply::{Call, Executor, OrganizationsCall};
use crate::aws::Aws;
use crate::aws::api::organizations;
use crate::aws::poll::Polling;
use crate::aws::test_support::{Mocked, aws_error, executor, mocked_aws};
use aws_sdk_organizations::Client;
use aws_sdk_organizations::error::ProvideErrorMetadata;
use aws_sdk_organizations::operation::create_account::CreateAccountOutput;
use aws_sdk_organizations::operation::create_organizational_unit::CreateOrganizationalUnitOutput;
use aws_sdk_organizations::operation::describe_create_account_status::DescribeCreateAccountStatusOutput;
use aws_sdk_organizations::operation::list_accounts::ListAccountsOutput;
use aws_sdk_organizations::operation::list_create_account_status::ListCreateAccountStatusOutput;
use aws_sdk_organizations::operation::list_organizational_units_for_parent::ListOrganizationalUnitsForParentOutput;
use aws_sdk_organizations::operation::list_policies::ListPoliciesOutput;
use aws_sdk_organizations::operation::list_roots::ListRootsOutput;
use aws_sdk_organizations::types::{
    CreateAccountFailureReason, CreateAccountState, CreateAccountStatus, OrganizationalUnit, PolicySummary, Root,
};
use aws_smithy_mocks::{Rule, mock};
use std::collections::BTreeMap;
use std::time::Duration;

fn aws_with(rules: &[&Rule]) -> Aws {
    mocked_aws(&Mocked { org: rules, ..Mocked::default() })
}

fn status(state: &CreateAccountState) -> DescribeCreateAccountStatusOutput {
    let mut s = CreateAccountStatus::builder().id("car-1").state(state.clone());
    if *state == CreateAccountState::Succeeded {
        s = s.account_id("555555555555");
    }
    if *state == CreateAccountState::Failed {
        s = s.failure_reason(CreateAccountFailureReason::EmailAlreadyExists);
    }
    DescribeCreateAccountStatusOutput::builder().create_account_status(s.build()).build()
}

fn no_accounts() -> Rule {
    mock!(Client::list_accounts).then_output(|| ListAccountsOutput::builder().build())
}

fn create_started() -> Rule {
    mock!(Client::create_account).then_output(|| {
        CreateAccountOutput::builder()
            .create_account_status(
                CreateAccountStatus::builder().id("car-1").state(CreateAccountState::InProgress).build(),
            )
            .build()
    })
}

const POLLING: Polling = Polling::every(Duration::from_secs(5), Duration::from_secs(600));

#[tokio::test(start_paused = true)]
async fn create_account_polls_in_progress_until_failed_and_reports_the_reason() {
    let (list, create) = (no_accounts(), create_started());
    let describe = mock!(Client::describe_create_account_status)
        .sequence()
        .output(|| status(&CreateAccountState::InProgress))
        .output(|| status(&CreateAccountState::InProgress))
        .output(|| status(&CreateAccountState::Failed))
        .build();
    let aws = aws_with(&[&list, &create, &describe]);
    let err = executor(&aws, POLLING)
        .call(&Call::Organizations(OrganizationsCall::CreateAccount {
            name: "Web".into(),
            email: "web@example.com".into(),
            tags: BTreeMap::new(),
        }))
        .await
        .unwrap_err();
    assert_eq!(err.operation, "organizations:CreateAccount");
    assert_eq!(err.resource, "account Web <web@example.com>");
    assert_eq!(err.message, "account creation failed: EMAIL_ALREADY_EXISTS");
    assert_eq!(describe.num_calls(), 3);
    assert_eq!(list.num_calls(), 1, "looked for an account with the email only once the email was refused");
}

/// The plan's read is the look before a create: no listing of the whole organization first.
/// An account another hand made meanwhile fails the creation as EMAIL_ALREADY_EXISTS, and is
/// found then: what was wanted exists.
#[tokio::test(start_paused = true)]
async fn create_account_does_not_list_first_and_finds_an_account_made_meanwhile() {
    let create = create_started();
    let describe = mock!(Client::describe_create_account_status).then_output(|| status(&CreateAccountState::Failed));
    let list = mock!(Client::list_accounts).then_output(|| {
        ListAccountsOutput::builder()
            .accounts(
                aws_sdk_organizations::types::Account::builder().id("777777777777").email("WEB@example.com").build(),
            )
            .build()
    });
    let aws = aws_with(&[&create, &describe, &list]);
    let id = executor(&aws, POLLING)
        .call(&Call::Organizations(OrganizationsCall::CreateAccount {
            name: "Web".into(),
            email: "web@example.com".into(),
            tags: BTreeMap::new(),
        }))
        .await;
    assert_eq!(id, Ok(Some("777777777777".to_string())));
    assert_eq!((create.num_calls(), list.num_calls()), (1, 1));
}

#[tokio::test(start_paused = true)]
async fn create_account_returns_the_new_id_once_succeeded() {
    let (list, create) = (no_accounts(), create_started());
    let describe = mock!(Client::describe_create_account_status)
        .sequence()
        .output(|| status(&CreateAccountState::InProgress))
        .output(|| status(&CreateAccountState::Succeeded))
        .build();
    let aws = aws_with(&[&list, &create, &describe]);
    let id = executor(&aws, POLLING)
        .call(&Call::Organizations(OrganizationsCall::CreateAccount {
            name: "Web".into(),
            email: "web@example.com".into(),
            tags: BTreeMap::new(),
        }))
        .await
        .unwrap();
    assert_eq!(id.as_deref(), Some("555555555555"));
    assert_eq!(list.num_calls(), 0, "no listing of the organization's accounts");
}

#[tokio::test(start_paused = true)]
async fn create_account_gives_up_after_its_timeout_and_says_how_to_continue() {
    let (list, create) = (no_accounts(), create_started());
    let describe = mock!(Client::describe_create_account_status)
        .sequence()
        .output(|| status(&CreateAccountState::InProgress))
        .repeatedly()
        .build();
    let aws = aws_with(&[&list, &create, &describe]);
    let polling = Polling::every(Duration::from_secs(5), Duration::from_secs(30));
    let err = executor(&aws, polling)
        .call(&Call::Organizations(OrganizationsCall::CreateAccount {
            name: "Web".into(),
            email: "web@example.com".into(),
            tags: BTreeMap::new(),
        }))
        .await
        .unwrap_err();
    assert!(err.message.contains("still in progress after 30s"), "{err}");
    assert!(describe.num_calls() >= 6, "polled every 5s for 30s: {}", describe.num_calls());
}

#[tokio::test(start_paused = true)]
async fn throttling_backs_off_and_retries_then_counts() {
    let roots = mock!(Client::list_roots)
        .sequence()
        .http_status(
            400,
            Some(aws_error(
                "TooManyRequestsException",
                "AWS Organizations can't complete your request because another request is already in progress",
            )),
        )
        .times(2)
        .output(|| ListRootsOutput::builder().roots(Root::builder().id("r-1").build()).build())
        .build();
    let aws = aws_with(&[&roots]);
    let started = tokio::time::Instant::now();
    let out = aws
        .pacer
        .call(organizations::LIST_ROOTS, || aws.org.list_roots().send())
        .await
        .expect("succeeds after backing off");
    assert_eq!(out.roots()[0].id(), Some("r-1"));
    let stats = aws.pacer().stats()[&organizations::LIST_ROOTS];
    assert_eq!((stats.calls, stats.throttled, stats.retried, stats.failed), (3, 2, 2, 0));
    assert!(started.elapsed() >= Duration::from_millis(250), "it backed off: {:?}", started.elapsed());
}

#[tokio::test(start_paused = true)]
async fn endless_throttling_fails_after_the_retry_budget() {
    let roots = mock!(Client::list_roots)
        .sequence()
        .http_status(400, Some(aws_error("TooManyRequestsException", "slow down")))
        .repeatedly()
        .build();
    let aws = aws_with(&[&roots]);
    let err = aws.pacer.call(organizations::LIST_ROOTS, || aws.org.list_roots().send()).await.unwrap_err();
    assert_eq!(err.code(), Some("TooManyRequestsException"));
    assert_eq!(roots.num_calls(), 11, "one call and ten retries");
}

#[tokio::test(start_paused = true)]
async fn server_errors_are_retried_twice_then_reported_with_the_operation() {
    let describe = mock!(Client::describe_organization)
        .sequence()
        .http_status(500, Some(aws_error("ServiceException", "internal error")))
        .repeatedly()
        .build();
    let roots = mock!(Client::list_roots)
        .then_output(|| ListRootsOutput::builder().roots(Root::builder().id("r-1").build()).build());
    let aws = aws_with(&[&describe, &roots]);
    let err = aws.read_organization(&Default::default()).await.unwrap_err();
    assert_eq!(describe.num_calls(), 3);
    assert_eq!(err.operation, "organizations:DescribeOrganization");
    assert_eq!(err.message, "ServiceException: internal error");
}

#[tokio::test(start_paused = true)]
async fn a_server_error_then_success_is_invisible_to_the_caller() {
    let roots = mock!(Client::list_roots)
        .sequence()
        .http_status(503, None)
        .output(|| ListRootsOutput::builder().roots(Root::builder().id("r-1").build()).build())
        .build();
    let aws = aws_with(&[&roots]);
    aws.pacer.call(organizations::LIST_ROOTS, || aws.org.list_roots().send()).await.expect("retried");
    assert_eq!(aws.pacer().stats()[&organizations::LIST_ROOTS].retried, 1);
}

#[tokio::test(start_paused = true)]
async fn no_organization_is_explained() {
    let describe = mock!(Client::describe_organization)
        .sequence()
        .http_status(
            400,
            Some(aws_error("AWSOrganizationsNotInUseException", "Your account is not a member of an organization.")),
        )
        .build();
    let roots = mock!(Client::list_roots).then_output(|| ListRootsOutput::builder().build());
    let aws = aws_with(&[&describe, &roots]);
    let err = aws.read_organization(&Default::default()).await.unwrap_err();
    assert!(err.message.starts_with("AWSOrganizationsNotInUseException: Your account is not a member of an organization. (this account is not in an organization"), "{err}");
}

/// Pages as large as AWS allows: a listing that left the page size to AWS's default would not
/// match the mock.
#[tokio::test(start_paused = true)]
async fn listings_ask_for_the_largest_page() {
    let roots = mock!(Client::list_roots)
        .match_requests(|r| r.max_results() == Some(organizations::PAGE))
        .then_output(|| ListRootsOutput::builder().roots(Root::builder().id("r-1").build()).build());
    let aws = aws_with(&[&roots]);
    assert_eq!(aws.root_id().await, Ok("r-1".to_string()));
    assert_eq!(roots.num_calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn repeated_work_is_success() {
    let attach = mock!(Client::attach_policy)
        .sequence()
        .http_status(400, Some(aws_error("DuplicatePolicyAttachmentException", "already attached")))
        .build();
    let detach = mock!(Client::detach_policy)
        .sequence()
        .http_status(400, Some(aws_error("PolicyNotAttachedException", "not attached")))
        .build();
    let delete = mock!(Client::delete_organizational_unit)
        .sequence()
        .http_status(400, Some(aws_error("OrganizationalUnitNotFoundException", "gone")))
        .build();
    let aws = aws_with(&[&attach, &detach, &delete]);
    let exec = executor(&aws, POLLING);
    assert_eq!(
        exec.call(&Call::Organizations(OrganizationsCall::AttachPolicy {
            policy_id: "p-1".into(),
            target_id: "ou-1".into()
        }))
        .await,
        Ok(None)
    );
    assert_eq!(
        exec.call(&Call::Organizations(OrganizationsCall::DetachPolicy {
            policy_id: "p-1".into(),
            target_id: "ou-1".into()
        }))
        .await,
        Ok(None)
    );
    assert_eq!(exec.call(&Call::Organizations(OrganizationsCall::DeleteOu { id: "ou-1".into() })).await, Ok(None));
}

#[tokio::test(start_paused = true)]
async fn other_errors_name_the_operation_and_the_resource() {
    let attach = mock!(Client::attach_policy)
        .sequence()
        .http_status(
            400,
            Some(aws_error(
                "ConstraintViolationException",
                "You attempted to exceed the number of policies of a certain type that can be attached",
            )),
        )
        .build();
    let aws = aws_with(&[&attach]);
    let err = executor(&aws, POLLING)
        .call(&Call::Organizations(OrganizationsCall::AttachPolicy {
            policy_id: "p-1".into(),
            target_id: "ou-1".into(),
        }))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "organizations:AttachPolicy on policy p-1 on ou-1 failed: ConstraintViolationException: You attempted to exceed the number of policies of a certain type that can be attached"
    );
}

#[tokio::test(start_paused = true)]
async fn creating_an_ou_that_exists_returns_its_id_without_creating() {
    let list = mock!(Client::list_organizational_units_for_parent).then_output(|| {
        ListOrganizationalUnitsForParentOutput::builder()
            .organizational_units(OrganizationalUnit::builder().id("ou-existing").name("Infra").build())
            .build()
    });
    let create = mock!(Client::create_organizational_unit).then_output(|| {
        aws_sdk_organizations::operation::create_organizational_unit::CreateOrganizationalUnitOutput::builder().build()
    });
    let aws = aws_with(&[&list, &create]);
    let id = executor(&aws, POLLING)
        .call(&Call::Organizations(OrganizationsCall::CreateOu {
            parent_id: "r-1".into(),
            name: "Infra".into(),
            tags: BTreeMap::new(),
        }))
        .await
        .unwrap();
    assert_eq!(id.as_deref(), Some("ou-existing"));
    assert_eq!(create.num_calls(), 0);
}

/// An OU under r-1 named Workloads, as ListOrganizationalUnitsForParent answers.
fn workloads_listed() -> ListOrganizationalUnitsForParentOutput {
    ListOrganizationalUnitsForParentOutput::builder()
        .organizational_units(OrganizationalUnit::builder().id("ou-made").name("Workloads").build())
        .build()
}

fn create_ou_call() -> Call {
    Call::Organizations(OrganizationsCall::CreateOu {
        parent_id: "r-1".into(),
        name: "Workloads".into(),
        tags: BTreeMap::new(),
    })
}

#[tokio::test(start_paused = true)]
async fn a_create_whose_answer_was_lost_is_found_not_made_twice() {
    // The OU was made, but the answer was a 500: the retry looks first and finds it.
    let list = mock!(Client::list_organizational_units_for_parent)
        .sequence()
        .output(|| ListOrganizationalUnitsForParentOutput::builder().build())
        .output(workloads_listed)
        .build();
    let create = mock!(Client::create_organizational_unit).sequence().http_status(500, None).build();
    let aws = aws_with(&[&list, &create]);
    let id = executor(&aws, POLLING).call(&create_ou_call()).await.expect("found");
    assert_eq!(id.as_deref(), Some("ou-made"));
    assert_eq!(create.num_calls(), 1, "CreateOrganizationalUnit was not sent again");
}

#[tokio::test(start_paused = true)]
async fn a_create_that_did_not_happen_is_sent_again_after_looking() {
    let list = mock!(Client::list_organizational_units_for_parent)
        .then_output(|| ListOrganizationalUnitsForParentOutput::builder().build());
    let create = mock!(Client::create_organizational_unit)
        .sequence()
        .http_status(503, None)
        .output(|| {
            CreateOrganizationalUnitOutput::builder()
                .organizational_unit(OrganizationalUnit::builder().id("ou-2nd").name("Workloads").build())
                .build()
        })
        .build();
    let aws = aws_with(&[&list, &create]);
    let id = executor(&aws, POLLING).call(&create_ou_call()).await.expect("made on the second attempt");
    assert_eq!(id.as_deref(), Some("ou-2nd"));
    assert_eq!((create.num_calls(), list.num_calls()), (2, 2), "looked before, and before sending it again");
}

#[tokio::test(start_paused = true)]
async fn a_policy_whose_answer_was_lost_is_found() {
    let list = mock!(Client::list_policies)
        .sequence()
        .output(|| ListPoliciesOutput::builder().build())
        .output(|| {
            ListPoliciesOutput::builder()
                .policies(PolicySummary::builder().id("p-made").name("deny-all").build())
                .build()
        })
        .build();
    let create = mock!(Client::create_policy).sequence().http_status(500, None).build();
    let aws = aws_with(&[&list, &create]);
    let call = Call::Organizations(OrganizationsCall::CreatePolicy {
        name: "deny-all".into(),
        policy_type: crate::model::PolicyType::ServiceControlPolicy,
        description: String::new(),
        content: "{}".into(),
    });
    assert_eq!(executor(&aws, POLLING).call(&call).await.unwrap().as_deref(), Some("p-made"));
    assert_eq!(create.num_calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn an_account_request_whose_answer_was_lost_is_followed_not_made_twice() {
    // CreateAccount reached AWS (its answer did not): the request is found in progress by name
    // and polled to its end; a second account with the same email is never requested.
    let requests = mock!(Client::list_create_account_status).then_output(|| {
        ListCreateAccountStatusOutput::builder()
            .create_account_statuses(
                CreateAccountStatus::builder()
                    .id("car-lost")
                    .account_name("Prod")
                    .state(CreateAccountState::InProgress)
                    .build(),
            )
            .build()
    });
    let create = mock!(Client::create_account).sequence().http_status(502, None).build();
    let status = mock!(Client::describe_create_account_status)
        .match_requests(|r| r.create_account_request_id() == Some("car-lost"))
        .then_output(|| status(&CreateAccountState::Succeeded));
    let aws = aws_with(&[&no_accounts(), &requests, &create, &status]);
    let call = Call::Organizations(OrganizationsCall::CreateAccount {
        name: "Prod".into(),
        email: "prod@example.com".into(),
        tags: BTreeMap::new(),
    });
    let id = executor(&aws, POLLING).call(&call).await.expect("the earlier request succeeded");
    assert_eq!(id.as_deref(), Some("555555555555"));
    assert_eq!(create.num_calls(), 1, "no second CreateAccount");
}

/// Raises `stop` as its first call starts, as Ctrl-C during a slow change would.
struct StopAtFirstCall<'a> {
    inner: crate::aws::AwsExecutor<'a>,
    stop: &'a std::sync::atomic::AtomicBool,
}

impl Executor for StopAtFirstCall<'_> {
    async fn call(&self, call: &Call) -> Result<Option<String>, crate::apply::CallError> {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        self.inner.call(call).await
    }
}

#[tokio::test(start_paused = true)]
async fn stopped_during_a_slow_account_creation_it_follows_it_to_its_end_and_starts_nothing_else() {
    let describe = mock!(Client::describe_create_account_status)
        .sequence()
        .output(|| status(&CreateAccountState::InProgress))
        .times(2)
        .output(|| status(&CreateAccountState::Succeeded))
        .build();
    let created = create_started();
    let aws = aws_with(&[&no_accounts(), &created, &describe]);
    let bp =
        crate::testing::blueprint("version: 1\naccounts:\n  a: {email: a@example.com}\n  b: {email: b@example.com}\n");
    let live = crate::testing::fresh_org();
    let plan = crate::testing::plan_ok(&bp, &live, &crate::plan::PlanOptions::default());
    let stop = std::sync::atomic::AtomicBool::new(false);
    let exec = StopAtFirstCall { inner: executor(&aws, POLLING), stop: &stop };
    let err = crate::apply::run(&plan, crate::apply::Ids::new(&bp, &live), &exec, &stop, |_, _| {}).await.unwrap_err();
    assert!(matches!(err, crate::apply::ApplyError::Interrupted { done: 1, total: 2, .. }), "{err}");
    assert_eq!((created.num_calls(), describe.num_calls()), (1, 3), "polled to SUCCEEDED, one account only");
}
