//! `lzctl effective`: the effective management policy the blueprint gives an account, and with
//! `--live` AWS's own beside it.

use crate::aws::Aws;
use crate::blueprint::Blueprint;
use crate::error::Error;
use crate::live::LiveState;
use crate::model::PolicyType;
use crate::plan::effective::of_account;
use serde_json::Value;

/// One account's effective policy of one type, as the blueprint makes it and (read live) as
/// AWS has it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct EffectiveView {
    /// The blueprint's key, or AWS's name for an account the blueprint does not list.
    pub account: String,
    pub account_id: Option<String>,
    pub policy_type: PolicyType,
    pub blueprint: Option<Value>,
    /// Some with `--live`: what DescribeEffectivePolicy answered (None: no policy of the type).
    pub aws: Option<Option<Value>>,
}

fn management_type(policy_type: PolicyType) -> Result<PolicyType, Error> {
    if policy_type.is_authorization() {
        return Err(Error::NoEffectivePolicy { policy_type });
    }
    Ok(policy_type)
}

/// From the blueprint alone: its account `key`, in its OU, with the policies the blueprint
/// attaches at every level (levels it does not manage count as having none).
pub(crate) fn effective(bp: &Blueprint, key: &str, policy_type: PolicyType) -> Result<EffectiveView, Error> {
    let policy_type = management_type(policy_type)?;
    if !bp.accounts.contains_key(key) {
        return Err(Error::UnknownAccount { name: key.to_string(), live: false });
    }
    let blueprint = of_account(bp, &LiveState::default(), Some(key), None, policy_type)
        .expect("the blueprint has every document it attaches");
    Ok(EffectiveView { account: key.to_string(), account_id: None, policy_type, blueprint, aws: None })
}

/// Read live: the account found by blueprint key, AWS name or id; the blueprint's effective
/// policy with the levels it does not manage as AWS has them, and AWS's own.
pub(crate) async fn effective_live(
    bp: &Blueprint,
    aws: &Aws,
    account: &str,
    policy_type: PolicyType,
) -> Result<EffectiveView, Error> {
    let policy_type = management_type(policy_type)?;
    let mut scope = super::read_scope(bp);
    scope.identity_center = None;
    scope.stack_sets = None;
    scope.management_documents = true;
    let live = aws.read_organization(&scope).await?;
    let matched = crate::plan::matched_accounts(bp, &live);
    let (key, id) = match matched.get(account) {
        Some(id) => (Some(account.to_string()), id.clone()),
        None => {
            let found = live.accounts.values().find(|a| a.id == account || a.name == account);
            let Some(found) = found else {
                return Err(Error::UnknownAccount { name: account.to_string(), live: true });
            };
            let key = matched.iter().find(|(_, id)| **id == found.id).map(|(k, _)| k.clone());
            (key, found.id.clone())
        }
    };
    let label = key.clone().unwrap_or_else(|| live.accounts[&id].name.clone());
    let blueprint = of_account(bp, &live, key.as_deref(), Some(&id), policy_type)
        .map_err(|policy| Error::UnreadDocument { policy })?;
    let theirs = aws.effective_policy(policy_type, &id).await?;
    Ok(EffectiveView { account: label, account_id: Some(id), policy_type, blueprint, aws: Some(theirs) })
}
