//! Which SCPs and RCPs govern an account: the blueprint's policies, compiled once, attached as
//! `plan` understands it (FullAWSAccess implied unless `full_aws_access: false`,
//! RCPFullAWSAccess always), along the account's root → OU … → account path.

use crate::blueprint::{Attachments, Blueprint};
use crate::live::LiveState;
use crate::model::{FULL_AWS_ACCESS, OuPath, PolicyType, RCP_FULL_AWS_ACCESS};
use crate::policy::{Decision, Level, Outcome, Policy, Request, evaluate_path};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};

/// The blueprint's policies parsed for evaluation, and the two AWS-managed ones.
pub(crate) struct Compiled {
    policies: BTreeMap<String, (PolicyType, Policy)>,
    full_scp: Policy,
    full_rcp: Policy,
}

impl Compiled {
    /// The customer SCPs and RCPs of the live organization; Err names each document the engine
    /// cannot read.
    pub(crate) fn from_live(live: &LiveState) -> Result<Compiled, Vec<String>> {
        let mut policies = BTreeMap::new();
        let mut problems = Vec::new();
        for policy in live.policies.values().filter(|p| !p.aws_managed && p.policy_type.is_authorization()) {
            match policy.document.as_ref().map(Policy::parse) {
                Some(Ok(parsed)) => {
                    policies.insert(policy.name.clone(), (policy.policy_type, parsed));
                }
                Some(Err(e)) => problems.push(format!("policy {} ({}): {e}", policy.name, policy.id)),
                None => problems.push(format!("policy {} ({}): its document was not read", policy.name, policy.id)),
            }
        }
        Self::with(policies, problems)
    }

    fn with(policies: BTreeMap<String, (PolicyType, Policy)>, problems: Vec<String>) -> Result<Compiled, Vec<String>> {
        let allow_all =
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]});
        let full = Policy::parse(&allow_all).expect("FullAWSAccess parses");
        if problems.is_empty() {
            Ok(Compiled { policies, full_scp: full.clone(), full_rcp: full })
        } else {
            Err(problems)
        }
    }

    /// Every policy of the blueprint; Err names each document the engine cannot read.
    pub(crate) fn from_blueprint(bp: &Blueprint) -> Result<Compiled, Vec<String>> {
        let mut policies = BTreeMap::new();
        let mut problems = Vec::new();
        // Management policies (tag, backup …) grant and deny nothing: count mode skips them.
        for (name, policy) in bp.policies.iter().filter(|(_, p)| p.policy_type.is_authorization()) {
            match Policy::parse(&policy.document) {
                Ok(parsed) => {
                    policies.insert(name.clone(), (policy.policy_type, parsed));
                }
                Err(e) => problems.push(format!("policy {name}: {e}")),
            }
        }
        Self::with(policies, problems)
    }
}

/// An account's place: the levels of its SCPs and of its RCPs, root first.
pub(crate) struct Place<'a> {
    pub ou: OuPath,
    pub scps: Vec<Level<'a>>,
    pub rcps: Vec<Level<'a>>,
}

impl<'a> Compiled {
    fn levels(&'a self, name: &str, attachments: &Attachments) -> (Level<'a>, Level<'a>) {
        let mut scps: Vec<(&'a str, &'a Policy)> = Vec::new();
        let mut rcps: Vec<(&'a str, &'a Policy)> = vec![(RCP_FULL_AWS_ACCESS, &self.full_rcp)];
        if attachments.full_aws_access {
            scps.push((FULL_AWS_ACCESS, &self.full_scp));
        }
        for policy in &attachments.policies {
            if let Some((key, (policy_type, parsed))) = self.policies.get_key_value(policy) {
                match policy_type {
                    PolicyType::ResourceControlPolicy => rcps.push((key.as_str(), parsed)),
                    PolicyType::ServiceControlPolicy => scps.push((key.as_str(), parsed)),
                    _ => {}
                }
            }
        }
        (Level { name: name.to_string(), policies: scps }, Level { name: name.to_string(), policies: rcps })
    }

    /// Where an account of the live organization is, with what is attached in AWS now at each
    /// level; `name` is how reports name it.
    pub(crate) fn live_place(&'a self, live: &LiveState, account_id: &str, name: &str) -> Place<'a> {
        let attached = |id: &str| {
            let mut attachments = Attachments { policies: Vec::new(), full_aws_access: false };
            for policy in live.attached_to(id) {
                if policy.aws_managed {
                    attachments.full_aws_access |= policy.name == FULL_AWS_ACCESS;
                } else {
                    attachments.policies.push(policy.name.clone());
                }
            }
            attachments
        };
        let mut pairs = vec![self.levels(OuPath::ROOT_NAME, &attached(&live.root.id))];
        let mut chain = Vec::new();
        let mut parent = live.accounts.get(account_id).map(|a| a.parent_id.clone()).unwrap_or_default();
        while let Some(ou) = live.ous.get(&parent) {
            chain.push(ou.id.clone());
            parent.clone_from(&ou.parent_id);
        }
        for id in chain.iter().rev() {
            let path = live.path_of(id).unwrap_or_default();
            pairs.push(self.levels(&path.to_string(), &attached(id)));
        }
        pairs.push(self.levels(name, &attached(account_id)));
        let (scps, rcps) = pairs.into_iter().unzip();
        Place { ou: live.account_path(account_id).unwrap_or_default(), scps, rcps }
    }

    /// The place of an account the blueprint puts in `ou`, with its own attachments.
    pub(crate) fn place(&'a self, bp: &Blueprint, ou: &OuPath, own: &Attachments, account: &str) -> Place<'a> {
        let root =
            Attachments { policies: bp.organization.root_policies.clone().unwrap_or_default(), full_aws_access: true };
        let mut pairs = vec![self.levels(OuPath::ROOT_NAME, &root)];
        let mut chain: Vec<OuPath> = Vec::new();
        let mut at = ou.clone();
        while !at.is_root() {
            chain.push(at.clone());
            at = at.parent();
        }
        for path in chain.iter().rev() {
            let attachments = bp
                .ous
                .get(path)
                .map_or_else(|| Attachments { policies: Vec::new(), full_aws_access: true }, |o| o.attachments.clone());
            pairs.push(self.levels(&path.to_string(), &attachments));
        }
        pairs.push(self.levels(account, own));
        let (scps, rcps) = pairs.into_iter().unzip();
        Place { ou: ou.clone(), scps, rcps }
    }
}

/// The decision for a request made in an account: its SCPs, and the RCPs of the account that
/// owns the resource (`owner`; None: a resource RCPs do not govern, outside the organization or
/// the management account's); a Deny of either denies.
pub(crate) fn decide<'a>(place: &'a Place<'_>, owner: Option<&'a Place<'_>>, request: &Request<'_>) -> Outcome<'a> {
    let scp = evaluate_path(&place.scps, request);
    let Some(owner) = owner else { return scp };
    let rcp = evaluate_path(&owner.rcps, request);
    match (scp.decision, rcp.decision) {
        (Decision::Denied, Decision::Denied) => {
            Outcome { reasons: scp.reasons.into_iter().chain(rcp.reasons).collect(), ..scp }
        }
        (Decision::Denied, _) => scp,
        (_, Decision::Denied) => rcp,
        (Decision::Inconclusive, _) | (_, Decision::Inconclusive) => Outcome {
            decision: Decision::Inconclusive,
            reasons: Vec::new(),
            unknown_keys: scp.unknown_keys.into_iter().chain(rcp.unknown_keys).collect::<BTreeSet<_>>(),
        },
        _ => scp,
    }
}
