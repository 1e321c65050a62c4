//! The operations the commands wrap: read what the blueprint touches, plan, apply.

use crate::apply::{self, ApplyError, Ids, Step};
use crate::approvals;
use crate::aws::{Aws, Progress};
use crate::blueprint::Blueprint;
use crate::error::Error;
use crate::live::CoverageRow;
use crate::live::{IdentityCenterScope, LiveState, ReadScope};
use crate::plan::{self, Change, Plan, PlanOptions};
use crate::saved::{self, Body, SavedPlan};

/// What the reader must read in full for this blueprint.
pub(crate) fn read_scope(bp: &Blueprint) -> ReadScope {
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

/// A plan, the live state it was computed from, and what was read to get it.
pub(crate) struct Planned {
    pub plan: Plan,
    pub live: LiveState,
    pub scope: ReadScope,
}

/// Reads the live organization and plans the blueprint against it. Never mutates anything.
pub(crate) async fn plan(bp: &Blueprint, aws: &Aws, options: &PlanOptions) -> Result<Planned, Error> {
    let mut scope = read_scope(bp);
    let mut live = aws.read_organization(&scope).await?;
    if let Some(ic_scope) = &mut scope.identity_center {
        // Which accounts the assignments reach depends on the tree just read.
        ic_scope.wanted_pairs = plan::desired_pairs(bp, &live);
        live.identity_center = Some(aws.read_identity_center(ic_scope).await?);
    }
    let plan = plan::diff(bp, &live, options)?;
    Ok(Planned { plan, live, scope })
}

/// Plans, and where `out` is given, saves the plan there for `approve` and `apply PLANFILE`.
pub(crate) async fn plan_and_save(
    bp: &Blueprint,
    aws: &Aws,
    options: &PlanOptions,
    out: Option<&std::path::Path>,
) -> Result<(Plan, Option<SavedPlan>), Error> {
    let planned = plan(bp, aws, options).await?;
    let saved = match out {
        Some(path) => {
            let saved = save(bp, &planned, aws).await?;
            std::fs::write(path, saved.to_json()).map_err(Error::write(path))?;
            Some(saved)
        }
        None => None,
    };
    Ok((planned.plan, saved))
}

/// Reads exactly what a saved plan's scope names.
async fn read(aws: &Aws, scope: &ReadScope) -> Result<LiveState, Error> {
    let mut live = aws.read_organization(scope).await?;
    if let Some(ic_scope) = &scope.identity_center {
        live.identity_center = Some(aws.read_identity_center(ic_scope).await?);
    }
    Ok(live)
}

/// A saved plan of what was just planned.
pub(crate) async fn save(bp: &Blueprint, planned: &Planned, aws: &Aws) -> Result<SavedPlan, Error> {
    let creator = aws.caller_arn().await?;
    let parts = saved::state_parts(&planned.live);
    Ok(SavedPlan::new(Body {
        format_version: saved::FORMAT_VERSION,
        tool_version: env!("CARGO_PKG_VERSION").into(),
        blueprint: bp.file.display().to_string(),
        blueprint_digest: saved::blueprint_digest(&bp.files()),
        creator,
        created_at: saved::now_rfc3339(),
        scope: planned.scope.clone(),
        state_fingerprint: saved::fingerprint(&parts),
        state_parts: parts,
        plan: planned.plan.clone(),
    }))
}

/// Checks a saved plan may be applied — same blueprint, enough approvals by others, the world
/// unchanged since it was made — before any mutating call; returns the live state to apply to.
pub(crate) async fn check_saved(
    saved: &SavedPlan,
    bp: &Blueprint,
    aws: &Aws,
) -> Result<(LiveState, Vec<String>), Error> {
    if saved::blueprint_digest(&bp.files()) != saved.body.blueprint_digest {
        return Err(Error::BlueprintChanged { blueprint: bp.file.clone() });
    }
    let approvers = match &bp.approvals {
        None => Vec::new(),
        Some(approvals) => approvals::check(
            approvals.required,
            &approvals.signers,
            &saved.approvals,
            &saved.digest,
            &saved.body.creator,
        )?,
    };
    let live = read(aws, &saved.body.scope).await?;
    let parts = saved::state_parts(&live);
    if saved::fingerprint(&parts) != saved.body.state_fingerprint {
        let changed = saved::what_changed(&saved.body.state_parts, &parts);
        return Err(Error::Stale { created_at: saved.body.created_at.clone(), changed });
    }
    Ok((live, approvers))
}

/// Applies exactly a saved plan's changes, once `check_saved` passed.
pub(crate) async fn apply_saved(
    saved: &SavedPlan,
    bp: &Blueprint,
    live: &LiveState,
    aws: &Aws,
    progress: impl FnMut(&Change, Step),
    waiting: Progress<'_>,
) -> Result<usize, Error> {
    let executor = aws.executor(waiting);
    Ok(apply::run(&saved.body.plan, Ids::new(bp, live), &executor, progress).await?)
}

/// Applies a plan made from `live`; returns how many changes were applied.
pub(crate) async fn apply(
    bp: &Blueprint,
    planned: &Planned,
    aws: &Aws,
    progress: impl FnMut(&Change, Step),
    waiting: Progress<'_>,
) -> Result<usize, ApplyError> {
    let executor = aws.executor(waiting);
    apply::run(&planned.plan, Ids::new(bp, &planned.live), &executor, progress).await
}

/// Which member accounts record AWS Config in which regions: every active member account
/// (the management account is not a StackSets target) × the given regions, or the regions the
/// blueprint's stack sets deploy to.
pub(crate) async fn config_coverage(
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
        return Err(Error::NoRegions);
    }
    // Only the tree is needed: no policies, no tags.
    let live = aws.read_organization(&ReadScope { skip_policies: true, ..ReadScope::default() }).await?;
    let accounts: Vec<(String, String)> = live
        .accounts
        .values()
        .filter(|a| a.status == "ACTIVE" && a.id != live.management_account_id)
        .map(|a| (a.id.clone(), a.name.clone()))
        .collect();
    Ok(crate::aws::config::coverage(aws, &accounts, &regions, role).await)
}

/// The assignment inventory of the live organization; the blueprint, if given, only marks rows
/// as managed. Reads only: an auditor's read-only credentials are enough.
pub(crate) async fn inventory(
    bp: Option<&Blueprint>,
    aws: &Aws,
    options: &crate::inventory::Options,
) -> Result<Vec<crate::inventory::Row>, Error> {
    let ic_scope = IdentityCenterScope {
        instance_arn: bp.and_then(|b| b.identity_center.as_ref()).and_then(|ic| ic.instance_arn.clone()),
        all_permission_sets: true,
        memberships: options.expand_groups,
        ..IdentityCenterScope::default()
    };
    let scope = ReadScope { skip_policies: true, identity_center: Some(ic_scope), ..ReadScope::default() };
    let live = read(aws, &scope).await?;
    let desired = bp.map(|b| plan::desired_assignments(b, &live));
    Ok(crate::inventory::rows(&live, options, desired.as_ref()))
}
