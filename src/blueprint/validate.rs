//! Turns the raw, spanned blueprint into the validated one, checking names, references,
//! policy documents and AWS quotas, and recording every problem instead of stopping at the first.

use super::diagnostics::{BlueprintErrors, Collector};
use super::raw::*;
use super::*;
use crate::model::{OuPath, PolicyType, minified};
use serde_saphyr::Location;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where the files a blueprint names come from: the disk in the tool, a table in tests.
pub(crate) trait FileSource {
    fn read(&self, path: &Path) -> std::io::Result<String>;
}

pub(super) struct DiskFiles;

impl FileSource for DiskFiles {
    fn read(&self, path: &Path) -> std::io::Result<String> {
        std::fs::read_to_string(path)
    }
}

pub(super) fn validate(
    path: &Path,
    source: &Arc<String>,
    files: &dyn FileSource,
) -> Result<Blueprint, BlueprintErrors> {
    let mut c = Collector::new(path, source.clone());
    let raw: RawBlueprint = match serde_saphyr::from_str(source) {
        Ok(raw) => raw,
        Err(err) => {
            let loc = err.location().unwrap_or(Location::UNKNOWN);
            c.at(&loc, yaml_message(&err), "here");
            return Err(c.finish().expect_err("an issue was recorded"));
        }
    };
    let mut v = Validator {
        c,
        dir: path.parent().unwrap_or(Path::new("")).to_path_buf(),
        files,
        referenced: Vec::new(),
        declared_policies: raw.policies.0.iter().map(|(name, _)| name.value.clone()).collect(),
    };
    let blueprint = v.blueprint(path, &raw);
    v.c.finish()?;
    Ok(blueprint)
}

/// The parser's message without its own source excerpt (ours is drawn by miette).
fn yaml_message(err: &serde_saphyr::Error) -> String {
    let text = err.without_snippet().to_string();
    let first = text.lines().next().unwrap_or("invalid YAML").trim();
    // The parser prefixes "line N column M:"; the place is already in our header.
    let message = match first.split_once(": ") {
        Some((prefix, rest)) if prefix.contains("line") && prefix.contains("column") => rest,
        _ => first,
    };
    match message.find(" at line ") {
        Some(at) => message[..at].to_string(),
        None => message.to_string(),
    }
}

struct Validator<'a> {
    c: Collector,
    dir: PathBuf,
    files: &'a dyn FileSource,
    referenced: Vec<PathBuf>,
    /// Every policy name the file declares, valid or not: a reference to a declared policy
    /// whose document is broken is not reported a second time as unknown.
    declared_policies: BTreeSet<String>,
}

/// A managed target's policies as written, before names are checked.
struct RawAttachments<'r> {
    policies: Option<&'r Names>,
    full_aws_access: Option<&'r S<bool>>,
    at: Location,
}

impl Validator<'_> {
    fn blueprint(&mut self, path: &Path, raw: &RawBlueprint) -> Blueprint {
        if raw.version.value != 1 {
            self.c.at_with_help(
                &raw.version.referenced,
                format!("unsupported blueprint version {}", raw.version.value),
                "this version",
                "this lzctl reads `version: 1`",
            );
        }
        let quotas = self.quotas(raw.quotas.as_ref());
        let policies = self.policies(&raw.policies, &quotas);

        let mut ous = BTreeMap::new();
        let mut ou_attachments = Vec::new();
        self.ous(&raw.organizational_units, &OuPath::root(), &mut ous, &mut ou_attachments);

        let mut accounts = BTreeMap::new();
        let mut account_attachments = Vec::new();
        self.accounts(&raw.accounts, &ous, &mut accounts, &mut account_attachments);

        let organization = self.organization(raw.organization.as_ref(), &accounts);
        // Attachments are checked once every policy is known.
        let enabled_types = organization.policy_types.clone();
        let root_attachments = raw.organization.as_ref().and_then(|o| o.root_policies.as_ref()).map(|names| {
            let raw = RawAttachments { policies: Some(names), full_aws_access: None, at: names.referenced };
            self.attachments(&raw, &policies, &quotas, enabled_types.as_ref(), "the root")
        });
        let organization = Organization { root_policies: root_attachments.map(|a| a.policies), ..organization };
        for (path, raw) in ou_attachments {
            let what = format!("OU {path}");
            let checked = self.attachments(&raw, &policies, &quotas, enabled_types.as_ref(), &what);
            if let Some(ou) = ous.get_mut(&path) {
                ou.attachments = checked;
            }
        }
        for (key, raw) in account_attachments {
            let what = format!("account {key}");
            let checked = self.attachments(&raw, &policies, &quotas, enabled_types.as_ref(), &what);
            if let Some(account) = accounts.get_mut(&key) {
                account.attachments = checked;
            }
        }

        self.trusted_access_prerequisites(raw.organization.as_ref(), &raw.stack_sets);

        let identity_center = raw.identity_center.as_ref().map(|ic| self.identity_center(ic, &accounts, &ous));
        let stack_sets = self.stack_sets(&raw.stack_sets, &ous);
        let approvals = raw.approvals.as_ref().map(|a| self.approvals(a));

        Blueprint {
            file: path.to_path_buf(),
            organization,
            ous,
            accounts,
            policies,
            identity_center,
            stack_sets,
            approvals,
            quotas,
            referenced_files: std::mem::take(&mut self.referenced),
        }
    }

    /// AWS refuses a delegated administrator, or a service-managed stack set, for a service
    /// without trusted access: where the blueprint manages trusted access, say so now.
    fn trusted_access_prerequisites(&mut self, org: Option<&RawOrganization>, stack_sets: &SpannedMap<S<RawStackSet>>) {
        let Some(trusted) = org.and_then(|o| o.trusted_services.as_ref()) else { return };
        let has = |service: &str| trusted.value.iter().any(|s| s.value == service);
        for (service, _) in &org.expect("trusted services come from it").delegated_administrators.0 {
            if !has(&service.value) {
                self.c.at_with_help(
                    &service.referenced,
                    format!("{} has no trusted access, so AWS refuses a delegated administrator for it", service.value),
                    "not in trusted_services",
                    format!("add {} to organization.trusted_services", service.value),
                );
            }
        }
        const STACK_SETS: &str = "member.org.stacksets.cloudformation.amazonaws.com";
        for (name, ss) in &stack_sets.0 {
            let model = ss.value.permission_model.as_ref().map_or("SERVICE_MANAGED", |m| m.value.as_str());
            if model == "SERVICE_MANAGED" && !has(STACK_SETS) {
                self.c.at_with_help(
                    &name.referenced,
                    format!("stack set {}: a service-managed stack set needs trusted access for StackSets", name.value),
                    "no trusted access",
                    format!("add {STACK_SETS} to organization.trusted_services"),
                );
            }
        }
    }

    fn quotas(&mut self, raw: Option<&RawQuotas>) -> Quotas {
        let mut quotas = Quotas::default();
        if let Some(raw) = raw {
            if let Some(size) = &raw.policy_size {
                if size.value == 0 {
                    self.c.at(&size.referenced, "policy_size must be positive", "zero");
                }
                quotas.policy_size = size.value;
            }
            if let Some(count) = &raw.policies_per_target {
                if count.value == 0 {
                    self.c.at(&count.referenced, "policies_per_target must be positive", "zero");
                }
                quotas.policies_per_target = count.value;
            }
        }
        quotas
    }

    fn relative(&self, file: &str) -> PathBuf {
        self.dir.join(file)
    }

    /// Reads a file the blueprint names, reporting a missing one at the `file:` value.
    fn read_named_file(&mut self, file: &S<String>) -> Option<(PathBuf, String)> {
        let path = self.relative(&file.value);
        self.referenced.push(path.clone());
        match self.files.read(&path) {
            Ok(text) => Some((path, text)),
            Err(err) => {
                self.c.at(&file.referenced, format!("cannot read {}: {err}", path.display()), "this file");
                None
            }
        }
    }

    /// A JSON policy document from `file:` or inline `document:`, checked for shape.
    fn policy_document(
        &mut self,
        file: Option<&S<String>>,
        document: Option<&S<Value>>,
        at: &Location,
        what: &str,
    ) -> Option<Value> {
        let (doc, place) = match (file, document) {
            (Some(_), Some(doc)) => {
                self.c.at(&doc.referenced, format!("{what} has both `file` and `document`"), "give only one");
                return None;
            }
            (None, None) => {
                self.c.at(at, format!("{what} needs `file` or `document`"), "no document");
                return None;
            }
            (Some(file), None) => {
                let (path, text) = self.read_named_file(file)?;
                match serde_json::from_str::<Value>(&text) {
                    Ok(doc) => (doc, file.referenced),
                    Err(err) => {
                        self.c.at(
                            &file.referenced,
                            format!(
                                "{} is not valid JSON: {err} (at {}:{}:{})",
                                path.display(),
                                path.display(),
                                err.line(),
                                err.column()
                            ),
                            "this file",
                        );
                        return None;
                    }
                }
            }
            (None, Some(doc)) => (doc.value.clone(), doc.referenced),
        };
        let problems = document_problems(&doc);
        for problem in &problems {
            self.c.at(&place, format!("{what}: {problem}"), "this document");
        }
        problems.is_empty().then_some(doc)
    }

    fn policies(&mut self, raw: &SpannedMap<S<RawPolicy>>, quotas: &Quotas) -> BTreeMap<String, Policy> {
        let mut policies = BTreeMap::new();
        for (name, policy) in &raw.0 {
            let what = format!("policy {}", name.value);
            check_name(&mut self.c, name, "policy name", 128);
            let policy_type = match &policy.value.policy_type {
                None => PolicyType::ServiceControlPolicy,
                Some(t) => match PolicyType::parse(&t.value) {
                    Some(pt) if PolicyType::MANAGED.contains(&pt) => pt,
                    _ => {
                        self.c.at_with_help(
                            &t.referenced,
                            format!("unknown policy type {:?}", t.value),
                            "not a policy type lzctl manages",
                            "use SERVICE_CONTROL_POLICY or RESOURCE_CONTROL_POLICY",
                        );
                        continue;
                    }
                },
            };
            if let Some(d) = &policy.value.description
                && d.value.chars().count() > 512
            {
                self.c.at(&d.referenced, format!("{what}: description is longer than 512 characters"), "too long");
            }
            let Some(document) = self.policy_document(
                policy.value.file.as_ref(),
                policy.value.document.as_ref(),
                &policy.referenced,
                &what,
            ) else {
                continue;
            };
            let size = minified(&document).chars().count();
            if size > quotas.policy_size {
                self.c.at_with_help(
                    &name.referenced,
                    format!("{what} is {size} characters minified, over the quota of {}", quotas.policy_size),
                    "too large",
                    "split it, or raise `quotas.policy_size` if AWS raised this organization's quota",
                );
            }
            policies.insert(
                name.value.clone(),
                Policy {
                    name: name.value.clone(),
                    policy_type,
                    description: policy.value.description.as_ref().map(|d| d.value.clone()).unwrap_or_default(),
                    document,
                },
            );
        }
        policies
    }

    fn ous<'r>(
        &mut self,
        raw: &'r SpannedMap<S<Option<RawOu>>>,
        parent: &OuPath,
        out: &mut BTreeMap<OuPath, Ou>,
        attachments: &mut Vec<(OuPath, RawAttachments<'r>)>,
    ) {
        for (name, ou) in &raw.0 {
            if name.value.contains('/') || name.value.trim().is_empty() {
                self.c.at(
                    &name.referenced,
                    format!("OU name {:?} must be non-empty and may not contain '/'", name.value),
                    "bad name",
                );
                continue;
            }
            check_name(&mut self.c, name, "OU name", 128);
            let path = parent.child(&name.value);
            let depth = path.depth();
            if depth > MAX_OU_DEPTH {
                self.c.at_with_help(
                    &name.referenced,
                    format!("OU {path} is {depth} levels below the root; AWS allows {MAX_OU_DEPTH}"),
                    "too deep",
                    "flatten the tree",
                );
            }
            let body = ou.value.as_ref();
            let tags = body.and_then(|b| b.tags.as_ref()).map(|t| self.tags(t));
            attachments.push((
                path.clone(),
                RawAttachments {
                    policies: body.and_then(|b| b.policies.as_ref()),
                    full_aws_access: body.and_then(|b| b.full_aws_access.as_ref()),
                    at: name.referenced,
                },
            ));
            out.insert(
                path.clone(),
                Ou {
                    path: path.clone(),
                    name: name.value.clone(),
                    parent: parent.clone(),
                    attachments: Attachments { policies: Vec::new(), full_aws_access: true },
                    tags,
                },
            );
            if let Some(body) = ou.value.as_ref() {
                self.ous(&body.children, &path, out, attachments);
            }
        }
    }

    fn accounts<'r>(
        &mut self,
        raw: &'r SpannedMap<S<RawAccount>>,
        ous: &BTreeMap<OuPath, Ou>,
        out: &mut BTreeMap<String, Account>,
        attachments: &mut Vec<(String, RawAttachments<'r>)>,
    ) {
        let mut emails: HashMap<String, String> = HashMap::new();
        let mut names: HashMap<String, String> = HashMap::new();
        for (key, account) in &raw.0 {
            let a = &account.value;
            let name = a.name.as_ref().unwrap_or(key);
            check_name(&mut self.c, name, "account name", 50);
            let email = &a.email;
            if !valid_email(&email.value) {
                self.c.at(
                    &email.referenced,
                    format!("account {}: {:?} is not an email address AWS accepts", key.value, email.value),
                    "invalid email",
                );
            }
            if let Some(other) = emails.insert(email.value.to_lowercase(), key.value.clone()) {
                self.c.at(
                    &email.referenced,
                    format!("account {}: email {} is also used by account {other}", key.value, email.value),
                    "duplicate email",
                );
            }
            if let Some(other) = names.insert(name.value.clone(), key.value.clone()) {
                self.c.at(
                    &name.referenced,
                    format!("account {}: name {:?} is also used by account {other}", key.value, name.value),
                    "duplicate name",
                );
            }
            let ou = match &a.ou {
                None => OuPath::root(),
                Some(ou) => self.ou_path(ou, ous, &format!("account {}", key.value)),
            };
            let tags = a.tags.as_ref().map(|t| self.tags(t));
            attachments.push((
                key.value.clone(),
                RawAttachments {
                    policies: a.policies.as_ref(),
                    full_aws_access: a.full_aws_access.as_ref(),
                    at: key.referenced,
                },
            ));
            out.insert(
                key.value.clone(),
                Account {
                    key: key.value.clone(),
                    name: name.value.clone(),
                    email: email.value.clone(),
                    ou,
                    attachments: Attachments { policies: Vec::new(), full_aws_access: true },
                    tags,
                },
            );
        }
    }

    /// An OU the blueprint refers to, reported where the blueprint does not declare it.
    fn ou_path(&mut self, ou: &S<String>, ous: &BTreeMap<OuPath, Ou>, what: &str) -> OuPath {
        let path = OuPath::parse(&ou.value);
        if !path.is_root() && !ous.contains_key(&path) {
            self.unknown_ou(ou, ous, what);
        }
        path
    }

    fn unknown_ou(&mut self, ou: &S<String>, ous: &BTreeMap<OuPath, Ou>, what: &str) {
        let hint = closest(&ou.value, ous.keys().map(OuPath::as_str))
            .map(|c| format!("did you mean {c:?}? OUs are named by their path from the root"))
            .unwrap_or_else(|| "OUs are named by their path from the root, e.g. Foundational/Workloads".into());
        self.c.at_with_help(
            &ou.referenced,
            format!("{what}: unknown OU path {:?}", ou.value),
            "not in organizational_units",
            hint,
        );
    }

    fn organization(&mut self, raw: Option<&RawOrganization>, accounts: &BTreeMap<String, Account>) -> Organization {
        let Some(raw) = raw else {
            return Organization::default();
        };
        let policy_types = raw.policy_types.as_ref().map(|types| {
            let mut set = BTreeSet::new();
            for t in &types.value {
                match PolicyType::parse(&t.value) {
                    Some(pt) => {
                        if !set.insert(pt) {
                            self.c.at(&t.referenced, format!("policy type {} is listed twice", t.value), "duplicate");
                        }
                    }
                    None => self.c.at_with_help(
                        &t.referenced,
                        format!("unknown policy type {:?}", t.value),
                        "not a policy type",
                        format!("one of: {}", PolicyType::ALL.map(PolicyType::as_str).join(", ")),
                    ),
                }
            }
            set
        });
        let trusted_services = raw.trusted_services.as_ref().map(|services| {
            let mut set = BTreeSet::new();
            for s in &services.value {
                if !s.value.ends_with(".amazonaws.com") {
                    self.c.at(
                        &s.referenced,
                        format!("{:?} is not a service principal", s.value),
                        "expected e.g. sso.amazonaws.com",
                    );
                }
                if !set.insert(s.value.clone()) {
                    self.c.at(&s.referenced, format!("trusted service {} is listed twice", s.value), "duplicate");
                }
            }
            set
        });
        let mut delegated_administrators = BTreeMap::new();
        for (service, account) in &raw.delegated_administrators.0 {
            if !accounts.contains_key(&account.value) {
                self.unknown_account(account, accounts, &format!("delegated administrator for {}", service.value));
            }
            delegated_administrators.insert(service.value.clone(), account.value.clone());
        }
        Organization { policy_types, trusted_services, delegated_administrators, root_policies: None }
    }

    fn unknown_account(&mut self, name: &S<String>, accounts: &BTreeMap<String, Account>, what: &str) {
        let hint = closest(&name.value, accounts.keys().map(String::as_str))
            .map(|c| format!("did you mean {c:?}? accounts are named by their key under `accounts:`"))
            .unwrap_or_else(|| "accounts are named by their key under `accounts:`".into());
        self.c.at_with_help(
            &name.referenced,
            format!("{what}: unknown account {:?}", name.value),
            "not in accounts",
            hint,
        );
    }

    fn attachments(
        &mut self,
        raw: &RawAttachments<'_>,
        policies: &BTreeMap<String, Policy>,
        quotas: &Quotas,
        enabled_types: Option<&BTreeSet<PolicyType>>,
        what: &str,
    ) -> Attachments {
        let full_aws_access = raw.full_aws_access.is_none_or(|f| f.value);
        let mut names = Vec::new();
        let mut per_type: BTreeMap<PolicyType, usize> = BTreeMap::new();
        let mut has_allow = false;
        if let Some(list) = raw.policies {
            for name in &list.value {
                if names.contains(&name.value) {
                    self.c.at(&name.referenced, format!("{what}: policy {} is listed twice", name.value), "duplicate");
                    continue;
                }
                names.push(name.value.clone());
                if name.value == crate::model::FULL_AWS_ACCESS {
                    self.c.at_with_help(
                        &name.referenced,
                        format!("{what}: FullAWSAccess is attached unless `full_aws_access: false`"),
                        "implicit",
                        "remove it from `policies`",
                    );
                    continue;
                }
                match policies.get(&name.value) {
                    Some(policy) => {
                        *per_type.entry(policy.policy_type).or_default() += 1;
                        if policy.policy_type == PolicyType::ServiceControlPolicy
                            && has_allow_statement(&policy.document)
                        {
                            has_allow = true;
                        }
                        if let Some(types) = enabled_types
                            && !types.contains(&policy.policy_type)
                        {
                            self.c.at_with_help(
                                &name.referenced,
                                format!(
                                    "{what}: policy {} is a {}, which `organization.policy_types` does not enable",
                                    name.value, policy.policy_type
                                ),
                                "type not enabled",
                                format!("add {} to organization.policy_types", policy.policy_type),
                            );
                        }
                    }
                    None if self.declared_policies.contains(&name.value) => {}
                    None => {
                        let hint = closest(&name.value, policies.keys().map(String::as_str))
                            .map(|c| format!("did you mean {c:?}?"))
                            .unwrap_or_else(|| "policies are declared under `policies:`".into());
                        self.c.at_with_help(
                            &name.referenced,
                            format!("{what}: unknown policy {:?}", name.value),
                            "not in policies",
                            hint,
                        );
                    }
                }
            }
        }
        if full_aws_access {
            *per_type.entry(PolicyType::ServiceControlPolicy).or_default() += 1;
        }
        let list_at = raw.policies.map_or(raw.at, |l| l.referenced);
        for (policy_type, count) in per_type {
            if count > quotas.policies_per_target {
                self.c.at_with_help(
                    &list_at,
                    format!(
                        "{what} would have {count} {policy_type} attached{}, over the quota of {}",
                        if full_aws_access && policy_type == PolicyType::ServiceControlPolicy {
                            " (FullAWSAccess included)"
                        } else {
                            ""
                        },
                        quotas.policies_per_target
                    ),
                    "too many policies",
                    "merge policies, or raise `quotas.policies_per_target` if AWS raised this organization's quota",
                );
            }
        }
        if !full_aws_access && !has_allow {
            let at = raw.full_aws_access.map_or(raw.at, |f| f.referenced);
            self.c.at_with_help(
                &at,
                format!("{what} would deny everything: `full_aws_access: false` and none of its service control policies allows anything"),
                "lockout",
                "attach an SCP with an Allow statement (allow-list strategy), or keep FullAWSAccess",
            );
        }
        Attachments { policies: names, full_aws_access }
    }

    fn tags(&mut self, raw: &Tags) -> BTreeMap<String, String> {
        let mut tags = BTreeMap::new();
        for (key, value) in &raw.0 {
            let k = key.value.chars().count();
            if k == 0 || k > 128 || key.value.to_ascii_lowercase().starts_with("aws:") {
                self.c.at(
                    &key.referenced,
                    format!("tag key {:?} must be 1–128 characters and not start with aws:", key.value),
                    "bad tag key",
                );
            }
            if value.value.0.chars().count() > 256 {
                self.c.at(
                    &value.referenced,
                    format!("tag {}: value is longer than 256 characters", key.value),
                    "too long",
                );
            }
            tags.insert(key.value.clone(), value.value.0.clone());
        }
        tags
    }

    fn identity_center(
        &mut self,
        raw: &RawIdentityCenter,
        accounts: &BTreeMap<String, Account>,
        ous: &BTreeMap<OuPath, Ou>,
    ) -> IdentityCenter {
        let mut permission_sets = BTreeMap::new();
        for (name, ps) in &raw.permission_sets.0 {
            if let Some(ps) = self.permission_set(name, &ps.value) {
                permission_sets.insert(name.value.clone(), ps);
            }
        }
        let mut assignments = Vec::new();
        let mut seen = BTreeSet::new();
        for a in &raw.assignments {
            let r = &a.value;
            let principal = match (&r.group, &r.user) {
                (Some(g), None) => Principal::Group(g.value.clone()),
                (None, Some(u)) => Principal::User(u.value.clone()),
                _ => {
                    self.c.at(&a.referenced, "an assignment names exactly one of `group` or `user`", "principal");
                    continue;
                }
            };
            if !raw.permission_sets.0.iter().any(|(n, _)| n.value == r.permission_set.value) {
                let hint =
                    closest(&r.permission_set.value, raw.permission_sets.0.iter().map(|(n, _)| n.value.as_str()))
                        .map(|c| format!("did you mean {c:?}?"))
                        .unwrap_or_else(|| "permission sets are declared under identity_center.permission_sets".into());
                self.c.at_with_help(
                    &r.permission_set.referenced,
                    format!("unknown permission set {:?}", r.permission_set.value),
                    "not in permission_sets",
                    hint,
                );
            }
            let account_names: Vec<String> =
                r.accounts.as_ref().map(|l| l.value.iter().map(|n| n.value.clone()).collect()).unwrap_or_default();
            let ou_paths: Vec<OuPath> =
                r.ous.iter().flat_map(|l| &l.value).map(|ou| OuPath::parse(&ou.value)).collect();
            if account_names.is_empty() && ou_paths.is_empty() {
                self.c.at(&a.referenced, "an assignment needs `accounts` or `ous`", "no target");
            }
            for name in r.accounts.iter().flat_map(|l| &l.value) {
                if !accounts.contains_key(&name.value) {
                    self.unknown_account(name, accounts, "assignment");
                }
            }
            for ou in r.ous.iter().flat_map(|l| &l.value) {
                self.ou_path(ou, ous, "assignment");
            }
            if !seen.insert((
                principal.clone(),
                r.permission_set.value.clone(),
                account_names.clone(),
                ou_paths.clone(),
            )) {
                self.c.at(&a.referenced, "this assignment is listed twice", "duplicate");
            }
            let place = self.c.place(&a.referenced);
            assignments.push(Assignment {
                principal,
                permission_set: r.permission_set.value.clone(),
                accounts: account_names,
                ous: ou_paths,
                place,
            });
        }
        IdentityCenter {
            instance_arn: raw.instance_arn.as_ref().map(|a| a.value.clone()),
            permission_sets,
            assignments,
        }
    }

    fn permission_set(&mut self, name: &S<String>, raw: &RawPermissionSet) -> Option<PermissionSet> {
        let what = format!("permission set {}", name.value);
        let before = self.c.issues.len();
        let n = name.value.chars().count();
        if n == 0 || n > 32 || !name.value.chars().all(|ch| ch.is_alphanumeric() || "_+=,.@-".contains(ch)) {
            self.c.at(
                &name.referenced,
                format!("{what}: the name must be 1–32 characters of letters, digits and _+=,.@-"),
                "bad name",
            );
        }
        if let Some(d) = &raw.description
            && d.value.chars().count() > 700
        {
            self.c.at(&d.referenced, format!("{what}: description is longer than 700 characters"), "too long");
        }
        let session_duration = match &raw.session_duration {
            None => "PT1H".to_string(),
            Some(s) => {
                match iso_duration_seconds(&s.value) {
                    Some(secs) if (3_600..=43_200).contains(&secs) => {}
                    _ => self.c.at(
                        &s.referenced,
                        format!(
                            "{what}: session_duration {:?} must be an ISO-8601 duration from PT1H to PT12H",
                            s.value
                        ),
                        "bad duration",
                    ),
                }
                s.value.clone()
            }
        };
        if let Some(r) = &raw.relay_state
            && r.value.chars().count() > 240
        {
            self.c.at(&r.referenced, format!("{what}: relay_state is longer than 240 characters"), "too long");
        }
        let mut managed_policies = BTreeSet::new();
        for arn in raw.managed_policies.iter().flat_map(|l| &l.value) {
            if !(arn.value.starts_with("arn:aws") && arn.value.contains(":policy/")) {
                self.c.at(
                    &arn.referenced,
                    format!("{what}: {:?} is not an IAM managed policy ARN", arn.value),
                    "bad ARN",
                );
            }
            managed_policies.insert(arn.value.clone());
        }
        let customer_managed_policies: BTreeSet<PolicyReference> =
            raw.customer_managed_policies.iter().map(|r| reference(&r.value)).collect();
        let count = managed_policies.len() + customer_managed_policies.len();
        if count > 20 {
            self.c.at(
                &name.referenced,
                format!("{what}: {count} managed and customer-managed policies, over the quota of 20"),
                "too many policies",
            );
        }
        let inline_policy = raw.inline_policy.as_ref().and_then(|p| {
            let doc = self.policy_document(
                p.value.file.as_ref(),
                p.value.document.as_ref(),
                &p.referenced,
                &format!("{what} inline policy"),
            )?;
            if minified(&doc).chars().count() > 32_768 {
                self.c.at(&p.referenced, format!("{what}: inline policy is over 32,768 characters"), "too large");
            }
            Some(doc)
        });
        let permissions_boundary = raw.permissions_boundary.as_ref().and_then(|b| match (&b.value.managed_policy_arn, &b.value.customer_managed_policy_reference) {
            (Some(arn), None) => Some(Boundary::ManagedPolicyArn(arn.value.clone())),
            (None, Some(r)) => Some(Boundary::CustomerManaged(reference(&r.value))),
            _ => {
                self.c.at(&b.referenced, format!("{what}: permissions_boundary names exactly one of managed_policy_arn or customer_managed_policy_reference"), "boundary");
                None
            }
        });
        let tags = self.tags(&raw.tags);
        if tags.len() > 75 {
            self.c.at(&name.referenced, format!("{what}: {} tags, over the quota of 75", tags.len()), "too many tags");
        }
        (self.c.issues.len() == before).then(|| PermissionSet {
            name: name.value.clone(),
            description: raw.description.as_ref().map(|d| d.value.clone()),
            session_duration,
            relay_state: raw.relay_state.as_ref().map(|r| r.value.clone()),
            managed_policies,
            customer_managed_policies,
            inline_policy,
            permissions_boundary,
            tags,
        })
    }

    fn stack_sets(
        &mut self,
        raw: &SpannedMap<S<RawStackSet>>,
        ous: &BTreeMap<OuPath, Ou>,
    ) -> BTreeMap<String, StackSet> {
        let mut out = BTreeMap::new();
        for (name, ss) in &raw.0 {
            let r = &ss.value;
            let what = format!("stack set {}", name.value);
            let template = self.read_named_file(&r.template);
            let permission_model =
                r.permission_model.as_ref().map_or("SERVICE_MANAGED".to_string(), |p| p.value.clone());
            if let Some(p) = &r.permission_model
                && !["SERVICE_MANAGED", "SELF_MANAGED"].contains(&p.value.as_str())
            {
                self.c.at(
                    &p.referenced,
                    format!("{what}: permission_model must be SERVICE_MANAGED or SELF_MANAGED"),
                    "unknown model",
                );
            }
            let mut capabilities = BTreeSet::new();
            for cap in r.capabilities.iter().flat_map(|l| &l.value) {
                if !["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"].contains(&cap.value.as_str()) {
                    self.c.at(
                        &cap.referenced,
                        format!("{what}: unknown capability {:?}", cap.value),
                        "unknown capability",
                    );
                }
                capabilities.insert(cap.value.clone());
            }
            let target_ous: Vec<OuPath> =
                r.targets.value.ous.iter().flat_map(|l| &l.value).map(|ou| self.ou_path(ou, ous, &what)).collect();
            if target_ous.is_empty() {
                self.c.at(&r.targets.referenced, format!("{what}: targets.ous names no OU"), "no targets");
            }
            if r.regions.value.is_empty() {
                self.c.at(&r.regions.referenced, format!("{what}: regions is empty"), "no regions");
            }
            for region in &r.regions.value {
                if !looks_like_region(&region.value) {
                    self.c.at(
                        &region.referenced,
                        format!("{what}: {:?} is not an AWS region name", region.value),
                        "bad region",
                    );
                }
            }
            let Some((template_file, template_body)) = template else { continue };
            out.insert(
                name.value.clone(),
                StackSet {
                    name: name.value.clone(),
                    template_file,
                    template_body,
                    description: r.description.as_ref().map(|d| d.value.clone()),
                    permission_model,
                    capabilities,
                    parameters: r.parameters.0.iter().map(|(k, v)| (k.value.clone(), v.value.0.clone())).collect(),
                    target_ous,
                    regions: r.regions.value.iter().map(|r| r.value.clone()).collect(),
                    auto_deployment: r.auto_deployment.as_ref().map(|a| AutoDeployment {
                        enabled: a.enabled,
                        retain_stacks_on_account_removal: a.retain_stacks_on_account_removal,
                    }),
                    operation_preferences: r.operation_preferences.clone().unwrap_or_default(),
                },
            );
        }
        out
    }

    fn approvals(&mut self, raw: &S<RawApprovals>) -> Approvals {
        if raw.value.required.value == 0 {
            self.c.at(&raw.value.required.referenced, "approvals.required must be at least 1", "zero");
        }
        let signers = self.read_named_file(&raw.value.allowed_signers);
        if let Some((path, text)) = &signers {
            match crate::approvals::parse_allowed_signers(&path.display().to_string(), text) {
                Ok(list) if list.is_empty() => self.c.at(
                    &raw.value.allowed_signers.referenced,
                    format!("{} names no signer", path.display()),
                    "no signers",
                ),
                Ok(_) => {}
                Err(e) => self.c.at(&raw.value.allowed_signers.referenced, e.to_string(), "this file"),
            }
        }
        Approvals {
            required: raw.value.required.value,
            allowed_signers: signers.map_or_else(|| self.relative(&raw.value.allowed_signers.value), |(p, _)| p),
        }
    }
}

fn reference(r: &RawPolicyReference) -> PolicyReference {
    PolicyReference { name: r.name.value.clone(), path: r.path.as_ref().map_or("/".to_string(), |p| p.value.clone()) }
}

fn check_name(c: &mut Collector, name: &S<String>, what: &str, max: usize) {
    let n = name.value.chars().count();
    if n == 0 || n > max {
        c.at(&name.referenced, format!("{what} {:?} must be 1–{max} characters", name.value), "bad length");
    }
}

/// What makes a document unusable as an SCP/RCP or inline policy, in words.
fn document_problems(doc: &Value) -> Vec<String> {
    let Some(obj) = doc.as_object() else {
        return vec!["a policy document must be a JSON object".into()];
    };
    let statements: Vec<&Value> = match obj.get("Statement") {
        None => return vec!["the document has no Statement".into()],
        Some(Value::Array(list)) if list.is_empty() => return vec!["Statement is empty".into()],
        Some(Value::Array(list)) => list.iter().collect(),
        Some(single @ Value::Object(_)) => vec![single],
        Some(_) => return vec!["Statement must be an object or a list of objects".into()],
    };
    let mut problems = Vec::new();
    for (i, s) in statements.iter().enumerate() {
        match s.get("Effect").and_then(Value::as_str) {
            Some("Allow" | "Deny") => {}
            Some(other) => problems.push(format!("statement {} has Effect {other:?}; it must be Allow or Deny", i + 1)),
            None => problems.push(format!("statement {} has no Effect", i + 1)),
        }
        if s.get("Action").is_none() && s.get("NotAction").is_none() {
            problems.push(format!("statement {} has neither Action nor NotAction", i + 1));
        }
    }
    problems
}

fn has_allow_statement(doc: &Value) -> bool {
    match doc.get("Statement") {
        Some(Value::Array(list)) => list.iter().any(|s| s.get("Effect").and_then(Value::as_str) == Some("Allow")),
        Some(s) => s.get("Effect").and_then(Value::as_str) == Some("Allow"),
        None => false,
    }
}

fn valid_email(email: &str) -> bool {
    let len = email.chars().count();
    match email.split_once('@') {
        Some((local, domain)) => {
            (6..=64).contains(&len)
                && !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.contains(char::is_whitespace)
        }
        None => false,
    }
}

fn looks_like_region(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    parts.len() >= 3
        && parts.iter().all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()))
        && parts.last().is_some_and(|p| p.chars().all(|c| c.is_ascii_digit()))
}

/// Seconds in an ISO-8601 duration of hours and minutes (`PT1H`, `PT90M`, `PT1H30M`).
fn iso_duration_seconds(text: &str) -> Option<u64> {
    let rest = text.strip_prefix("PT")?;
    let mut seconds = 0u64;
    let mut number = String::new();
    for ch in rest.chars() {
        if ch.is_ascii_digit() {
            number.push(ch);
            continue;
        }
        let n: u64 = number.parse().ok()?;
        number.clear();
        seconds += n * match ch {
            'H' => 3_600,
            'M' => 60,
            'S' => 1,
            _ => return None,
        };
    }
    (number.is_empty() && !rest.is_empty()).then_some(seconds)
}

/// The known name closest to a misspelt one, if any is close enough to be a likely typo.
fn closest<'a>(wanted: &str, known: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    known
        .map(|k| (strsim(wanted, k), k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Levenshtein distance, case-insensitive.
fn strsim(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(iso_duration_seconds("PT1H"), Some(3600));
        assert_eq!(iso_duration_seconds("PT1H30M"), Some(5400));
        assert_eq!(iso_duration_seconds("PT"), None);
        assert_eq!(iso_duration_seconds("1H"), None);
    }

    #[test]
    fn regions() {
        assert!(looks_like_region("us-east-1"));
        assert!(looks_like_region("us-gov-west-1"));
        assert!(!looks_like_region("useast1"));
    }

    #[test]
    fn typo_suggestions() {
        assert_eq!(
            closest("Foundational/Workload", ["Foundational/Workloads", "Suspended"].into_iter()),
            Some("Foundational/Workloads")
        );
        assert_eq!(closest("xyz", ["Foundational"].into_iter()), None);
    }
}
