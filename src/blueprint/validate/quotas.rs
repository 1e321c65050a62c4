//! `quotas:`: the organization's raised AWS quotas, which the other checks use.

use super::*;

impl Validator<'_> {
    pub(super) fn quotas(&mut self, raw: Option<&RawQuotas>) -> Quotas {
        let mut quotas = Quotas::default();
        if let Some(raw) = raw {
            if let Some(size) = &raw.policy_size {
                if size.value == 0 {
                    self.c.at(Code::InvalidValue, &size.referenced, "policy_size must be positive", "zero");
                }
                quotas.policy_size = size.value;
            }
            if let Some(count) = &raw.policies_per_target {
                if count.value == 0 {
                    self.c.at(Code::InvalidValue, &count.referenced, "policies_per_target must be positive", "zero");
                }
                quotas.policies_per_target = count.value;
            }
        }
        quotas
    }
}
