//! `stack_sets:`: the template file, permission model, capabilities, target OUs and regions.

use super::*;

impl Validator<'_> {
    pub(super) fn stack_sets(
        &mut self,
        raw: &SpannedMap<S<RawStackSet>>,
        ous: &BTreeMap<OuPath, Ou>,
        accounts: &BTreeMap<String, Account>,
    ) -> BTreeMap<String, StackSet> {
        let mut out = BTreeMap::new();
        for (name, ss) in &raw.0 {
            let r = &ss.value;
            let what = format!("stack set {}", name.value);
            let template = self.read_named_file(&r.template, FileKind::Template);
            let permission_model =
                r.permission_model.as_ref().map_or("SERVICE_MANAGED".to_string(), |p| p.value.clone());
            if let Some(p) = &r.permission_model
                && !["SERVICE_MANAGED", "SELF_MANAGED"].contains(&p.value.as_str())
            {
                self.c.at(
                    Code::InvalidValue,
                    &p.referenced,
                    format!("{what}: permission_model must be SERVICE_MANAGED or SELF_MANAGED"),
                    "unknown model",
                );
            }
            let mut capabilities = BTreeSet::new();
            for cap in r.capabilities.iter().flat_map(|l| &l.value) {
                if !["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"].contains(&cap.value.as_str()) {
                    self.c.at(
                        Code::InvalidValue,
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
                self.c.at(
                    Code::MissingValue,
                    &r.targets.referenced,
                    format!("{what}: targets.ous names no OU"),
                    "no targets",
                );
            }
            let mut exclude_accounts = Vec::new();
            for name in r.targets.value.exclude_accounts.iter().flat_map(|l| &l.value) {
                if !accounts.contains_key(&name.value) && !super::identity_center::is_account_id(&name.value) {
                    self.unknown_account(name, accounts, &format!("{what}'s exclude_accounts"));
                }
                exclude_accounts.push(name.value.clone());
            }
            if let Some(prefs) = &r.operation_preferences {
                for (key, value) in [
                    ("max_concurrent_percentage", prefs.max_concurrent_percentage),
                    ("failure_tolerance_percentage", prefs.failure_tolerance_percentage),
                ] {
                    if let Some(value) = value.filter(|v| *v > 100) {
                        let message = format!("{what}: operation_preferences.{key} is {value}; a percentage is 0–100");
                        self.c.at(Code::InvalidValue, &name.referenced, message, "bad percentage");
                    }
                }
                if prefs.max_concurrent_count == Some(0) {
                    let message = format!("{what}: operation_preferences.max_concurrent_count must be at least 1");
                    self.c.at(Code::InvalidValue, &name.referenced, message, "bad count");
                }
                let known = [
                    ("region_concurrency", &prefs.region_concurrency, &["SEQUENTIAL", "PARALLEL"][..]),
                    (
                        "concurrency_mode",
                        &prefs.concurrency_mode,
                        &["STRICT_FAILURE_TOLERANCE", "SOFT_FAILURE_TOLERANCE"],
                    ),
                ];
                for (key, value, allowed) in known {
                    if let Some(value) = value.as_deref().filter(|v| !allowed.contains(v)) {
                        let message =
                            format!("{what}: operation_preferences.{key} is {value:?}; one of {}", allowed.join(", "));
                        self.c.at(Code::InvalidValue, &name.referenced, message, "unknown value");
                    }
                }
            }
            if r.regions.value.is_empty() {
                self.c.at(Code::MissingValue, &r.regions.referenced, format!("{what}: regions is empty"), "no regions");
            }
            for region in &r.regions.value {
                if !looks_like_region(&region.value) {
                    self.c.at(
                        Code::InvalidValue,
                        &region.referenced,
                        format!("{what}: {:?} is not an AWS region name", region.value),
                        "bad region",
                    );
                }
            }
            let Some((template_file, template_body)) = template else { continue };
            self.template(&what, r, &template_body);
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
                    exclude_accounts,
                    place: self.c.place(&name.referenced),
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
}

pub(super) fn looks_like_region(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    parts.len() >= 3
        && parts.iter().all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()))
        && parts.last().is_some_and(|p| p.chars().all(|c| c.is_ascii_digit()))
}
