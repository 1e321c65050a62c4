//! `config-status`: whether AWS Config records in each member account and region, and where it
//! does not, why — no stack instance of the blueprint's stack sets there, the instance failed,
//! the recorder is missing, or it is stopped.

use crate::aws::Aws;
use crate::blueprint::Blueprint;
use crate::error::Error;
use crate::live::{CoverageRow, LiveState, ReadScope, RecorderState};
use crate::model::{OuPath, closest, known_region};
use std::collections::BTreeSet;

/// Which member accounts record AWS Config in which regions: every active member account (the
/// management account is not a StackSets target) × the given regions, or the regions the
/// blueprint's stack sets deploy to. A region AWS does not have is refused before any call.
pub(crate) async fn config_coverage(
    bp: &Blueprint,
    aws: &Aws,
    regions: &[String],
    role: &str,
) -> Result<Vec<CoverageRow>, Error> {
    let regions: Vec<String> = if regions.is_empty() {
        bp.stack_sets.values().flat_map(|s| s.regions.iter().cloned()).collect::<BTreeSet<_>>().into_iter().collect()
    } else {
        regions.to_vec()
    };
    if regions.is_empty() {
        return Err(Error::NoRegions);
    }
    if let Some(unknown) = regions.iter().find(|r| !known_region(r)) {
        let near = closest(unknown, crate::model::REGIONS.iter().copied()).map(str::to_string);
        return Err(Error::UnknownRegion { region: unknown.clone(), near });
    }
    // The tree, and the blueprint's stack sets with their instances: no policies, no tags.
    let stack_sets = (!bp.stack_sets.is_empty()).then(|| bp.stack_sets.keys().cloned().collect());
    let live = aws.read_organization(&ReadScope { skip_policies: true, stack_sets, ..ReadScope::default() }).await?;
    let accounts: Vec<(String, String, String)> = live
        .accounts
        .values()
        .filter(|a| a.status == "ACTIVE" && a.id != live.management_account_id)
        .map(|a| (a.id.clone(), a.name.clone(), live.path_of(&a.parent_id).unwrap_or_else(OuPath::root).qualified()))
        .collect();
    let mut rows = crate::aws::config::coverage(aws, &accounts, &regions, role).await;
    for row in &mut rows {
        row.state = explained(bp, &live, row);
    }
    Ok(rows)
}

/// Where Config does not record, the reason the stack sets give first: no instance deploys
/// there, or the one that does failed; then what the recorder says.
fn explained(bp: &Blueprint, live: &LiveState, row: &CoverageRow) -> RecorderState {
    if row.state == RecorderState::Recording || bp.stack_sets.is_empty() {
        return row.state.clone();
    }
    let deploying: Vec<_> = bp.stack_sets.values().filter(|s| s.regions.contains(&row.region)).collect();
    if deploying.is_empty() {
        return row.state.clone();
    }
    let instances: Vec<_> = deploying
        .iter()
        .filter_map(|s| live.stack_sets.as_ref()?.get(&s.name))
        .flat_map(|s| &s.instances)
        .filter(|i| i.account_id == row.account_id && i.region == row.region)
        .collect();
    if let Some(failed) = instances.iter().find_map(|i| i.failed.clone()) {
        return RecorderState::StackInstanceFailed(failed);
    }
    if instances.is_empty() {
        return RecorderState::NoStackInstance;
    }
    row.state.clone()
}

#[cfg(test)]
mod tests;
