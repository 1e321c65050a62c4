//! Running stack-set operations to their end, reporting the accounts and regions that failed
//! and why.

use crate::apply::{CallError, StackSetsCall};
use crate::aws::Aws;
use crate::aws::api::Api;
use crate::aws::api::cloudformation;
use crate::aws::create::{Outcome, create_once};
use crate::aws::errors::{call_error, code};
use crate::aws::poll::{Status, Wait, poll};
use crate::model::OperationPreferences;
use crate::plan::StackSetSpec;
use aws_sdk_cloudformation::types as t;
use std::collections::{BTreeMap, BTreeSet};
fn preferences(p: &OperationPreferences) -> t::StackSetOperationPreferences {
    t::StackSetOperationPreferences::builder()
        .set_max_concurrent_percentage(p.max_concurrent_percentage.map(|v| v as i32))
        .set_max_concurrent_count(p.max_concurrent_count.map(|v| v as i32))
        .set_failure_tolerance_percentage(p.failure_tolerance_percentage.map(|v| v as i32))
        .set_failure_tolerance_count(p.failure_tolerance_count.map(|v| v as i32))
        .set_region_concurrency_type(p.region_concurrency.as_deref().map(t::RegionConcurrencyType::from))
        .set_region_order(p.region_order.clone())
        .set_concurrency_mode(p.concurrency_mode.as_deref().map(t::ConcurrencyMode::from))
        .build()
}

fn parameters(spec: &StackSetSpec) -> Option<Vec<t::Parameter>> {
    Some(
        spec.parameters
            .iter()
            .map(|(k, v)| t::Parameter::builder().parameter_key(k).parameter_value(v).build())
            .collect(),
    )
}

fn capabilities(spec: &StackSetSpec) -> Option<Vec<t::Capability>> {
    Some(spec.capabilities.iter().map(|c| t::Capability::from(c.as_str())).collect())
}

fn auto_deployment(spec: &StackSetSpec) -> Option<t::AutoDeployment> {
    spec.auto_deployment.map(|(enabled, retain)| {
        t::AutoDeployment::builder().enabled(enabled).retain_stacks_on_account_removal(retain).build()
    })
}

/// Waits for a stack-set operation to end; a failure names each account and region that
/// failed, with CloudFormation's reason.
async fn wait_for(aws: &Aws, stack_set: &str, operation_id: &str, what: Api, wait: Wait<'_>) -> Result<(), CallError> {
    let detail = format!(" (operation {operation_id})");
    poll(wait, what, stack_set, &detail, None, || async {
        let out = aws
            .pacer
            .call(cloudformation::DESCRIBE_STACK_SET_OPERATION, || {
                aws.cfn.describe_stack_set_operation().stack_set_name(stack_set).operation_id(operation_id).send()
            })
            .await
            .map_err(|e| call_error(cloudformation::DESCRIBE_STACK_SET_OPERATION, stack_set, &e))?;
        let status = out.stack_set_operation().and_then(|o| o.status()).cloned();
        Ok(match status {
            Some(t::StackSetOperationStatus::Succeeded) => Status::Done(()),
            Some(t::StackSetOperationStatus::Failed | t::StackSetOperationStatus::Stopped) => {
                let results =
                    all_pages!(aws, cloudformation::LIST_STACK_SET_OPERATION_RESULTS, stack_set, summaries, |token| {
                        aws.cfn
                            .list_stack_set_operation_results()
                            .stack_set_name(stack_set)
                            .operation_id(operation_id)
                            .max_results(cloudformation::PAGE)
                            .set_next_token(token.clone())
                    });
                let failures: Vec<String> = results
                    .iter()
                    .filter(|r| !matches!(r.status(), Some(t::StackSetOperationResultStatus::Succeeded)))
                    .map(|r| {
                        format!(
                            "{} {}: {} ({})",
                            r.account().unwrap_or("?"),
                            r.region().unwrap_or("?"),
                            r.status().map_or("UNKNOWN", |s| s.as_str()),
                            r.status_reason().unwrap_or("no reason given")
                        )
                    })
                    .collect();
                let state = status.as_ref().map_or("FAILED", |s| s.as_str());
                Status::Failed(format!("operation {operation_id} ended {state}: {}", failures.join("; ")))
            }
            other => Status::Running(other.as_ref().map_or("RUNNING", |s| s.as_str()).to_string()),
        })
    })
    .await
}

async fn create_stack_set(aws: &Aws, spec: &StackSetSpec, wait: Wait<'_>) -> Result<(), CallError> {
    let create = || {
        aws.cfn
            .create_stack_set()
            .stack_set_name(&spec.name)
            .template_body(&spec.template_body)
            .set_description(spec.description.clone())
            .set_parameters(parameters(spec))
            .set_capabilities(capabilities(spec))
            .permission_model(t::PermissionModels::from(spec.permission_model.as_str()))
            .set_auto_deployment(auto_deployment(spec))
            .send()
    };
    let look = || async {
        match aws
            .pacer
            .call(cloudformation::DESCRIBE_STACK_SET, || aws.cfn.describe_stack_set().stack_set_name(&spec.name).send())
            .await
        {
            Ok(_) => Ok(Some(())),
            Err(e) if code(&e) == Some("StackSetNotFoundException") => Ok(None),
            Err(e) => Err(call_error(cloudformation::DESCRIBE_STACK_SET, &spec.name, &e)),
        }
    };
    match create_once(aws, cloudformation::CREATE_STACK_SET, create, look).await? {
        Ok(Outcome::Created(_)) => Ok(()),
        // Made by an earlier attempt, or by an earlier run that stopped: bring it to the blueprint.
        Ok(Outcome::Found(())) => update_stack_set(aws, spec, wait).await,
        Err(e) if code(&e) == Some("NameAlreadyExistsException") => update_stack_set(aws, spec, wait).await,
        Err(e) => Err(call_error(cloudformation::CREATE_STACK_SET, &spec.name, &e)),
    }
}

async fn update_stack_set(aws: &Aws, spec: &StackSetSpec, wait: Wait<'_>) -> Result<(), CallError> {
    let out = aws
        .pacer
        .call(cloudformation::UPDATE_STACK_SET, || {
            aws.cfn
                .update_stack_set()
                .stack_set_name(&spec.name)
                .template_body(&spec.template_body)
                .set_description(spec.description.clone())
                .set_parameters(parameters(spec))
                .set_capabilities(capabilities(spec))
                .permission_model(t::PermissionModels::from(spec.permission_model.as_str()))
                .set_auto_deployment(auto_deployment(spec))
                .operation_preferences(preferences(&spec.preferences))
                .send()
        })
        .await
        .map_err(|e| call_error(cloudformation::UPDATE_STACK_SET, &spec.name, &e))?;
    match out.operation_id() {
        Some(id) => wait_for(aws, &spec.name, id, cloudformation::UPDATE_STACK_SET, wait).await,
        None => Ok(()),
    }
}

/// Targets for an instance operation: OUs where known, else the accounts themselves; with a
/// filter, the OUs' accounts less (`Difference`) or only (`Intersection`) `filter_accounts`.
fn targets(
    ou_ids: &[String],
    account_ids: &[String],
    filter: Option<(t::AccountFilterType, &[String])>,
) -> t::DeploymentTargets {
    let builder = t::DeploymentTargets::builder();
    let builder = match (ou_ids.is_empty(), filter) {
        (true, _) => builder.set_accounts(Some(account_ids.to_vec())),
        (false, None) => builder.set_organizational_unit_ids(Some(ou_ids.to_vec())),
        (false, Some((kind, accounts))) => builder
            .set_organizational_unit_ids(Some(ou_ids.to_vec()))
            .account_filter_type(kind)
            .set_accounts(Some(accounts.to_vec())),
    };
    builder.build()
}

/// Which instances a deletion takes: those under the OUs (or of the accounts where no OU is
/// known), or, `only_accounts`, just the accounts' under the OUs.
struct Doomed<'a> {
    ou_ids: &'a [String],
    account_ids: &'a [String],
    only_accounts: bool,
}

async fn delete_instances(
    aws: &Aws,
    stack_set: &str,
    region: &str,
    doomed: Doomed<'_>,
    prefs: &OperationPreferences,
    wait: Wait<'_>,
) -> Result<(), CallError> {
    let Doomed { ou_ids, account_ids, only_accounts } = doomed;
    let filter = only_accounts.then_some((t::AccountFilterType::Intersection, account_ids));
    // At most 50 OUs per call.
    for chunk in chunks(ou_ids) {
        let out = aws
            .pacer
            .call(cloudformation::DELETE_STACK_INSTANCES, || {
                aws.cfn
                    .delete_stack_instances()
                    .stack_set_name(stack_set)
                    .regions(region)
                    .deployment_targets(targets(&chunk, account_ids, filter.clone()))
                    .retain_stacks(false)
                    .operation_preferences(preferences(prefs))
                    .send()
            })
            .await;
        let out = match out {
            Ok(out) => out,
            Err(e) if code(&e) == Some("StackSetNotFoundException") => return Ok(()),
            Err(e) => return Err(call_error(cloudformation::DELETE_STACK_INSTANCES, stack_set, &e)),
        };
        if let Some(id) = out.operation_id() {
            wait_for(aws, stack_set, id, cloudformation::DELETE_STACK_INSTANCES, wait).await?;
        }
    }
    Ok(())
}

/// OU ids in groups of at most 50 (one group, possibly empty, when there are none).
fn chunks(ou_ids: &[String]) -> Vec<Vec<String>> {
    if ou_ids.is_empty() {
        return vec![Vec::new()];
    }
    ou_ids.chunks(50).map(<[String]>::to_vec).collect()
}

pub(in crate::aws) async fn execute(
    aws: &Aws,
    call: &StackSetsCall,
    wait: Wait<'_>,
) -> Result<Option<String>, CallError> {
    match call {
        StackSetsCall::CreateStackSet { spec } => create_stack_set(aws, spec, wait).await.map(|_| None),
        StackSetsCall::UpdateStackSet { spec } => update_stack_set(aws, spec, wait).await.map(|_| None),
        StackSetsCall::CreateStackInstances { stack_set, region, ou_ids, preferences: prefs, exclude_account_ids } => {
            let filter = (!exclude_account_ids.is_empty())
                .then_some((t::AccountFilterType::Difference, exclude_account_ids.as_slice()));
            for chunk in chunks(ou_ids) {
                let out = aws
                    .pacer
                    .call(cloudformation::CREATE_STACK_INSTANCES, || {
                        aws.cfn
                            .create_stack_instances()
                            .stack_set_name(stack_set)
                            .regions(region)
                            .deployment_targets(targets(&chunk, &[], filter.clone()))
                            .operation_preferences(preferences(prefs))
                            .send()
                    })
                    .await
                    .map_err(|e| call_error(cloudformation::CREATE_STACK_INSTANCES, stack_set, &e))?;
                if let Some(id) = out.operation_id() {
                    wait_for(aws, stack_set, id, cloudformation::CREATE_STACK_INSTANCES, wait).await?;
                }
            }
            Ok(None)
        }
        StackSetsCall::DeleteStackInstances {
            stack_set,
            region,
            ou_ids,
            account_ids,
            preferences: prefs,
            only_accounts,
        } => delete_instances(
            aws,
            stack_set,
            region,
            Doomed { ou_ids, account_ids, only_accounts: *only_accounts },
            prefs,
            wait,
        )
        .await
        .map(|_| None),
        StackSetsCall::DeleteStackSet { name } => {
            let instances = all_pages!(aws, cloudformation::LIST_STACK_INSTANCES, name, summaries, |token| aws
                .cfn
                .list_stack_instances()
                .stack_set_name(name)
                .max_results(cloudformation::PAGE)
                .set_next_token(token.clone()));
            let mut by_region: BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)> = BTreeMap::new();
            for i in &instances {
                let entry = by_region.entry(i.region().unwrap_or_default().to_string()).or_default();
                entry.0.extend(i.organizational_unit_id().map(str::to_string));
                entry.1.extend(i.account().map(str::to_string));
            }
            for (region, (ous, accounts)) in by_region {
                let (ous, accounts): (Vec<String>, Vec<String>) =
                    (ous.into_iter().collect(), accounts.into_iter().collect());
                delete_instances(
                    aws,
                    name,
                    &region,
                    Doomed { ou_ids: &ous, account_ids: &accounts, only_accounts: false },
                    &OperationPreferences::default(),
                    wait,
                )
                .await?;
            }
            let r = aws
                .pacer
                .call(cloudformation::DELETE_STACK_SET, || aws.cfn.delete_stack_set().stack_set_name(name).send())
                .await;
            match r {
                Ok(_) => Ok(None),
                Err(e) if code(&e) == Some("StackSetNotFoundException") => Ok(None),
                Err(e) => Err(call_error(cloudformation::DELETE_STACK_SET, name, &e)),
            }
        }
    }
}
