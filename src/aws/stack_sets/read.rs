//! Reading CloudFormation stack sets: every active one by name, details and instances of the
//! managed ones.

use crate::apply::CallError;
use crate::aws::Aws;
use crate::aws::api::cloudformation;
use crate::aws::errors::call_error;
use crate::live::{LiveStackInstance, LiveStackSet};
use crate::model::AutoDeployment;
use aws_sdk_cloudformation::types as t;
use futures::future::try_join_all;
use std::collections::BTreeMap;

/// Every active stack set by name; details and instances of the managed ones.
pub(in crate::aws) async fn read(
    aws: &Aws,
    managed: impl Fn(&str) -> bool,
) -> Result<BTreeMap<String, LiveStackSet>, CallError> {
    let managed = &managed;
    let cfn = &aws.cfn;
    let summaries = all_pages!(aws, cloudformation::LIST_STACK_SETS, "the account", summaries, |token| cfn
        .list_stack_sets()
        .status(t::StackSetStatus::Active)
        .max_results(cloudformation::PAGE)
        .set_next_token(token.clone()));
    let sets = try_join_all(summaries.iter().filter_map(|s| s.stack_set_name()).map(|name| async move {
        if !managed(name) {
            return Ok::<_, CallError>(LiveStackSet::named(name));
        }
        let (described, instances) = futures::try_join!(
            async {
                aws.pacer
                    .call(cloudformation::DESCRIBE_STACK_SET, || cfn.describe_stack_set().stack_set_name(name).send())
                    .await
                    .map_err(|e| call_error(cloudformation::DESCRIBE_STACK_SET, name, &e))
            },
            async {
                Ok(all_pages!(aws, cloudformation::LIST_STACK_INSTANCES, name, summaries, |token| cfn
                    .list_stack_instances()
                    .stack_set_name(name)
                    .max_results(cloudformation::PAGE)
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
                    let failed = i.stack_instance_status().and_then(|s| s.detailed_status())
                        == Some(&t::StackInstanceDetailedStatus::Failed)
                        || i.status() == Some(&t::StackInstanceStatus::Inoperable);
                    Some(LiveStackInstance {
                        account_id: i.account()?.to_string(),
                        region: i.region()?.to_string(),
                        ou_id: i.organizational_unit_id().map(str::to_string),
                        failed: failed.then(|| i.status_reason().unwrap_or("no reason given").to_string()),
                    })
                })
                .collect(),
        })
    }))
    .await?;
    Ok(sets.into_iter().map(|s| (s.name.clone(), s)).collect())
}
