//! `organization:`: policy types, trusted services, delegated administrators, and the
//! prerequisites AWS checks between them and stack sets.

use super::*;

impl Validator<'_> {
    /// AWS refuses a delegated administrator, or a service-managed stack set, for a service
    /// without trusted access: where the blueprint manages trusted access, say so now.
    pub(super) fn trusted_access_prerequisites(
        &mut self,
        org: Option<&RawOrganization>,
        stack_sets: &SpannedMap<S<RawStackSet>>,
    ) {
        let switched_on = |r: &S<RawRootAccess>| {
            [&r.value.credentials_management, &r.value.root_sessions].into_iter().flatten().any(|on| on.value)
        };
        let Some(trusted) = org.and_then(|o| o.trusted_services.as_ref()) else {
            if let Some(root_access) = org.and_then(|o| o.root_access.as_ref()).filter(|r| switched_on(r)) {
                self.c.at_with_help(
                    Code::TrustedAccess,
                    &root_access.referenced,
                    format!("centralized root access needs trusted access for {IAM_SERVICE}, and this blueprint does not manage trusted access"),
                    "trusted access not managed",
                    format!("list organization.trusted_services, with {IAM_SERVICE} among them"),
                );
            }
            return;
        };
        let has = |service: &str| trusted.value.iter().any(|s| s.value == service);
        for (service, _) in &org.expect("trusted services come from it").delegated_administrators.0 {
            if !has(&service.value) {
                self.c.at_with_help(
                    Code::TrustedAccess,
                    &service.referenced,
                    format!("{} has no trusted access, so AWS refuses a delegated administrator for it", service.value),
                    "not in trusted_services",
                    format!("add {} to organization.trusted_services", service.value),
                );
            }
        }
        if let Some(root_access) = org.and_then(|o| o.root_access.as_ref()).filter(|r| switched_on(r))
            && !has(IAM_SERVICE)
        {
            self.c.at_with_help(
                Code::TrustedAccess,
                &root_access.referenced,
                format!("centralized root access needs trusted access for {IAM_SERVICE}, which AWS checks first"),
                "no trusted access for IAM",
                format!("add {IAM_SERVICE} to organization.trusted_services"),
            );
        }
        const STACK_SETS: &str = "member.org.stacksets.cloudformation.amazonaws.com";
        for (name, ss) in &stack_sets.0 {
            let model = ss.value.permission_model.as_ref().map_or("SERVICE_MANAGED", |m| m.value.as_str());
            if model == "SERVICE_MANAGED" && !has(STACK_SETS) {
                self.c.at_with_help(
                    Code::TrustedAccess,
                    &name.referenced,
                    format!("stack set {}: a service-managed stack set needs trusted access for StackSets", name.value),
                    "no trusted access",
                    format!("add {STACK_SETS} to organization.trusted_services"),
                );
            }
        }
    }

    pub(super) fn organization(
        &mut self,
        raw: Option<&RawOrganization>,
        accounts: &BTreeMap<String, Account>,
    ) -> Organization {
        let Some(raw) = raw else {
            return Organization::default();
        };
        let policy_types = raw.policy_types.as_ref().map(|types| {
            let mut set = BTreeSet::new();
            for t in &types.value {
                match PolicyType::parse(&t.value) {
                    Some(pt) => {
                        if !set.insert(pt) {
                            self.c.at(
                                Code::Duplicate,
                                &t.referenced,
                                format!("policy type {} is listed twice", t.value),
                                "duplicate",
                            );
                        }
                    }
                    None => self.c.at_with_help(
                        Code::UnknownPolicyType,
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
                        Code::InvalidValue,
                        &s.referenced,
                        format!("{:?} is not a service principal", s.value),
                        "expected e.g. sso.amazonaws.com",
                    );
                }
                if !set.insert(s.value.clone()) {
                    self.c.at(
                        Code::Duplicate,
                        &s.referenced,
                        format!("trusted service {} is listed twice", s.value),
                        "duplicate",
                    );
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
        let mut root_access = BTreeMap::new();
        if let Some(raw) = &raw.root_access {
            let features = [
                (RootFeature::CredentialsManagement, &raw.value.credentials_management),
                (RootFeature::RootSessions, &raw.value.root_sessions),
            ];
            for (feature, on) in features {
                if let Some(on) = on {
                    root_access.insert(feature, on.value);
                }
            }
        }
        Organization {
            policy_types,
            trusted_services,
            delegated_administrators,
            root_policies: None,
            suspended_ou: None,
            root_access,
        }
    }
}
