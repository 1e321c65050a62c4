//! Count mode (`lzctl simulate`): recorded activity replayed through the blueprint's SCPs and
//! RCPs on each account's real path, before anything is attached. Pure: records in, a report
//! out; reading files and the organization is the engine's.

pub(crate) mod cloudtrail;
mod placement;
pub(crate) mod report;

use crate::blueprint::{Attachments, Blueprint};
use crate::live::LiveState;
use crate::model::OuPath;
pub(crate) use cloudtrail::Record;
use cloudtrail::{Skip, event_of};
pub(crate) use placement::Compiled;
use placement::{Place, decide};
use report::{Keep, Report};
use serde_json::Value;
use std::collections::BTreeMap;

/// The accounts events can be placed in: by id, the name reports use, and where they sit.
pub(crate) struct Accounts<'a> {
    places: BTreeMap<String, (String, Place<'a>)>,
    management: Option<String>,
    /// The organization's id, where it was read: every placed caller's aws:PrincipalOrgID.
    organization_id: Option<String>,
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
        let organization_id = live.map(|l| l.organization_id.clone()).filter(|id| !id.is_empty());
        Accounts { places, management, organization_id }
    }

    /// Every account of the live organization where it is, judged by what is attached in AWS
    /// now; named by blueprint key where the blueprint has it.
    pub(crate) fn live(
        bp: &Blueprint,
        compiled: &'a Compiled,
        live: &LiveState,
        management: Option<String>,
    ) -> Accounts<'a> {
        let keys: BTreeMap<String, String> =
            crate::plan::matched_accounts(bp, live).into_iter().map(|(key, id)| (id, key)).collect();
        let places = live
            .accounts
            .keys()
            .map(|id| {
                let name = keys.get(id).cloned().unwrap_or_else(|| id.clone());
                let place = compiled.live_place(live, id, &name);
                (id.clone(), (name, place))
            })
            .collect();
        Accounts {
            places,
            management: management.or_else(|| Some(live.management_account_id.clone())),
            organization_id: Some(live.organization_id.clone()).filter(|id| !id.is_empty()),
        }
    }
}

/// Which events to replay: of these accounts only (none: all), in a time window.
#[derive(Debug, Clone, Default)]
pub(crate) struct Filter {
    /// Blueprint keys, names or ids.
    pub accounts: Vec<String>,
    /// Seconds since the epoch.
    pub since: Option<f64>,
    pub until: Option<f64>,
}

impl Filter {
    /// Whether a record falls in the time window; one whose time cannot be read is kept (the
    /// replay counts it as malformed).
    pub(crate) fn wants(&self, record: &Record<'_>) -> bool {
        if self.since.is_none() && self.until.is_none() {
            return true;
        }
        let time = record.event_time.get().and_then(crate::model::parse_rfc3339);
        !time.is_some_and(|time| self.since.is_some_and(|s| time < s) || self.until.is_some_and(|u| time >= u))
    }

    /// Whether an account, by id and the name reports use (its blueprint key), is one asked for.
    fn wants_account(&self, bp: &Blueprint, id: &str, label: &str) -> bool {
        self.accounts.is_empty()
            || self.accounts.iter().any(|wanted| {
                wanted == id || wanted == label || bp.accounts.get(label).is_some_and(|a| a.name == *wanted)
            })
    }
}

/// Replays one CloudTrail record into the report, if it is of an account `filter` asks for.
pub(crate) fn replay(
    bp: &Blueprint,
    accounts: &Accounts<'_>,
    filter: &Filter,
    record: &Record<'_>,
    report: &mut Report,
) {
    let id = record.event_id.get();
    let mut event = match event_of(record) {
        Ok(event) => event,
        Err(skip) => return report.skipped(id, skip),
    };
    accounts.state_organization(&mut event);
    let placed = accounts.places.get(event.account_id);
    let label = placed.map_or(event.account_id, |(label, _)| label.as_str());
    if !filter.wants_account(bp, event.account_id, label) {
        return;
    }
    if accounts.management.as_deref() == Some(event.account_id) {
        return report.skipped(id, Skip::ManagementAccount);
    }
    let Some((name, place)) = placed else {
        return report.skipped(id, Skip::UnplacedAccount);
    };
    let outcome = decide(place, accounts.owner(place, event.account_id, event.resource_account), &event.request);
    report.evaluated(&event, name, &place.ou.to_string(), &outcome);
}

#[cfg(test)]
mod tests;

/// A what-if question: one request, with its whole context stated (a key not given is absent).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Question {
    #[serde(default)]
    pub id: Option<String>,
    pub account: String,
    pub action: String,
    #[serde(default)]
    pub resource: Option<String>,
    #[serde(default)]
    pub principal_arn: Option<String>,
    #[serde(default)]
    pub region: Option<String>,
    /// Key → a value or a list of values.
    #[serde(default)]
    pub context: BTreeMap<String, Value>,
}

impl<'a> Accounts<'a> {
    /// The placed accounts SCPs govern (not the management account), by id.
    pub(crate) fn member_ids(&self) -> Vec<String> {
        self.places.keys().filter(|id| self.management.as_deref() != Some(id.as_str())).cloned().collect()
    }

    /// Where the account owning a resource sits, for its RCPs: the caller's own place unless
    /// the resource names another account; None where RCPs do not govern it (the management
    /// account's, or an account the organization does not have, or that cannot be placed).
    fn owner<'s>(
        &'s self,
        caller: &'s Place<'a>,
        caller_id: &str,
        resource_account: Option<&str>,
    ) -> Option<&'s Place<'a>> {
        match resource_account {
            None => Some(caller),
            Some(id) if id == caller_id => Some(caller),
            Some(id) if self.management.as_deref() == Some(id) => None,
            Some(id) => self.places.get(id).map(|(_, place)| place),
        }
    }

    /// A caller in the organization has its id as aws:PrincipalOrgID, where it was read.
    fn state_organization(&self, event: &mut cloudtrail::Event<'_>) {
        if let Some(org) = &self.organization_id
            && self.places.contains_key(event.account_id)
        {
            event.request.context.set("aws:PrincipalOrgID", org.clone());
        }
    }

    /// An account by blueprint key, name or id: its id and place.
    fn find(&self, bp: &Blueprint, text: &str) -> Option<(&String, &(String, Place<'_>))> {
        if let Some(found) = self.places.get_key_value(text) {
            return Some(found);
        }
        let key = bp.accounts.values().find(|a| a.key == text || a.name == text).map(|a| a.key.as_str())?;
        self.places.iter().find(|(_, (label, _))| label == key)
    }
}

/// The answer to a question, in the shape of an event's result (`request_id` for `event_id`);
/// Err when its account cannot be placed.
pub(crate) fn answer(bp: &Blueprint, accounts: &Accounts<'_>, question: &Question) -> Result<(Value, bool), String> {
    let (id, (label, place)) = accounts.find(bp, &question.account).ok_or_else(|| {
        format!("account {:?} is neither a blueprint account with an id nor one the organization has", question.account)
    })?;
    let mut context = crate::policy::Context::complete();
    if let Some(region) = &question.region {
        context.set("aws:RequestedRegion", region.as_str());
    }
    if let Some(arn) = &question.principal_arn {
        context.set("aws:PrincipalArn", arn.as_str());
        if let Some(account) = arn.split(':').nth(4).filter(|a| !a.is_empty()) {
            context.set("aws:PrincipalAccount", account);
        }
    }
    for (key, value) in &question.context {
        let values = match value {
            Value::Array(items) => {
                items.iter().map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string)).collect()
            }
            Value::String(s) => vec![s.clone()],
            other => vec![other.to_string()],
        };
        context.set(key, values);
    }
    let request = crate::policy::Request {
        action: question.action.clone(),
        resource: Some(question.resource.clone().unwrap_or_else(|| "*".into())),
        context,
    };
    let owner = request.resource.as_deref().and_then(cloudtrail::account_of_arn);
    let outcome = decide(place, accounts.owner(place, id, owner), &request);
    let denied = outcome.decision != crate::policy::Decision::Allowed;
    let decision = outcome.decision.as_str();
    let value = serde_json::json!({
        "request_id": question.id, "account_id": id,
        "account": label, "ou_path": place.ou.to_string(), "principal_arn": question.principal_arn,
        "action": question.action, "region": question.region, "resource": request.resource,
        "decision": decision, "reasons": outcome.reasons, "unknown_keys": outcome.unknown_keys, "already_denied": false,
    });
    Ok((value, denied))
}

/// An answer for people: the decision, and the deciding statements level by level.
pub(crate) fn explain(answer: &Value) -> String {
    let mut out = format!(
        "{} {} in {} ({}): {}\n",
        answer["action"].as_str().unwrap_or_default(),
        answer["resource"].as_str().unwrap_or("*"),
        answer["account"].as_str().unwrap_or_default(),
        answer["ou_path"].as_str().unwrap_or_default(),
        answer["decision"].as_str().unwrap_or_default(),
    );
    for reason in answer["reasons"].as_array().into_iter().flatten() {
        let level = reason["attached_to"].as_str().unwrap_or_default();
        if reason["no_allow"] == Value::Bool(true) {
            out.push_str(&format!("  {level}: no policy attached here allows it\n"));
        } else {
            out.push_str(&format!(
                "  {level}: {} {} (statement {})\n",
                reason["effect"].as_str().unwrap_or_default(),
                reason["policy"].as_str().unwrap_or_default(),
                reason["statement"].as_str().unwrap_or_default()
            ));
        }
    }
    out
}

/// What a plan changes for recorded activity: the calls the live policies allow and the
/// planned ones would deny, and the reverse.
#[derive(Debug, Default)]
pub(crate) struct Impact {
    pub events_read: u64,
    pub newly_denied: Report,
    pub newly_allowed: Report,
}

impl Impact {
    pub(crate) fn new() -> Impact {
        Impact { events_read: 0, newly_denied: Report::new(Keep::Results), newly_allowed: Report::new(Keep::All) }
    }

    /// Judges one record both ways and keeps it where the answer changes.
    pub(crate) fn add(&mut self, before: &Accounts<'_>, after: &Accounts<'_>, record: &Record<'_>) {
        self.events_read += 1;
        let Ok(mut event) = event_of(record) else { return };
        after.state_organization(&mut event);
        if after.management.as_deref() == Some(event.account_id) {
            return;
        }
        let (Some((name, now)), Some((_, planned))) =
            (before.places.get(event.account_id), after.places.get(event.account_id))
        else {
            return;
        };
        let (account, owner) = (event.account_id, event.resource_account);
        let was = decide(now, before.owner(now, account, owner), &event.request);
        let will = decide(planned, after.owner(planned, account, owner), &event.request);
        use crate::policy::Decision::{Allowed, Denied};
        match (was.decision, will.decision) {
            (Allowed, Denied) => self.newly_denied.evaluated(&event, name, &planned.ou.to_string(), &will),
            (Denied, Allowed) => self.newly_allowed.evaluated(&event, name, &planned.ou.to_string(), &will),
            _ => {}
        }
    }

    /// The `impact` object of the plan's JSON (its own format version).
    pub(crate) fn json(&self) -> Value {
        serde_json::json!({
            "format_version": 1,
            "events_read": self.events_read,
            "newly_denied": self.newly_denied.json("blueprint")["results"],
            "newly_allowed": self.newly_allowed.json("blueprint")["results"],
        })
    }

    /// The section after the plan, for people.
    pub(crate) fn human(&self) -> String {
        let mut out = String::from("\nImpact on recorded activity:\n\n");
        let denied = self.newly_denied.groups();
        let allowed = self.newly_allowed.groups();
        if denied.is_empty() && allowed.is_empty() {
            out.push_str(&format!("  No recorded call changes its answer ({} events).\n", self.events_read));
            return out;
        }
        if !denied.is_empty() {
            out.push_str("  The plan would deny (now allowed):\n");
            out.push_str(&indent(&denied));
        }
        if !allowed.is_empty() {
            out.push_str("  The plan would allow (now denied):\n");
            out.push_str(&indent(&allowed));
        }
        out.push_str(&format!("  ({} events read)\n", self.events_read));
        out
    }
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("    {l}\n")).collect()
}
