//! `identity_center:`: permission sets attribute by attribute, and assignments of principals
//! to accounts and OUs.

use super::*;

impl Validator<'_> {
    pub(super) fn identity_center(
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
                (Some(g), None) => {
                    check_printable(&mut self.c, g, "group");
                    Principal::Group(g.value.clone())
                }
                (None, Some(u)) => {
                    check_printable(&mut self.c, u, "user");
                    Principal::User(u.value.clone())
                }
                _ => {
                    self.c.at(
                        Code::OneOf,
                        &a.referenced,
                        "an assignment names exactly one of `group` or `user`",
                        "principal",
                    );
                    continue;
                }
            };
            if !raw.permission_sets.0.iter().any(|(n, _)| n.value == r.permission_set.value) {
                let hint =
                    closest(&r.permission_set.value, raw.permission_sets.0.iter().map(|(n, _)| n.value.as_str()))
                        .map(|c| format!("did you mean {c:?}?"))
                        .unwrap_or_else(|| "permission sets are declared under identity_center.permission_sets".into());
                self.c.at_with_help(
                    Code::UnknownPermissionSet,
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
                self.c.at(Code::MissingValue, &a.referenced, "an assignment needs `accounts` or `ous`", "no target");
            }
            for name in r.accounts.iter().flat_map(|l| &l.value) {
                if !accounts.contains_key(&name.value) && !is_account_id(&name.value) {
                    self.unknown_account(name, accounts, "assignment");
                }
            }
            for ou in r.ous.iter().flat_map(|l| &l.value) {
                self.ou_path(ou, ous, "assignment");
            }
            let mut exclude_accounts = Vec::new();
            for name in r.exclude_accounts.iter().flat_map(|l| &l.value) {
                if !accounts.contains_key(&name.value) && !is_account_id(&name.value) {
                    self.unknown_account(name, accounts, "assignment's exclude_accounts");
                }
                if account_names.contains(&name.value) {
                    self.c.at(
                        Code::Duplicate,
                        &name.referenced,
                        format!("{} is both in accounts and in exclude_accounts", name.value),
                        "listed in accounts",
                    );
                }
                exclude_accounts.push(name.value.clone());
            }
            if !seen.insert((
                principal.clone(),
                r.permission_set.value.clone(),
                account_names.clone(),
                ou_paths.clone(),
            )) {
                self.c.at(Code::Duplicate, &a.referenced, "this assignment is listed twice", "duplicate");
            }
            let place = self.c.place(&a.referenced);
            assignments.push(Assignment {
                principal,
                permission_set: r.permission_set.value.clone(),
                accounts: account_names,
                ous: ou_paths,
                exclude_accounts,
                place,
            });
        }
        IdentityCenter {
            instance_arn: raw.instance_arn.as_ref().map(|a| a.value.clone()),
            permission_sets,
            assignments,
        }
    }

    pub(super) fn permission_set(&mut self, name: &S<String>, raw: &RawPermissionSet) -> Option<PermissionSet> {
        let what = format!("permission set {}", name.value);
        let before = self.c.issues.len();
        let n = name.value.chars().count();
        if n == 0 || n > 32 || !name.value.chars().all(|ch| ch.is_alphanumeric() || "_+=,.@-".contains(ch)) {
            self.c.at(
                Code::BadName,
                &name.referenced,
                format!("{what}: the name must be 1–32 characters of letters, digits and _+=,.@-"),
                "bad name",
            );
        }
        if let Some(d) = &raw.description
            && d.value.chars().count() > 700
        {
            self.c.at(
                Code::Quota,
                &d.referenced,
                format!("{what}: description is longer than 700 characters"),
                "too long",
            );
        }
        let session_duration = match &raw.session_duration {
            None => "PT1H".to_string(),
            Some(s) => {
                match iso_duration_seconds(&s.value) {
                    Some(secs) if (3_600..=43_200).contains(&secs) => {}
                    _ => self.c.at(
                        Code::InvalidValue,
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
            self.c.at(
                Code::Quota,
                &r.referenced,
                format!("{what}: relay_state is longer than 240 characters"),
                "too long",
            );
        }
        let mut managed_policies = BTreeSet::new();
        for arn in raw.managed_policies.iter().flat_map(|l| &l.value) {
            if !(arn.value.starts_with("arn:aws") && arn.value.contains(":policy/")) {
                self.c.at(
                    Code::InvalidValue,
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
                Code::Quota,
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
                &super::policies::document_problems,
            )?;
            if minified(&doc).chars().count() > 32_768 {
                self.c.at(
                    Code::Quota,
                    &p.referenced,
                    format!("{what}: inline policy is over 32,768 characters"),
                    "too large",
                );
            }
            Some(doc)
        });
        let permissions_boundary = raw.permissions_boundary.as_ref().and_then(|b| match (&b.value.managed_policy_arn, &b.value.customer_managed_policy_reference) {
            (Some(arn), None) => Some(Boundary::ManagedPolicyArn(arn.value.clone())),
            (None, Some(r)) => Some(Boundary::CustomerManaged(reference(&r.value))),
            _ => {
                self.c.at(Code::OneOf, &b.referenced, format!("{what}: permissions_boundary names exactly one of managed_policy_arn or customer_managed_policy_reference"), "boundary");
                None
            }
        });
        let tags = self.tags(&raw.tags);
        if tags.len() > 75 {
            self.c.at(
                Code::Quota,
                &name.referenced,
                format!("{what}: {} tags, over the quota of 75", tags.len()),
                "too many tags",
            );
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
}

pub(super) fn reference(r: &RawPolicyReference) -> PolicyReference {
    PolicyReference { name: r.name.value.clone(), path: r.path.as_ref().map_or("/".to_string(), |p| p.value.clone()) }
}

/// Seconds in an ISO-8601 duration of hours and minutes (`PT1H`, `PT90M`, `PT1H30M`).
pub(super) fn iso_duration_seconds(text: &str) -> Option<u64> {
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

/// Twelve digits: an account the blueprint does not manage, named by its id.
pub(super) fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}
