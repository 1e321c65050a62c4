//! Listing Identity Center's assignments, the two ways the reader chooses between: one listing
//! per principal (every permission set it holds, kept where `assigned` names the set), or one
//! per (permission set, account) pair.

use super::read::kind_of;
use super::sdk_kind;
use crate::apply::CallError;
use crate::aws::Aws;
use crate::aws::api::sso_admin;
use crate::live::{LiveAssignment, LivePermissionSet};
use crate::model::{Principal, PrincipalId};
use futures::future::try_join_all;
use std::collections::{BTreeMap, BTreeSet};

pub(super) async fn by_principal(
    aws: &Aws,
    instance: &str,
    principals: &BTreeMap<String, Principal>,
    assigned: &BTreeMap<String, String>,
) -> Result<BTreeSet<LiveAssignment>, CallError> {
    let lists = try_join_all(principals.iter().map(|(id, principal)| async move {
        let kind = principal.kind();
        let resource = principal.to_string();
        let found =
            all_pages!(aws, sso_admin::LIST_ASSIGNMENTS_FOR_PRINCIPAL, resource, account_assignments, |token| aws
                .sso
                .list_account_assignments_for_principal()
                .instance_arn(instance)
                .principal_id(id)
                .principal_type(sdk_kind(kind))
                .max_results(sso_admin::PAGE)
                .set_next_token(token.clone()));
        Ok::<_, CallError>(found.into_iter().filter_map(move |a| {
            let ps = assigned.get(a.permission_set_arn()?)?;
            assignment(ps, a.account_id(), a.principal_type(), a.principal_id())
        }))
    }))
    .await?;
    Ok(lists.into_iter().flatten().collect())
}

pub(super) async fn by_pair(
    aws: &Aws,
    instance: &str,
    pairs: &BTreeSet<(String, String)>,
    permission_sets: &BTreeMap<String, LivePermissionSet>,
) -> Result<BTreeSet<LiveAssignment>, CallError> {
    let lists = try_join_all(pairs.iter().map(|(ps, account)| async move {
        let arn = &permission_sets[ps].arn;
        let resource = format!("{ps} @ {account}");
        let found = all_pages!(aws, sso_admin::LIST_ACCOUNT_ASSIGNMENTS, resource, account_assignments, |token| aws
            .sso
            .list_account_assignments()
            .instance_arn(instance)
            .account_id(account)
            .permission_set_arn(arn)
            .max_results(sso_admin::PAGE)
            .set_next_token(token.clone()));
        Ok::<_, CallError>(
            found.into_iter().filter_map(move |a| assignment(ps, a.account_id(), a.principal_type(), a.principal_id())),
        )
    }))
    .await?;
    Ok(lists.into_iter().flatten().collect())
}

/// An assignment as either listing reports it; None where AWS left out the account or the
/// principal.
fn assignment(
    permission_set: &str,
    account_id: Option<&str>,
    principal_type: Option<&aws_sdk_ssoadmin::types::PrincipalType>,
    principal_id: Option<&str>,
) -> Option<LiveAssignment> {
    Some(LiveAssignment {
        permission_set: permission_set.to_string(),
        account_id: account_id?.to_string(),
        principal: PrincipalId { kind: kind_of(principal_type), id: principal_id?.to_string() },
    })
}
