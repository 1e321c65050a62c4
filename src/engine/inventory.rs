//! The inventories an auditor files: who can reach which account with which permission set,
//! and what each permission set grants; each with when it was read, of which organization and
//! by whom. Reads only.

use crate::aws::Aws;
use crate::blueprint::Blueprint;
use crate::error::Error;
use crate::inventory::{Filters, Meta, Options, Row};
use crate::live::{IdentityCenterScope, LiveIdentityCenter, LiveState, ReadScope};
use crate::model::{OuPath, closest};
use crate::plan;

/// An access inventory and what it was read from.
pub(crate) struct Inventory {
    pub rows: Vec<Row>,
    pub meta: Meta,
}

/// The assignment inventory of the live organization; the blueprint, if given, only marks rows
/// as managed. A filter that names nothing the organization has is an error, not an empty
/// report.
pub(crate) async fn inventory(bp: Option<&Blueprint>, aws: &Aws, options: &Options) -> Result<Inventory, Error> {
    let ic_scope = IdentityCenterScope {
        instance_arn: instance_arn(bp),
        all_permission_sets: true,
        memberships: options.expand_groups,
        ..IdentityCenterScope::default()
    };
    let scope = ReadScope {
        skip_policies: true,
        identity_center: Some(ic_scope),
        account_tags: options.account_tags,
        // Invitations show as INVITED rows; read where the blueprint invites an account.
        handshakes: options.include_unassigned && bp.is_some_and(|b| b.accounts.values().any(|a| a.invite)),
        ..ReadScope::default()
    };
    let (live, read_by) = futures::try_join!(aws.read(&scope, |_| Default::default()), aws.caller_arn())?;
    if let Some((filter, near)) = unmatched(&live, &options.filters) {
        return Err(Error::FilterMatchesNothing { filter, near });
    }
    let desired = bp.map(|b| plan::desired_assignments(b, &live));
    let meta = meta(&live, read_by);
    Ok(Inventory { rows: crate::inventory::rows(&live, options, desired.as_ref()), meta })
}

/// Every permission set with what it grants, and what that was read from.
pub(crate) async fn permission_set_inventory(
    bp: Option<&Blueprint>,
    aws: &Aws,
) -> Result<(LiveIdentityCenter, Meta), Error> {
    let ic_scope = IdentityCenterScope {
        instance_arn: instance_arn(bp),
        all_permission_sets: true,
        details: true,
        ..IdentityCenterScope::default()
    };
    let scope = ReadScope { skip_policies: true, identity_center: Some(ic_scope), ..ReadScope::default() };
    let (live, read_by) = futures::try_join!(aws.read(&scope, |_| Default::default()), aws.caller_arn())?;
    let meta = meta(&live, read_by);
    Ok((live.identity_center.unwrap_or_default(), meta))
}

/// The Identity Center instance the blueprint names, if it names one.
fn instance_arn(bp: Option<&Blueprint>) -> Option<String> {
    bp.and_then(|b| b.identity_center.as_ref()).and_then(|ic| ic.instance_arn.clone())
}

fn meta(live: &LiveState, read_by: String) -> Meta {
    Meta { generated_at: crate::saved::now_rfc3339(), organization_id: live.organization_id.clone(), read_by }
}

/// The first filter naming nothing the organization has (`--principal rsilvaa`), with the
/// nearest name it does have.
fn unmatched(live: &LiveState, filters: &Filters) -> Option<(String, Option<String>)> {
    let ic = live.identity_center.as_ref();
    let invited = live.handshakes.iter().flatten().map(|h| h.account_id.as_str());
    let account_names: Vec<&str> =
        live.accounts.values().flat_map(|a| [a.id.as_str(), a.name.as_str()]).chain(invited).collect();
    let ou_paths: Vec<String> =
        live.ous_by_path().keys().map(OuPath::qualified).chain([OuPath::ROOT_NAME.into()]).collect();
    let principals: Vec<&str> =
        ic.iter().flat_map(|ic| ic.principal_names.values()).map(crate::model::Principal::name).collect();
    let permission_sets: Vec<&str> = ic.iter().flat_map(|ic| ic.permission_sets.keys()).map(String::as_str).collect();
    let checks: [(&str, &Vec<String>, Vec<&str>); 4] = [
        ("--account", &filters.accounts, account_names),
        ("--ou", &filters.ous, ou_paths.iter().map(String::as_str).collect()),
        ("--principal", &filters.principals, principals),
        ("--permission-set", &filters.permission_sets, permission_sets),
    ];
    for (flag, wanted, known) in checks {
        for value in wanted {
            let found = if flag == "--ou" {
                let path = OuPath::parse_qualified(value).qualified();
                known.contains(&path.as_str())
            } else {
                known.contains(&value.as_str())
            };
            if !found {
                return Some((format!("{flag} {value}"), closest(value, known.iter().copied()).map(str::to_string)));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests;
