//! `lzctl import`: the blueprint that describes a live organization as it is, so adopting one is
//! import, review, `plan` says `No changes.`, commit. Pure: the live state in, the blueprint's
//! text and the files it names out, or the list of what a blueprint cannot say.

mod identity_center;
mod stack_sets;
mod yaml;

use crate::live::{LiveAccount, LiveState};
use crate::model::{FULL_AWS_ACCESS, OuPath, PolicyType, first_unprintable, minified, pretty};
use std::collections::{BTreeMap, BTreeSet};
use yaml::{Lines, flow, flow_map, scalar};

/// The service principal of StackSets' trusted access, which service-managed stack sets need.
const STACK_SETS_SERVICE: &str = "member.org.stacksets.cloudformation.amazonaws.com";

/// The parts of the organization an import describes; the blueprint manages only those.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Sections {
    /// Settings, the OU tree, accounts, SCPs and RCPs and their attachments.
    pub organizations: bool,
    pub identity_center: bool,
    pub stack_sets: bool,
}

impl Sections {
    pub(crate) const ALL: Sections = Sections { organizations: true, identity_center: true, stack_sets: true };

    fn names(self) -> Vec<&'static str> {
        [
            (self.organizations, "organizations"),
            (self.identity_center, "identity_center"),
            (self.stack_sets, "stack_sets"),
        ]
        .into_iter()
        .filter_map(|(on, name)| on.then_some(name))
        .collect()
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Options {
    pub sections: Sections,
    /// Describe the management account too (it is left unmanaged otherwise).
    pub include_management: bool,
    /// When it was read (RFC 3339), for the header.
    pub imported_at: String,
}

/// What an import writes: the blueprint, and the files it names by their relative paths.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Imported {
    pub blueprint: String,
    pub files: BTreeMap<String, String>,
    /// What the blueprint leaves unmanaged on purpose, each with why.
    pub left_out: Vec<String>,
}

/// Describes `live` as a blueprint; Err lists everything a blueprint cannot express.
pub(crate) fn import(live: &LiveState, options: &Options) -> Result<Imported, Vec<String>> {
    let mut importer = Importer::new(live, options);
    let mut out = Lines::default();
    importer.header(&mut out);
    if options.sections.organizations {
        importer.organization(&mut out);
        importer.tree(&mut out);
        importer.accounts(&mut out);
        importer.policies(&mut out);
        importer.quotas(&mut out);
    }
    if options.sections.identity_center {
        importer.identity_center(&mut out);
    }
    if options.sections.stack_sets {
        importer.stack_sets(&mut out);
    }
    if !importer.problems.is_empty() {
        return Err(importer.problems);
    }
    Ok(Imported { blueprint: out.into_string(), files: importer.files, left_out: importer.left_out })
}

struct Importer<'a> {
    live: &'a LiveState,
    options: &'a Options,
    /// Account id → blueprint key, for the accounts the blueprint describes.
    keys: BTreeMap<String, String>,
    /// OU id → path.
    paths: BTreeMap<String, OuPath>,
    files: BTreeMap<String, String>,
    problems: Vec<String>,
    left_out: Vec<String>,
}

/// A blueprint key from a free-text name: lower case, runs of anything but letters and digits
/// as one `-`.
fn key_from(name: &str) -> String {
    let mut key = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            key.push(c);
        } else if !key.is_empty() && !key.ends_with('-') {
            key.push('-');
        }
    }
    let key = key.trim_end_matches('-').to_string();
    if key.is_empty() { "account".to_string() } else { key }
}

/// A file name from a free-text name: letters, digits, `.`, `_` and `-` kept, the rest `-`.
fn file_stem(name: &str) -> String {
    let mut stem = String::new();
    for c in name.chars() {
        let c = if c.is_ascii_alphanumeric() || "._".contains(c) { c } else { '-' };
        if !(c == '-' && stem.ends_with('-')) {
            stem.push(c);
        }
    }
    let stem = stem.trim_start_matches(['.', '-']).trim_end_matches('-').to_string();
    if stem.is_empty() { "policy".to_string() } else { stem }
}

/// `wanted`, or `wanted-2`, `wanted-3`… — the first not in `taken` (compared without case, as
/// some file systems do), which it joins.
fn unique(wanted: &str, taken: &mut BTreeSet<String>) -> String {
    let mut candidate = wanted.to_string();
    let mut n = 2;
    while !taken.insert(candidate.to_lowercase()) {
        candidate = format!("{wanted}-{n}");
        n += 1;
    }
    candidate
}

impl<'a> Importer<'a> {
    fn new(live: &'a LiveState, options: &'a Options) -> Importer<'a> {
        let paths = live.ous.keys().filter_map(|id| Some((id.clone(), live.path_of(id)?))).collect();
        let mut importer = Importer {
            live,
            options,
            keys: BTreeMap::new(),
            paths,
            files: BTreeMap::new(),
            problems: Vec::new(),
            left_out: Vec::new(),
        };
        if options.sections.organizations {
            importer.account_keys();
        }
        importer
    }

    /// The accounts the blueprint describes: every active one, the management account only
    /// when asked. Keys come from names; where names collide, the account with the lowest id
    /// keeps the plain key and the others add their id.
    fn account_keys(&mut self) {
        let mut by_key: BTreeMap<String, Vec<&LiveAccount>> = BTreeMap::new();
        for account in self.live.accounts.values() {
            if account.status != "ACTIVE" {
                self.left_out.push(format!(
                    "account {} ({}) is {}: not described (lzctl manages active accounts)",
                    account.name, account.id, account.status
                ));
                continue;
            }
            if account.id == self.live.management_account_id && !self.options.include_management {
                self.left_out.push(format!(
                    "account {} ({}) is the management account: not described (--include-management describes it)",
                    account.name, account.id
                ));
                continue;
            }
            by_key.entry(key_from(&account.name)).or_default().push(account);
        }
        let mut taken: BTreeSet<String> = by_key.keys().map(|k| k.to_lowercase()).collect();
        for (key, accounts) in &by_key {
            for (i, account) in accounts.iter().enumerate() {
                let key = if i == 0 { key.clone() } else { unique(&format!("{key}-{}", account.id), &mut taken) };
                self.keys.insert(account.id.clone(), key);
            }
        }
    }

    fn header(&self, out: &mut Lines) {
        out.line(
            0,
            &format!(
                "# Imported by lzctl {} from organization {} (management account {}) at {}.",
                env!("CARGO_PKG_VERSION"),
                self.live.organization_id,
                self.live.management_account_id,
                self.options.imported_at
            ),
        );
        out.line(
            0,
            &format!(
                "# Sections: {}. `lzctl plan` with this file says \"No changes.\"",
                self.options.sections.names().join(", ")
            ),
        );
        out.line(0, "version: 1");
    }

    /// A name as the blueprint can hold it, or a problem: no control or bidirectional characters.
    fn printable(&mut self, what: &str, text: &str) -> bool {
        match first_unprintable(text) {
            None => true,
            Some(c) => {
                self.problems.push(format!(
                    "{what} holds the character U+{:04X}, which a blueprint refuses (it would print as something else in a plan); rename it in AWS",
                    c as u32
                ));
                false
            }
        }
    }

    /// The customer policies of the managed types attached to a target, by name, and whether
    /// FullAWSAccess is.
    fn attached(&self, target_id: &str) -> (Vec<String>, bool) {
        let mut names = Vec::new();
        let mut full = false;
        for policy in self.live.attached_to(target_id) {
            if policy.aws_managed {
                full |= policy.name == FULL_AWS_ACCESS;
            } else {
                names.push(policy.name.clone());
            }
        }
        names.sort();
        (names, full)
    }

    fn scp_enabled(&self) -> bool {
        self.live.root.policy_types.contains(&PolicyType::ServiceControlPolicy)
    }

    /// `policies:` and `full_aws_access:` of an OU or account, at `indent`.
    fn attachments(&self, out: &mut Lines, indent: usize, target_id: &str) {
        let (names, full) = self.attached(target_id);
        if !names.is_empty() {
            out.list(indent, "policies", &names);
        }
        if self.scp_enabled() && !full {
            out.line(indent, "full_aws_access: false");
        }
    }

    fn organization(&mut self, out: &mut Lines) {
        out.blank();
        out.line(0, "organization:");
        let types: Vec<String> = self.live.root.policy_types.iter().map(|t| t.as_str().to_string()).collect();
        out.line(1, &format!("policy_types: {}", flow(&types)));
        if let Some(services) = &self.live.trusted_services {
            // AWS needs trusted access for a delegated administrator's service and for
            // service-managed stack sets, and so does a blueprint that manages trusted access;
            // where the organization lacks it (it was disabled later), leave it unmanaged.
            let mut needed: BTreeSet<&str> =
                self.live.delegated_administrators.iter().flatten().map(|(s, _)| s.as_str()).collect();
            let service_managed = self
                .live
                .stack_sets
                .iter()
                .flatten()
                .any(|(_, ss)| ss.permission_model.as_deref().is_none_or(|m| m == "SERVICE_MANAGED"));
            if self.options.sections.stack_sets && service_managed {
                needed.insert(STACK_SETS_SERVICE);
            }
            let missing: Vec<&str> = needed.into_iter().filter(|s| !services.contains(*s)).collect();
            if missing.is_empty() {
                out.list(1, "trusted_services", &services.iter().cloned().collect::<Vec<_>>());
            } else {
                self.left_out.push(format!(
                    "trusted access: not described, since {} lack(s) it while in use (a blueprint managing trusted access would refuse that)",
                    missing.join(", ")
                ));
            }
        }
        let mut delegated = Vec::new();
        for (service, ids) in self.live.delegated_administrators.iter().flatten() {
            let keys: Vec<&String> = ids.iter().filter_map(|id| self.keys.get(id)).collect();
            match (ids.len(), keys.as_slice()) {
                (1, [key]) => delegated.push((service.clone(), (*key).clone())),
                (1, _) => self.problems.push(format!(
                    "{service} has the delegated administrator {}, an account the blueprint does not describe (the management account needs --include-management)",
                    ids.iter().next().map_or("", String::as_str)
                )),
                _ => self.problems.push(format!(
                    "{service} has {} delegated administrators; a blueprint names one per service",
                    ids.len()
                )),
            }
        }
        if !delegated.is_empty() {
            out.line(1, "delegated_administrators:");
            for (service, key) in &delegated {
                out.line(2, &format!("{}: {}", scalar(service), scalar(key)));
            }
        }
        let root = self.live.root.id.clone();
        let (names, full) = self.attached(&root);
        if self.scp_enabled() && !full {
            self.problems.push(
                "FullAWSAccess is not attached to the root; a blueprint keeps it there (attach it in AWS first)".into(),
            );
        }
        out.line(1, &format!("root_policies: {}", flow(&names)));
    }

    fn tree(&mut self, out: &mut Lines) {
        let root = self.live.root.id.clone();
        let mut body = Lines::default();
        self.children(&mut body, 1, &root);
        if !body.is_empty() {
            out.blank();
            out.nested(0, "organizational_units:", body);
        }
    }

    /// The OUs under `parent`, by name, each with its attachments, tags and children.
    fn children(&mut self, out: &mut Lines, indent: usize, parent: &str) {
        let mut children: Vec<_> = self.live.ous.values().filter(|o| o.parent_id == parent).collect();
        children.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
        let mut seen = BTreeSet::new();
        for ou in children {
            let path = self.paths.get(&ou.id).cloned().unwrap_or_default();
            if !seen.insert(&ou.name) {
                self.problems.push(format!(
                    "two OUs named {:?} under {}: a blueprint names an OU by its path (rename one in AWS)",
                    ou.name,
                    path.parent()
                ));
                continue;
            }
            if !self.printable(&format!("OU {path}"), &ou.name) {
                continue;
            }
            if ou.name.trim().is_empty() {
                self.problems
                    .push(format!("OU {:?} ({}) has a name of only white space; rename it in AWS", ou.name, ou.id));
                continue;
            }
            let mut body = Lines::default();
            self.attachments(&mut body, indent + 1, &ou.id);
            if let Some(tags) = ou.tags.as_ref().filter(|t| !t.is_empty()) {
                self.tags(&mut body, indent + 1, &format!("OU {path}"), tags);
            }
            let mut kids = Lines::default();
            self.children(&mut kids, indent + 2, &ou.id);
            if !kids.is_empty() {
                body.nested(indent + 1, "children:", kids);
            }
            if body.is_empty() {
                out.line(indent, &format!("{}: {{}}", scalar(&ou.name)));
            } else {
                out.nested(indent, &format!("{}:", scalar(&ou.name)), body);
            }
        }
    }

    fn tags(&mut self, out: &mut Lines, indent: usize, what: &str, tags: &BTreeMap<String, String>) {
        for (key, value) in tags {
            self.printable(&format!("{what}: tag {key:?}"), &format!("{key}{value}"));
        }
        let inline = flow_map(tags);
        if inline.len() + 2 * indent <= 100 {
            out.line(indent, &format!("tags: {inline}"));
        } else {
            out.line(indent, "tags:");
            for (key, value) in tags {
                out.line(indent + 1, &format!("{}: {}", scalar(key), scalar(value)));
            }
        }
    }

    fn accounts(&mut self, out: &mut Lines) {
        if self.keys.is_empty() {
            return;
        }
        out.blank();
        out.line(0, "accounts:");
        let live = self.live;
        let mut by_key: Vec<(String, &LiveAccount)> =
            self.keys.iter().filter_map(|(id, key)| Some((key.clone(), live.accounts.get(id)?))).collect();
        by_key.sort_by(|a, b| a.0.cmp(&b.0));
        for (key, account) in by_key {
            let key = &key;
            let what = format!("account {} ({})", account.name, account.id);
            self.printable(&what, &account.name);
            out.line(1, &format!("{}:", scalar(key)));
            out.line(2, &format!("id: {}", serde_json::to_string(&account.id).expect("strings serialize")));
            out.line(2, &format!("email: {}", scalar(&account.email)));
            if &account.name != key {
                out.line(2, &format!("name: {}", scalar(&account.name)));
            }
            let ou = self.live.path_of(&account.parent_id).unwrap_or_default();
            if !ou.is_root() {
                out.line(2, &format!("ou: {}", scalar(&ou.to_string())));
            }
            self.attachments(out, 2, &account.id);
            if let Some(tags) = account.tags.as_ref().filter(|t| !t.is_empty()) {
                self.tags(out, 2, &what, tags);
            }
        }
    }

    fn policies(&mut self, out: &mut Lines) {
        let mut customer: Vec<_> = self.live.policies.values().filter(|p| !p.aws_managed).collect();
        customer.sort_by(|a, b| (&a.name, a.policy_type).cmp(&(&b.name, b.policy_type)));
        if customer.is_empty() {
            return;
        }
        out.blank();
        out.line(0, "policies:");
        let mut names = BTreeSet::new();
        let mut taken = BTreeSet::new();
        for policy in customer {
            let what = format!("policy {} ({})", policy.name, policy.id);
            if !names.insert(&policy.name) {
                self.problems.push(format!(
                    "{what}: another policy of another type has the name {:?}; a blueprint names policies uniquely (rename one in AWS)",
                    policy.name
                ));
                continue;
            }
            self.printable(&what, &format!("{}{}", policy.name, policy.description));
            let Some(document @ serde_json::Value::Object(_)) = &policy.document else {
                self.problems.push(format!("{what}: its document is not a JSON object"));
                continue;
            };
            let file = format!("policies/{}.json", unique(&file_stem(&policy.name), &mut taken));
            self.files.insert(file.clone(), pretty(document) + "\n");
            out.line(1, &format!("{}:", scalar(&policy.name)));
            if policy.policy_type != PolicyType::ServiceControlPolicy {
                out.line(2, &format!("type: {}", policy.policy_type));
            }
            if !policy.description.is_empty() {
                out.line(2, &format!("description: {}", scalar(&policy.description)));
            }
            out.line(2, &format!("file: {}", scalar(&file)));
        }
    }

    /// `quotas:` where the organization holds more than AWS's default quotas allow (AWS raised
    /// them), so the blueprint validates.
    fn quotas(&mut self, out: &mut Lines) {
        let defaults = crate::blueprint::Quotas::default();
        let size = self
            .live
            .policies
            .values()
            .filter(|p| !p.aws_managed)
            .filter_map(|p| p.document.as_ref())
            .map(|d| minified(d).chars().count())
            .max()
            .unwrap_or(0);
        let mut per_target: BTreeMap<(&String, PolicyType), usize> = BTreeMap::new();
        for policy in self.live.policies.values() {
            for target in &policy.targets {
                *per_target.entry((target, policy.policy_type)).or_default() += 1;
            }
        }
        let count = per_target.values().copied().max().unwrap_or(0);
        if size <= defaults.policy_size && count <= defaults.policies_per_target {
            return;
        }
        out.blank();
        out.line(0, "# AWS raised these quotas for this organization.");
        out.line(0, "quotas:");
        if size > defaults.policy_size {
            out.line(1, &format!("policy_size: {size}"));
        }
        if count > defaults.policies_per_target {
            out.line(1, &format!("policies_per_target: {count}"));
        }
    }
}

#[cfg(test)]
mod tests;
