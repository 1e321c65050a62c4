//! AWS's own effective management policy of an account (DescribeEffectivePolicy): what
//! `lzctl effective --live` puts beside the blueprint's.

use crate::apply::CallError;
use crate::aws::Aws;
use crate::aws::api::organizations;
use crate::aws::errors::{call_error, code, failed};
use crate::model::PolicyType;
use aws_sdk_organizations::types::EffectivePolicyType;
use serde_json::Value;

/// The effective policy of `policy_type` in force for the account; None where no policy of
/// the type reaches it (AWS answers EffectivePolicyNotFoundException).
pub(in crate::aws) async fn effective_policy(
    aws: &Aws,
    policy_type: PolicyType,
    account_id: &str,
) -> Result<Option<Value>, CallError> {
    let api = organizations::DESCRIBE_EFFECTIVE_POLICY;
    let resource = format!("the effective {policy_type} of {account_id}");
    let answer = aws
        .pacer
        .call(api, || {
            aws.org
                .describe_effective_policy()
                .policy_type(EffectivePolicyType::from(policy_type.as_str()))
                .target_id(account_id)
                .send()
        })
        .await;
    let out = match answer {
        Ok(out) => out,
        Err(e) if code(&e) == Some("EffectivePolicyNotFoundException") => return Ok(None),
        Err(e) => return Err(call_error(api, &resource, &e)),
    };
    let Some(content) = out.effective_policy().and_then(|p| p.policy_content()) else { return Ok(None) };
    serde_json::from_str(content)
        .map(Some)
        .map_err(|e| failed(api, &resource, format!("AWS answered with content that is not JSON: {e}")))
}

#[cfg(test)]
mod tests;
