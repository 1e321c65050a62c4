//! Attachments of the root, OUs and accounts: known policies of enabled types, FullAWSAccess
//! unless `full_aws_access: false`, the per-target quota, and no target that denies everything.

use super::*;

impl Validator<'_> {
    pub(super) fn attachments(
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
                    self.c.at(
                        Code::Duplicate,
                        &name.referenced,
                        format!("{what}: policy {} is listed twice", name.value),
                        "duplicate",
                    );
                    continue;
                }
                names.push(name.value.clone());
                if name.value == crate::model::FULL_AWS_ACCESS {
                    self.c.at_with_help(
                        Code::ImplicitFullAwsAccess,
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
                                Code::TypeNotEnabled,
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
                            Code::UnknownPolicy,
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
                    Code::Quota,
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
            self.c.at_with_help(Code::Lockout,
                &at,
                format!("{what} would deny everything: `full_aws_access: false` and none of its service control policies allows anything"),
                "lockout",
                "attach an SCP with an Allow statement (allow-list strategy), or keep FullAWSAccess",
            );
        }
        Attachments { policies: names, full_aws_access }
    }
}
