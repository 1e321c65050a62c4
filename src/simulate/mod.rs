//! Count mode (`lzctl simulate`): recorded activity replayed through the blueprint's SCPs and
//! RCPs on each account's real path, before anything is attached. Pure: records in, a report
//! out; reading files and the organization is the engine's.

pub(crate) mod cloudtrail;
mod placement;
pub(crate) mod report;

use crate::blueprint::{Attachments, Blueprint};
use crate::live::LiveState;
use crate::model::OuPath;
use cloudtrail::{Skip, event_of};
pub(crate) use placement::Compiled;
use placement::{Place, decide};
use report::Report;
use serde_json::Value;
use std::collections::BTreeMap;

/// The accounts events can be placed in: by id, the name reports use, and where they sit.
pub(crate) struct Accounts<'a> {
    places: BTreeMap<String, (String, Place<'a>)>,
    management: Option<String>,
}

impl<'a> Accounts<'a> {
    /// The blueprint's accounts that carry an `id`, and, from the live organization where it
    /// was read, every other account: blueprint accounts matched as `plan` matches them, the
    /// rest where they are (with FullAWSAccess only). The management account is never placed.
    pub(crate) fn new(
        bp: &Blueprint,
        compiled: &'a Compiled,
        live: Option<&LiveState>,
        management: Option<String>,
    ) -> Accounts<'a> {
        let mut places = BTreeMap::new();
        for account in bp.accounts.values() {
            if let Some(id) = &account.id {
                let place = compiled.place(bp, &account.ou, &account.attachments, &account.key);
                places.insert(id.clone(), (account.key.clone(), place));
            }
        }
        let mut management = management;
        if let Some(live) = live {
            management = management.or_else(|| Some(live.management_account_id.clone()));
            let matched = crate::plan::matched_accounts(bp, live);
            for (key, id) in &matched {
                let account = &bp.accounts[key];
                places
                    .entry(id.clone())
                    .or_insert_with(|| (key.clone(), compiled.place(bp, &account.ou, &account.attachments, key)));
            }
            let unmanaged = Attachments { policies: Vec::new(), full_aws_access: true };
            for account in live.accounts.values() {
                if places.contains_key(&account.id) {
                    continue;
                }
                let ou = live.account_path(&account.id).unwrap_or_else(OuPath::root);
                let place = compiled.place(bp, &ou, &unmanaged, &account.id);
                places.insert(account.id.clone(), (account.id.clone(), place));
            }
        }
        Accounts { places, management }
    }
}

/// Replays one CloudTrail record into the report.
pub(crate) fn replay(accounts: &Accounts<'_>, record: &Value, report: &mut Report) {
    let id = record.get("eventID").and_then(Value::as_str);
    let event = match event_of(record) {
        Ok(event) => event,
        Err(skip) => return report.skipped(id, skip),
    };
    if accounts.management.as_deref() == Some(event.account_id.as_str()) {
        return report.skipped(id, Skip::ManagementAccount);
    }
    let Some((name, place)) = accounts.places.get(&event.account_id) else {
        return report.skipped(id, Skip::UnplacedAccount);
    };
    let outcome = decide(place, &event.request);
    report.evaluated(&event, name, &place.ou.to_string(), &outcome);
}

#[cfg(test)]
mod tests;
