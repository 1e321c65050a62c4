//! `accounts:`: emails and names (unique, as AWS requires), the OU each is in, and tags.

use super::*;

impl Validator<'_> {
    pub(super) fn accounts<'r>(
        &mut self,
        raw: &'r SpannedMap<S<RawAccount>>,
        ous: &BTreeMap<OuPath, Ou>,
        out: &mut BTreeMap<String, Account>,
        attachments: &mut Vec<(String, RawAttachments<'r>)>,
    ) {
        let mut emails: HashMap<String, String> = HashMap::new();
        let mut names: HashMap<String, (String, bool)> = HashMap::new();
        let mut ids: HashMap<String, String> = HashMap::new();
        for (key, account) in &raw.0 {
            let a = &account.value;
            let id = a.id.as_ref().map(|id| id.value.0.clone());
            if let Some(written) = &a.id {
                let id = &written.value.0;
                if id.len() != 12 || !id.bytes().all(|b| b.is_ascii_digit()) {
                    self.c.at_with_help(
                        Code::InvalidValue,
                        &written.referenced,
                        format!("account {}: id {id:?} is not a 12-digit account id", key.value),
                        "invalid id",
                        "write the id in quotes, so YAML keeps its leading zeros: id: \"012345678901\"",
                    );
                } else if let Some(other) = ids.insert(id.clone(), key.value.clone()) {
                    self.c.at(
                        Code::Duplicate,
                        &written.referenced,
                        format!("account {}: id {id} is also used by account {other}", key.value),
                        "duplicate id",
                    );
                }
            }
            let name = a.name.as_ref().unwrap_or(key);
            check_name(&mut self.c, name, "account name", 50);
            let email = &a.email;
            if !valid_email(&email.value) {
                self.c.at(
                    Code::InvalidValue,
                    &email.referenced,
                    format!("account {}: {:?} is not an email address AWS accepts", key.value, email.value),
                    "invalid email",
                );
            }
            if let Some(other) = emails.insert(email.value.to_lowercase(), key.value.clone()) {
                self.c.at(
                    Code::Duplicate,
                    &email.referenced,
                    format!("account {}: email {} is also used by account {other}", key.value, email.value),
                    "duplicate email",
                );
            }
            // AWS lets accounts share a name; the blueprint too, where each is pinned by its id.
            if let Some((other, other_has_id)) = names.insert(name.value.clone(), (key.value.clone(), id.is_some()))
                && !(other_has_id && id.is_some())
            {
                self.c.at(
                    Code::Duplicate,
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
                    id,
                    place: self.c.place(a.ou.as_ref().map_or(&key.referenced, |ou| &ou.referenced)),
                    name: name.value.clone(),
                    email: email.value.clone(),
                    ou,
                    attachments: Attachments { policies: Vec::new(), full_aws_access: true },
                    tags,
                    lifecycle: self.lifecycle(a.lifecycle.as_ref(), &key.value),
                    invite: self.join(a, &key.value),
                },
            );
        }
    }
}

impl Validator<'_> {
    /// `join: invite`, which needs the account's `id` (invitations go to an account id).
    fn join(&mut self, a: &RawAccount, key: &str) -> bool {
        let Some(join) = &a.join else { return false };
        if join.value != "invite" {
            self.c.at_with_help(
                Code::InvalidValue,
                &join.referenced,
                format!("account {key}: join {:?} is not one lzctl knows", join.value),
                "unknown join",
                "join: invite (an existing account, invited by its id); leave it out to create the account",
            );
            return false;
        }
        if a.id.is_none() {
            self.c.at_with_help(
                Code::MissingValue,
                &join.referenced,
                format!("account {key} is to be invited but has no id"),
                "invited without an id",
                "invitations go to an account id: add id: \"123456789012\"",
            );
            return false;
        }
        true
    }

    fn lifecycle(&mut self, raw: Option<&S<String>>, key: &str) -> crate::model::Lifecycle {
        let Some(raw) = raw else { return crate::model::Lifecycle::Active };
        match crate::model::Lifecycle::ALL.iter().find(|(name, _)| *name == raw.value) {
            Some((_, lifecycle)) => *lifecycle,
            None => {
                self.c.at_with_help(
                    Code::InvalidValue,
                    &raw.referenced,
                    format!("account {key}: lifecycle {:?} is not one lzctl knows", raw.value),
                    "unknown lifecycle",
                    "one of active, suspended, closed",
                );
                crate::model::Lifecycle::Active
            }
        }
    }
}

pub(super) fn valid_email(email: &str) -> bool {
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
