//! `approvals:`: the required count and the allowed_signers file.

use super::*;

/// The most signers an approval rule may have.
const MAX_SIGNERS: usize = 40;

impl Validator<'_> {
    pub(super) fn approvals(&mut self, raw: &S<RawApprovals>) -> Approvals {
        if raw.value.required.value == 0 {
            self.c.at(
                Code::InvalidValue,
                &raw.value.required.referenced,
                "approvals.required must be at least 1",
                "zero",
            );
        }
        let file = self.read_named_file(&raw.value.allowed_signers, FileKind::AllowedSigners);
        let mut signers = Vec::new();
        if let Some((path, text)) = &file {
            let at = &raw.value.allowed_signers.referenced;
            match crate::approvals::parse_allowed_signers(&path.display().to_string(), text) {
                Ok(list) if list.is_empty() => {
                    self.c.at(Code::AllowedSigners, at, format!("{} names no signer", path.display()), "no signers");
                }
                Ok(list) => {
                    for principal in list.iter().flat_map(|s| &s.principals) {
                        if !crate::approvals::recordable(principal) {
                            let message = format!(
                                "principal {principal:?} cannot be recorded in the organization's tags (letters, digits and _.:/=+-@ only)"
                            );
                            self.c.at(Code::AllowedSigners, at, message, "this file");
                        }
                    }
                    // The rule is kept as one tag per signer, beside the count, within AWS's
                    // 50 tags per root (a few are left for the organization's own).
                    if list.len() > MAX_SIGNERS {
                        let message = format!("{} signers; the rule in force holds at most {MAX_SIGNERS}", list.len());
                        self.c.at(Code::Quota, at, message, "too many signers");
                    }
                    signers = list;
                }
                Err(e) => self.c.at(Code::AllowedSigners, at, e.to_string(), "this file"),
            }
        }
        Approvals {
            required: raw.value.required.value,
            allowed_signers: file.map_or_else(|| self.relative(&raw.value.allowed_signers.value), |(p, _)| p),
            signers,
        }
    }
}
