//! CloudFormation StackSets: reading stack sets and their instances, and running stack-set
//! operations to their end, reporting the accounts and regions that failed and why.

use super::errors::{call_error, code};
use super::{Aws, Polling};
use crate::apply::{Call, CallError};
use crate::live::{LiveStackInstance, LiveStackSet};
use crate::model::{AutoDeployment, OperationPreferences};
use crate::plan::StackSetSpec;
use aws_sdk_cloudformation::types as t;
use futures::future::try_join_all;
use std::collections::{BTreeMap, BTreeSet};
use tokio::time::Instant;

fn failed(operation: &str, resource: &str, message: String) -> CallError {
    CallError { operation: operation.into(), resource: resource.into(), message }
}

/// Every active stack set by name; details and instances of the managed ones.
pub(super) async fn read(aws: &Aws, managed: &BTreeSet<String>) -> Result<BTreeMap<String, LiveStackSet>, CallError> {
    let cfn = &aws.cfn;
    let summaries = all_pages!(aws, "cloudformation", "ListStackSets", "the account", summaries, |token| cfn
        .list_stack_sets()
        .status(t::StackSetStatus::Active)
        .set_next_token(token.clone()));
    let sets = try_join_all(summaries.iter().filter_map(|s| s.stack_set_name()).map(|name| async move {
        if !managed.contains(name) {
            let bare = LiveStackSet {
                name: name.to_string(),
                description: None,
                template_body: String::new(),
                parameters: BTreeMap::new(),
                capabilities: None,
                permission_model: None,
                auto_deployment: None,
                instances: Vec::new(),
                target_ou_ids: None,
            };
            return Ok::<_, CallError>(bare);
        }
        let (described, instances) = futures::try_join!(
            async {
                aws.pacer
                    .call("cloudformation.DescribeStackSet", || cfn.describe_stack_set().stack_set_name(name).send())
                    .await
                    .map_err(|e| call_error("cloudformation:DescribeStackSet", name, &e))
            },
            async {
                Ok(all_pages!(aws, "cloudformation", "ListStackInstances", name, summaries, |token| cfn
                    .list_stack_instances()
                    .stack_set_name(name)
                    .set_next_token(token.clone())))
            },
        )?;
        let ss = described.stack_set().cloned().unwrap_or_else(|| t::StackSet::builder().build());
        Ok(LiveStackSet {
            name: name.to_string(),
            description: ss.description().filter(|d| !d.is_empty()).map(str::to_string),
            template_body: ss.template_body().unwrap_or_default().to_string(),
            parameters: ss
                .parameters()
                .iter()
                .filter_map(|p| {
                    Some((p.parameter_key()?.to_string(), p.parameter_value().unwrap_or_default().to_string()))
                })
                .collect(),
            // Not every endpoint reports these (the emulator omits them): absent is unknown.
            capabilities: (!ss.capabilities().is_empty())
                .then(|| ss.capabilities().iter().map(|c| c.as_str().to_string()).collect()),
            permission_model: ss.permission_model().map(|m| m.as_str().to_string()),
            auto_deployment: ss.auto_deployment().map(|a| AutoDeployment {
                enabled: a.enabled().unwrap_or(false),
                retain_stacks_on_account_removal: a.retain_stacks_on_account_removal().unwrap_or(false),
            }),
            target_ou_ids: (!ss.organizational_unit_ids().is_empty())
                .then(|| ss.organizational_unit_ids().iter().cloned().collect()),
            instances: instances
                .iter()
                .filter_map(|i| {
                    Some(LiveStackInstance {
                        account_id: i.account()?.to_string(),
                        region: i.region()?.to_string(),
                        ou_id: i.organizational_unit_id().map(str::to_string),
                    })
                })
                .collect(),
        })
    }))
    .await?;
    Ok(sets.into_iter().map(|s| (s.name.clone(), s)).collect())
}

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
async fn wait(aws: &Aws, stack_set: &str, operation_id: &str, what: &str, polling: Polling) -> Result<(), CallError> {
    let started = Instant::now();
    loop {
        let out = aws
            .pacer
            .call("cloudformation.DescribeStackSetOperation", || {
                aws.cfn.describe_stack_set_operation().stack_set_name(stack_set).operation_id(operation_id).send()
            })
            .await
            .map_err(|e| call_error("cloudformation:DescribeStackSetOperation", stack_set, &e))?;
        let status = out.stack_set_operation().and_then(|o| o.status()).cloned();
        match status {
            Some(t::StackSetOperationStatus::Succeeded) => return Ok(()),
            Some(t::StackSetOperationStatus::Failed | t::StackSetOperationStatus::Stopped) => {
                let results =
                    all_pages!(aws, "cloudformation", "ListStackSetOperationResults", stack_set, summaries, |token| {
                        aws.cfn
                            .list_stack_set_operation_results()
                            .stack_set_name(stack_set)
                            .operation_id(operation_id)
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
                return Err(failed(
                    what,
                    stack_set,
                    format!("operation {operation_id} ended {state}: {}", failures.join("; ")),
                ));
            }
            _ => {}
        }
        if started.elapsed() >= polling.timeout {
            return Err(failed(
                what,
                stack_set,
                format!(
                    "operation {operation_id} still running after {}s; run apply again later",
                    polling.timeout.as_secs()
                ),
            ));
        }
        eprintln!(
            "  … stack set {stack_set}: {what} {} after {}s",
            status.as_ref().map_or("RUNNING", |s| s.as_str()),
            started.elapsed().as_secs()
        );
        tokio::time::sleep(polling.interval).await;
    }
}

async fn create_stack_set(aws: &Aws, spec: &StackSetSpec, polling: Polling) -> Result<(), CallError> {
    let r = aws
        .pacer
        .call("cloudformation.CreateStackSet", || {
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
        })
        .await;
    match r {
        Ok(_) => Ok(()),
        // Created by an earlier run that stopped: bring it to the blueprint instead.
        Err(e) if code(&e) == Some("NameAlreadyExistsException") => update_stack_set(aws, spec, polling).await,
        Err(e) => Err(call_error("cloudformation:CreateStackSet", &spec.name, &e)),
    }
}

async fn update_stack_set(aws: &Aws, spec: &StackSetSpec, polling: Polling) -> Result<(), CallError> {
    let out = aws
        .pacer
        .call("cloudformation.UpdateStackSet", || {
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
        .map_err(|e| call_error("cloudformation:UpdateStackSet", &spec.name, &e))?;
    match out.operation_id() {
        Some(id) => wait(aws, &spec.name, id, "cloudformation:UpdateStackSet", polling).await,
        None => Ok(()),
    }
}

/// Targets for an instance operation: OUs where known, else the accounts themselves.
fn targets(ou_ids: &[String], account_ids: &[String]) -> t::DeploymentTargets {
    if ou_ids.is_empty() {
        t::DeploymentTargets::builder().set_accounts(Some(account_ids.to_vec())).build()
    } else {
        t::DeploymentTargets::builder().set_organizational_unit_ids(Some(ou_ids.to_vec())).build()
    }
}

async fn delete_instances(
    aws: &Aws,
    stack_set: &str,
    region: &str,
    ou_ids: &[String],
    account_ids: &[String],
    prefs: &OperationPreferences,
    polling: Polling,
) -> Result<(), CallError> {
    // At most 50 OUs per call.
    for chunk in chunks(ou_ids) {
        let out = aws
            .pacer
            .call("cloudformation.DeleteStackInstances", || {
                aws.cfn
                    .delete_stack_instances()
                    .stack_set_name(stack_set)
                    .regions(region)
                    .deployment_targets(targets(&chunk, account_ids))
                    .retain_stacks(false)
                    .operation_preferences(preferences(prefs))
                    .send()
            })
            .await;
        let out = match out {
            Ok(out) => out,
            Err(e) if code(&e) == Some("StackSetNotFoundException") => return Ok(()),
            Err(e) => return Err(call_error("cloudformation:DeleteStackInstances", stack_set, &e)),
        };
        if let Some(id) = out.operation_id() {
            wait(aws, stack_set, id, "cloudformation:DeleteStackInstances", polling).await?;
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

pub(super) async fn execute(aws: &Aws, call: &Call, polling: Polling) -> Result<Option<String>, CallError> {
    match call {
        Call::CreateStackSet { spec } => create_stack_set(aws, spec, polling).await.map(|_| None),
        Call::UpdateStackSet { spec } => update_stack_set(aws, spec, polling).await.map(|_| None),
        Call::CreateStackInstances { stack_set, region, ou_ids, preferences: prefs } => {
            for chunk in chunks(ou_ids) {
                let out = aws
                    .pacer
                    .call("cloudformation.CreateStackInstances", || {
                        aws.cfn
                            .create_stack_instances()
                            .stack_set_name(stack_set)
                            .regions(region)
                            .deployment_targets(targets(&chunk, &[]))
                            .operation_preferences(preferences(prefs))
                            .send()
                    })
                    .await
                    .map_err(|e| call_error("cloudformation:CreateStackInstances", stack_set, &e))?;
                if let Some(id) = out.operation_id() {
                    wait(aws, stack_set, id, "cloudformation:CreateStackInstances", polling).await?;
                }
            }
            Ok(None)
        }
        Call::DeleteStackInstances { stack_set, region, ou_ids, account_ids, preferences: prefs } => {
            delete_instances(aws, stack_set, region, ou_ids, account_ids, prefs, polling).await.map(|_| None)
        }
        Call::DeleteStackSet { name } => {
            let instances = all_pages!(aws, "cloudformation", "ListStackInstances", name, summaries, |token| aws
                .cfn
                .list_stack_instances()
                .stack_set_name(name)
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
                delete_instances(aws, name, &region, &ous, &accounts, &OperationPreferences::default(), polling)
                    .await?;
            }
            let r = aws
                .pacer
                .call("cloudformation.DeleteStackSet", || aws.cfn.delete_stack_set().stack_set_name(name).send())
                .await;
            match r {
                Ok(_) => Ok(None),
                Err(e) if code(&e) == Some("StackSetNotFoundException") => Ok(None),
                Err(e) => Err(call_error("cloudformation:DeleteStackSet", name, &e)),
            }
        }
        other => unreachable!("not a StackSets call: {other:?}"),
    }
}
