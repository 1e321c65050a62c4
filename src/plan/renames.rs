//! OUs the blueprint renamed (`renamed_from:`): found in the live organization under their old
//! name, renamed in place (UpdateOrganizationalUnit) instead of created anew with every account
//! moved. Planning and applying both see the organization as it will be once renamed, so the
//! rest of the plan names the OU by its new path.

use super::{Change, Op, ou_address};
use crate::blueprint::Blueprint;
use crate::live::LiveState;
use crate::model::{Action, Kind, OuPath};
use serde_json::json;
use std::borrow::Cow;

/// The live organization with the blueprint's renames made, and a change for each: an OU
/// whose new path the organization lacks and whose old name it has under the same parent.
pub(crate) fn renamed<'a>(bp: &Blueprint, live: &'a LiveState) -> (Cow<'a, LiveState>, Vec<Change>) {
    let mut view = Cow::Borrowed(live);
    let mut changes = Vec::new();
    // Parents before children (paths sort so), each seeing its parent's new name.
    for (path, ou) in &bp.ous {
        let Some(old) = &ou.renamed_from else { continue };
        let by_path = view.ous_by_path();
        let old_path = path.parent().child(old);
        if by_path.contains_key(path) {
            continue;
        }
        let Some(existing) = by_path.get(&old_path).map(|o| o.id.clone()) else { continue };
        view.to_mut().ous.get_mut(&existing).expect("just found").name.clone_from(&ou.name);
        changes.push(rename(path, &old_path, existing));
    }
    (view, changes)
}

fn rename(path: &OuPath, old_path: &OuPath, id: String) -> Change {
    Change {
        address: ou_address(path),
        kind: Kind::OrganizationalUnit,
        action: Action::Update,
        before: Some(json!({"name": old_path.name(), "path": old_path.to_string()})),
        after: Some(json!({"name": path.name(), "path": path.to_string()})),
        reason: format!("renamed from {old_path}"),
        op: Op::RenameOu { path: path.clone(), id, name: path.name().to_string() },
    }
}

#[cfg(test)]
mod tests;
