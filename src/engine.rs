//! The operations the commands wrap: read what the blueprint touches, plan, apply.

use crate::apply::{self, ApplyError, Ids, Step};
use crate::aws::Aws;
use crate::aws::config_status::CoverageRow;
use crate::blueprint::Blueprint;
use crate::error::Error;
use crate::live::{IdentityCenterScope, LiveState, ReadScope};
use crate::plan::{self, Change, Plan, PlanOptions};

/// What the reader must read in full for this blueprint.
pub fn read_scope(bp: &Blueprint) -> ReadScope {
    // Tags cost one call per OU or account, so only those whose tags the blueprint manages.
    let tagged_accounts = || bp.accounts.values().filter(|a| a.tags.is_some());
    ReadScope {
        tagged_ou_paths: bp.ous.values().filter(|o| o.tags.is_some()).map(|o| o.path.clone()).collect(),
        tagged_account_emails: tagged_accounts().map(|a| a.email.clone()).collect(),
        tagged_account_names: tagged_accounts().map(|a| a.name.clone()).collect(),
        policy_names: bp.policies.keys().cloned().collect(),
        identity_center: bp.identity_center.as_ref().map(|ic| IdentityCenterScope {
            instance_arn: ic.instance_arn.clone(),
            permission_sets: ic.permission_sets.keys().cloned().collect(),
            principals: ic.assignments.iter().map(|a| a.principal.clone()).collect(),
            wanted_pairs: Default::default(),
            all_permission_sets: false,
            memberships: false,
        }),
        trusted_services: bp.organization.trusted_services.is_some(),
        delegated_administrators: !bp.organization.delegated_administrators.is_empty(),
        stack_sets: (!bp.stack_sets.is_empty()).then(|| bp.stack_sets.keys().cloned().collect()),
        skip_policies: false,
    }
}

/// A plan and the live state it was computed from.
pub struct Planned {
    pub plan: Plan,
    pub live: LiveState,
}

/// Reads the live organization and plans the blueprint against it. Never mutates anything.
pub async fn plan(bp: &Blueprint, aws: &Aws, options: &PlanOptions) -> Result<Planned, Error> {
    let mut scope = read_scope(bp);
    let mut live = aws.read_organization(&scope).await?;
    if let Some(ic_scope) = &mut scope.identity_center {
        // Which accounts the assignments reach depends on the tree just read.
        ic_scope.wanted_pairs = plan::desired_pairs(bp, &live);
        live.identity_center = Some(aws.read_identity_center(ic_scope).await?);
    }
    let plan = plan::diff(bp, &live, options)?;
    Ok(Planned { plan, live })
}

/// Applies a plan made from `live`; returns how many changes were applied.
pub async fn apply(
    bp: &Blueprint,
    planned: &Planned,
    aws: &Aws,
    progress: impl FnMut(&Change, Step),
) -> Result<usize, ApplyError> {
    let executor = aws.executor();
    apply::run(&planned.plan, Ids::new(bp, &planned.live), &executor, progress).await
}

/// Which member accounts record AWS Config in which regions: every active member account
/// (the management account is not a StackSets target) × the given regions, or the regions the
/// blueprint's stack sets deploy to.
pub async fn config_coverage(
    bp: &Blueprint,
    aws: &Aws,
    regions: &[String],
    role: &str,
) -> Result<Vec<CoverageRow>, Error> {
    let regions: Vec<String> = if regions.is_empty() {
        bp.stack_sets
            .values()
            .flat_map(|s| s.regions.iter().cloned())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect()
    } else {
        regions.to_vec()
    };
    if regions.is_empty() {
        return Err(Error::Refused("no regions to check: the blueprint has no stack sets; pass --regions".into()));
    }
    let live = aws.read_organization(&ReadScope::default()).await?;
    let accounts: Vec<(String, String)> = live
        .accounts
        .values()
        .filter(|a| a.status == "ACTIVE" && a.id != live.management_account_id)
        .map(|a| (a.id.clone(), a.name.clone()))
        .collect();
    Ok(crate::aws::config_status::coverage(aws, &accounts, &regions, role).await)
}

/// The assignment inventory of the live organization; the blueprint, if given, only marks rows
/// as managed. Reads only: an auditor's read-only credentials are enough.
pub async fn inventory(
    bp: Option<&Blueprint>,
    aws: &Aws,
    options: &crate::inventory::Options,
) -> Result<Vec<crate::inventory::Row>, Error> {
    let scope = ReadScope { skip_policies: true, ..ReadScope::default() };
    let mut live = aws.read_organization(&scope).await?;
    let ic_scope = IdentityCenterScope {
        instance_arn: bp.and_then(|b| b.identity_center.as_ref()).and_then(|ic| ic.instance_arn.clone()),
        all_permission_sets: true,
        memberships: options.expand_groups,
        ..IdentityCenterScope::default()
    };
    live.identity_center = Some(aws.read_identity_center(&ic_scope).await?);
    let desired = bp.map(|b| plan::desired_assignments(b, &live));
    Ok(crate::inventory::rows(&live, options, desired.as_ref()))
}
