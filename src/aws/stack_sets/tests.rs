//! StackSets paths the emulator cannot show, against mocked SDK clients: an operation that runs
//! and then fails in some accounts, instances reported with the (nested) OU they came through,
//! and the auto-deployment and capabilities AWS reports.

use super::*;
use crate::apply::{Call, Executor, StackSetsCall};
use crate::aws::Aws;
use crate::aws::poll::Polling;
use crate::aws::test_support::{Mocked, executor, mocked_aws};
use crate::model::OperationPreferences;
use aws_sdk_cloudformation::Client as Cfn;
use aws_sdk_cloudformation::operation::{
    create_stack_instances::CreateStackInstancesOutput, describe_stack_set::DescribeStackSetOutput,
    describe_stack_set_operation::DescribeStackSetOperationOutput, list_stack_instances::ListStackInstancesOutput,
    list_stack_set_operation_results::ListStackSetOperationResultsOutput, list_stack_sets::ListStackSetsOutput,
};
use aws_sdk_cloudformation::types::{
    AutoDeployment, Capability, PermissionModels, StackInstanceSummary, StackSet, StackSetOperation,
    StackSetOperationResultStatus, StackSetOperationResultSummary, StackSetOperationStatus, StackSetSummary,
};
use aws_smithy_mocks::{Rule, mock};
use std::collections::BTreeSet;
use std::time::Duration;

fn aws_with(rules: &[&Rule]) -> Aws {
    mocked_aws(&Mocked { cfn: rules, ..Mocked::default() })
}

const POLLING: Polling = Polling::every(Duration::from_secs(5), Duration::from_secs(600));

fn operation(status: StackSetOperationStatus) -> DescribeStackSetOperationOutput {
    DescribeStackSetOperationOutput::builder()
        .stack_set_operation(StackSetOperation::builder().status(status).build())
        .build()
}

#[tokio::test(start_paused = true)]
async fn an_operation_running_then_failed_names_each_failing_account_and_region() {
    let create = mock!(Cfn::create_stack_instances)
        .then_output(|| CreateStackInstancesOutput::builder().operation_id("op-1").build());
    let describe = mock!(Cfn::describe_stack_set_operation)
        .sequence()
        .output(|| operation(StackSetOperationStatus::Running))
        .output(|| operation(StackSetOperationStatus::Running))
        .output(|| operation(StackSetOperationStatus::Failed))
        .build();
    let results = mock!(Cfn::list_stack_set_operation_results).then_output(|| {
        ListStackSetOperationResultsOutput::builder()
            .summaries(
                StackSetOperationResultSummary::builder()
                    .account("111111111111")
                    .region("us-east-1")
                    .status(StackSetOperationResultStatus::Succeeded)
                    .build(),
            )
            .summaries(
                StackSetOperationResultSummary::builder()
                    .account("222222222222")
                    .region("eu-west-1")
                    .status(StackSetOperationResultStatus::Failed)
                    .status_reason("Resource handler returned message: \"lz-config-recorder-eu-west-1 already exists\"")
                    .build(),
            )
            .build()
    });
    let aws = aws_with(&[&create, &describe, &results]);
    let executor = executor(&aws, POLLING);
    let err = executor
        .call(&Call::StackSets(StackSetsCall::CreateStackInstances {
            stack_set: "config-recorder".into(),
            region: "eu-west-1".into(),
            ou_ids: vec!["ou-ab12-34567890".into()],
            preferences: OperationPreferences::default(),
            exclude_account_ids: Vec::new(),
        }))
        .await
        .unwrap_err();
    assert_eq!(err.operation, "cloudformation:CreateStackInstances");
    assert_eq!(
        err.message,
        "operation op-1 ended FAILED: 222222222222 eu-west-1: FAILED (Resource handler returned message: \"lz-config-recorder-eu-west-1 already exists\")"
    );
    assert_eq!(describe.num_calls(), 3);
}

#[tokio::test(start_paused = true)]
async fn more_than_fifty_ous_go_in_calls_of_fifty() {
    let create = mock!(Cfn::create_stack_instances)
        .match_requests(|r| r.deployment_targets().is_some_and(|t| t.organizational_unit_ids().len() <= 50))
        .then_output(|| CreateStackInstancesOutput::builder().operation_id("op").build());
    let describe =
        mock!(Cfn::describe_stack_set_operation).then_output(|| operation(StackSetOperationStatus::Succeeded));
    let aws = aws_with(&[&create, &describe]);
    let ou_ids = (0..120).map(|i| format!("ou-ab12-{i:08}")).collect();
    let call = Call::StackSets(StackSetsCall::CreateStackInstances {
        stack_set: "s".into(),
        region: "us-east-1".into(),
        ou_ids,
        preferences: OperationPreferences::default(),
        exclude_account_ids: Vec::new(),
    });
    assert_eq!(executor(&aws, POLLING).call(&call).await, Ok(None));
    assert_eq!(create.num_calls(), 3);
}

/// `exclude_accounts` reaches AWS as account filters: a creation leaves the accounts out
/// (DIFFERENCE), the deletion of an excluded account's instance takes only it (INTERSECTION).
#[tokio::test(start_paused = true)]
async fn excluded_accounts_are_sent_as_account_filters() {
    use aws_sdk_cloudformation::operation::delete_stack_instances::DeleteStackInstancesOutput;
    use aws_sdk_cloudformation::types::AccountFilterType;
    let create = mock!(Cfn::create_stack_instances)
        .match_requests(|r| {
            r.deployment_targets().is_some_and(|t| {
                t.account_filter_type() == Some(&AccountFilterType::Difference)
                    && t.accounts() == ["333333333333"]
                    && t.organizational_unit_ids() == ["ou-ab12-34567890"]
            })
        })
        .then_output(|| CreateStackInstancesOutput::builder().operation_id("op").build());
    let delete = mock!(Cfn::delete_stack_instances)
        .match_requests(|r| {
            r.deployment_targets().is_some_and(|t| {
                t.account_filter_type() == Some(&AccountFilterType::Intersection) && t.accounts() == ["333333333333"]
            })
        })
        .then_output(|| DeleteStackInstancesOutput::builder().operation_id("op").build());
    let describe =
        mock!(Cfn::describe_stack_set_operation).then_output(|| operation(StackSetOperationStatus::Succeeded));
    let aws = aws_with(&[&create, &delete, &describe]);
    let create_call = Call::StackSets(StackSetsCall::CreateStackInstances {
        stack_set: "s".into(),
        region: "us-east-1".into(),
        ou_ids: vec!["ou-ab12-34567890".into()],
        preferences: OperationPreferences::default(),
        exclude_account_ids: vec!["333333333333".into()],
    });
    assert_eq!(executor(&aws, POLLING).call(&create_call).await, Ok(None));
    let delete_call = Call::StackSets(StackSetsCall::DeleteStackInstances {
        stack_set: "s".into(),
        region: "us-east-1".into(),
        ou_ids: vec!["ou-ab12-34567890".into()],
        account_ids: vec!["333333333333".into()],
        preferences: OperationPreferences::default(),
        only_accounts: true,
    });
    assert_eq!(executor(&aws, POLLING).call(&delete_call).await, Ok(None));
    assert_eq!((create.num_calls(), delete.num_calls()), (1, 1));
}

#[tokio::test(start_paused = true)]
async fn instances_report_the_nested_ou_they_came_through_and_aws_reports_auto_deployment() {
    let list = mock!(Cfn::list_stack_sets).then_output(|| {
        ListStackSetsOutput::builder()
            .summaries(StackSetSummary::builder().stack_set_name("config-recorder").build())
            .summaries(StackSetSummary::builder().stack_set_name("legacy").build())
            .build()
    });
    let describe = mock!(Cfn::describe_stack_set).then_output(|| {
        DescribeStackSetOutput::builder()
            .stack_set(
                StackSet::builder()
                    .stack_set_name("config-recorder")
                    .template_body("Resources: {}")
                    .capabilities(Capability::CapabilityNamedIam)
                    .permission_model(PermissionModels::ServiceManaged)
                    .auto_deployment(
                        AutoDeployment::builder().enabled(true).retain_stacks_on_account_removal(false).build(),
                    )
                    .organizational_unit_ids("ou-root-foundational")
                    .organizational_unit_ids("ou-root-emptyone")
                    .build(),
            )
            .build()
    });
    let instances = mock!(Cfn::list_stack_instances).then_output(|| {
        ListStackInstancesOutput::builder()
            .summaries(
                StackInstanceSummary::builder()
                    .account("111111111111")
                    .region("us-east-1")
                    .organizational_unit_id("ou-root-foundational")
                    .build(),
            )
            // An account two levels below the targeted OU: AWS still reports the targeted OU.
            // Its last operation failed.
            .summaries(
                StackInstanceSummary::builder()
                    .account("222222222222")
                    .region("us-east-1")
                    .organizational_unit_id("ou-root-foundational")
                    .status(aws_sdk_cloudformation::types::StackInstanceStatus::Outdated)
                    .status_reason("Role AWSCloudFormationStackSetExecutionRole is missing")
                    .stack_instance_status(
                        aws_sdk_cloudformation::types::StackInstanceComprehensiveStatus::builder()
                            .detailed_status(aws_sdk_cloudformation::types::StackInstanceDetailedStatus::Failed)
                            .build(),
                    )
                    .build(),
            )
            .build()
    });
    let aws = aws_with(&[&list, &describe, &instances]);
    let sets = read(&aws, |name| name == "config-recorder").await.expect("reads");
    let ss = &sets["config-recorder"];
    assert_eq!(ss.capabilities, Some(BTreeSet::from(["CAPABILITY_NAMED_IAM".to_string()])));
    assert_eq!(ss.permission_model.as_deref(), Some("SERVICE_MANAGED"));
    assert_eq!(
        ss.auto_deployment,
        Some(crate::model::AutoDeployment { enabled: true, retain_stacks_on_account_removal: false })
    );
    assert_eq!(ss.instances.iter().filter(|i| i.ou_id.as_deref() == Some("ou-root-foundational")).count(), 2);
    let failed: Vec<Option<&str>> = ss.instances.iter().map(|i| i.failed.as_deref()).collect();
    assert_eq!(failed, [None, Some("Role AWSCloudFormationStackSetExecutionRole is missing")]);
    assert_eq!(
        ss.target_ou_ids,
        Some(BTreeSet::from(["ou-root-emptyone".to_string(), "ou-root-foundational".to_string()])),
        "AWS records every targeted OU, the empty one too"
    );
    assert!(sets.contains_key("legacy"), "unmanaged stack sets are listed");
    assert_eq!(describe.num_calls(), 1, "only managed stack sets are described");
}
