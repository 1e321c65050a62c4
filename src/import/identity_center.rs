//! Identity Center as a blueprint: permission sets with every attribute, and assignments grouped
//! by the OU subtrees they cover whole.

use super::yaml::{Lines, scalar};
use super::{Importer, file_stem};
use crate::live::{LivePermissionSet, Readable};
use crate::model::{Boundary, OuPath, Principal, pretty};
use std::collections::{BTreeMap, BTreeSet};

impl Importer<'_> {
    /// An account as an assignment names it: its key, or its id where the blueprint does not
    /// describe it.
    fn account_ref(&self, id: &str) -> String {
        self.keys.get(id).cloned().unwrap_or_else(|| id.to_string())
    }

    pub(super) fn identity_center(&mut self, out: &mut Lines) {
        let Some(ic) = &self.live.identity_center else { return };
        out.blank();
        out.line(0, "identity_center:");
        if !ic.permission_sets.is_empty() {
            out.line(1, "permission_sets:");
            for (name, ps) in &ic.permission_sets {
                self.permission_set(out, name, ps);
            }
        }
        // Every (principal, permission set) and the accounts it reaches.
        let mut granted: BTreeMap<(String, Principal), BTreeSet<String>> = BTreeMap::new();
        for a in &ic.assignments {
            match ic.principal_names.get(&a.principal.id) {
                Some(principal) => {
                    granted.entry((a.permission_set.clone(), principal.clone())).or_default().insert(a.account_id.clone());
                }
                None => self.problems.push(format!(
                    "permission set {} is assigned in account {} to {} {}, which the identity store does not have; remove the assignment in AWS",
                    a.permission_set, a.account_id, a.principal.kind.as_str().to_lowercase(), a.principal.id
                )),
            }
        }
        if granted.is_empty() {
            out.line(1, "assignments: []");
            return;
        }
        let reach = self.reach();
        out.line(1, "assignments:");
        for ((permission_set, principal), accounts) in &granted {
            self.printable(&format!("{principal}"), principal.name());
            let (kind, name) = match principal {
                Principal::Group(name) => ("group", name),
                Principal::User(name) => ("user", name),
            };
            out.line(2, &format!("- {kind}: {}", scalar(name)));
            out.line(3, &format!("permission_set: {}", scalar(permission_set)));
            let (ous, rest) = group_by_ou(&reach, accounts);
            if !ous.is_empty() {
                out.list(3, "ous", &ous.iter().map(ToString::to_string).collect::<Vec<_>>());
            }
            if !rest.is_empty() {
                let mut names: Vec<String> = rest.iter().map(|id| self.account_ref(id)).collect();
                names.sort();
                out.list(3, "accounts", &names);
            }
        }
    }

    /// The active accounts under each OU and the root, at any depth: what `ous: [path]` reaches
    /// (the management account only where the blueprint describes it).
    fn reach(&self) -> BTreeMap<OuPath, BTreeSet<String>> {
        let mut reach: BTreeMap<OuPath, BTreeSet<String>> = BTreeMap::new();
        reach.insert(OuPath::root(), BTreeSet::new());
        for path in self.paths.values() {
            reach.insert(path.clone(), BTreeSet::new());
        }
        let reachable = |a: &&crate::live::LiveAccount| {
            a.status == "ACTIVE" && (a.id != self.live.management_account_id || self.options.include_management)
        };
        for account in self.live.accounts.values().filter(reachable) {
            let Some(at) = self.live.path_of(&account.parent_id) else { continue };
            for (path, accounts) in &mut reach {
                if path.contains(&at) {
                    accounts.insert(account.id.clone());
                }
            }
        }
        reach
    }

    fn permission_set(&mut self, out: &mut Lines, name: &str, ps: &LivePermissionSet) {
        out.line(2, &format!("{}:", scalar(name)));
        if let Some(description) = &ps.description {
            self.printable(&format!("permission set {name}"), description);
            out.line(3, &format!("description: {}", scalar(description)));
        }
        out.line(3, &format!("session_duration: {}", scalar(ps.session_duration.as_deref().unwrap_or("PT1H"))));
        if let Some(relay) = &ps.relay_state {
            out.line(3, &format!("relay_state: {}", scalar(relay)));
        }
        if !ps.managed_policies.is_empty() {
            out.list(3, "managed_policies", &ps.managed_policies.iter().cloned().collect::<Vec<_>>());
        }
        if !ps.customer_managed_policies.is_empty() {
            out.line(3, "customer_managed_policies:");
            for r in &ps.customer_managed_policies {
                out.line(4, &format!("- {{name: {}, path: {}}}", scalar(&r.name), scalar(&r.path)));
            }
        }
        match &ps.inline_policy {
            None => {}
            Some(doc @ serde_json::Value::Object(_)) => {
                let file = format!("policies/permission-sets/{}.json", file_stem(name));
                self.files.insert(file.clone(), pretty(doc) + "\n");
                out.line(3, &format!("inline_policy: {{file: {}}}", scalar(&file)));
            }
            Some(_) => self.problems.push(format!("permission set {name}: its inline policy is not a JSON object")),
        }
        match &ps.permissions_boundary {
            Readable::Known(Some(Boundary::ManagedPolicyArn(arn))) => {
                out.line(3, &format!("permissions_boundary: {{managed_policy_arn: {}}}", scalar(arn)));
            }
            Readable::Known(Some(Boundary::CustomerManaged(r))) => out.line(
                3,
                &format!(
                    "permissions_boundary: {{customer_managed_policy_reference: {{name: {}, path: {}}}}}",
                    scalar(&r.name),
                    scalar(&r.path)
                ),
            ),
            Readable::Known(None) | Readable::Unknown(_) => {}
        }
        if let Readable::Known(tags) = &ps.tags
            && !tags.is_empty()
        {
            self.tags(out, 3, &format!("permission set {name}"), tags);
        }
    }
}

/// Splits the accounts a (principal, permission set) reaches into the topmost OUs whose every
/// account it reaches (never an OU with no accounts), and the accounts left over.
fn group_by_ou(
    reach: &BTreeMap<OuPath, BTreeSet<String>>,
    accounts: &BTreeSet<String>,
) -> (Vec<OuPath>, BTreeSet<String>) {
    let mut chosen: Vec<OuPath> = Vec::new();
    let mut rest = accounts.clone();
    // Parents sort before their children, so the topmost OU is met first.
    for (path, reached) in reach {
        if reached.is_empty() || !reached.is_subset(accounts) || chosen.iter().any(|c| c.contains(path)) {
            continue;
        }
        chosen.push(path.clone());
        rest.retain(|a| !reached.contains(a));
    }
    (chosen, rest)
}
