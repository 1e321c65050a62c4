//! The planner's central property, on generated organizations (proptest, shrinking to the
//! smallest failing case): whatever the live organization — made by another blueprint, then
//! changed by hand — applying the plan to it and planning again finds nothing to do.

use super::super::*;
use crate::apply::{Ids, run};
use crate::testing::{InMemoryOrg, blueprint, fresh_org, lines, plan_ok};
use proptest::prelude::*;
use serde_json::json;
use std::collections::BTreeMap;

/// The OUs a generated blueprint may have (with their parents).
const OUS: [&str; 5] = ["A", "A/B", "A/C", "D", "D/E"];

/// A blueprint of generated OUs, accounts, policies, attachments and tags, as YAML.
#[derive(Debug, Clone)]
struct Shape {
    ous: Vec<usize>,
    /// Per account: where it goes (an index into the chosen OUs, past the end the root), its tags.
    accounts: Vec<(usize, Option<Tags>)>,
    /// Per policy: the service it denies.
    policies: Vec<String>,
    /// (target: an OU, then accounts, by index; policy by index).
    attachments: Vec<(usize, usize)>,
    /// (OU by index, its tags as (key, value) indices).
    ou_tags: Vec<(usize, Tags)>,
}

/// Tags as (key, value) indices.
type Tags = Vec<(u8, u8)>;

/// Tag keys a blueprint and a person editing by hand may both use.
const TAG_KEYS: [&str; 3] = ["owner", "cc", "team"];

fn tags() -> impl Strategy<Value = Tags> {
    proptest::collection::vec((0..TAG_KEYS.len() as u8, 0..3u8), 0..=2)
}

/// Tags in YAML flow style (a later duplicate key wins).
fn tags_yaml(tags: &[(u8, u8)]) -> String {
    let map: BTreeMap<&str, u8> = tags.iter().map(|(k, v)| (TAG_KEYS[*k as usize], *v)).collect();
    let pairs: Vec<String> = map.iter().map(|(k, v)| format!("{k}: \"v{v}\"")).collect();
    format!(", tags: {{{}}}", pairs.join(", "))
}

fn shapes() -> impl Strategy<Value = Shape> {
    (
        proptest::collection::btree_set(0..OUS.len(), 0..=OUS.len()),
        proptest::collection::vec((0..6usize, proptest::option::of(tags())), 0..=4),
        proptest::collection::vec("[a-z]{2,6}", 0..=3),
        proptest::collection::vec((0..9usize, 0..3usize), 0..=6),
        proptest::collection::vec((0..OUS.len(), tags()), 0..=3),
    )
        .prop_map(|(ous, accounts, policies, attachments, ou_tags)| Shape {
            ous: ous.into_iter().collect(),
            accounts,
            policies,
            attachments,
            ou_tags,
        })
}

impl Shape {
    fn yaml(&self) -> String {
        // Every chosen OU brings its parent.
        let mut paths: BTreeSet<&str> = BTreeSet::new();
        for &i in &self.ous {
            paths.insert(OUS[i]);
            if let Some((parent, _)) = OUS[i].split_once('/') {
                paths.insert(parent);
            }
        }
        let paths: Vec<&str> = paths.into_iter().collect();
        let mut attached: BTreeMap<usize, BTreeSet<usize>> = BTreeMap::new();
        for &(target, policy) in &self.attachments {
            if policy < self.policies.len() {
                attached.entry(target).or_default().insert(policy);
            }
        }
        let policies_of = |target: usize| {
            let names: Vec<String> = attached.get(&target).into_iter().flatten().map(|p| format!("p{p}")).collect();
            format!("policies: [{}]", names.join(", "))
        };
        let tags_of = |path: &str| {
            let index = OUS.iter().position(|p| *p == path).expect("a known OU");
            self.ou_tags.iter().find(|(ou, _)| *ou == index).map(|(_, tags)| tags_yaml(tags))
        };
        let ou = |i: usize, path: &str, children: String| {
            format!(
                "{}: {{{}{}{children}}}",
                path.rsplit('/').next().unwrap(),
                policies_of(i),
                tags_of(path).unwrap_or_default()
            )
        };
        let tops: Vec<String> = paths
            .iter()
            .enumerate()
            .filter(|(_, p)| !p.contains('/'))
            .map(|(i, top)| {
                let children: Vec<String> = paths
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| c.starts_with(&format!("{top}/")))
                    .map(|(j, child)| ou(j, child, String::new()))
                    .collect();
                ou(i, top, format!(", children: {{{}}}", children.join(", ")))
            })
            .collect();
        let accounts: Vec<String> = self
            .accounts
            .iter()
            .enumerate()
            .map(|(n, (ou, tag))| {
                let ou = paths.get(*ou).copied().unwrap_or("Root");
                let tags = tag.as_ref().map(|t| tags_yaml(t)).unwrap_or_default();
                format!("a{n}: {{email: a{n}@example.com, ou: {ou}, {}{tags}}}", policies_of(paths.len() + n))
            })
            .collect();
        let policies: Vec<String> = self
            .policies
            .iter()
            .enumerate()
            .map(|(n, service)| {
                format!(
                    "p{n}: {{document: {{Statement: [{{Effect: Deny, Action: [\"{service}:*\"], Resource: \"*\"}}]}}}}"
                )
            })
            .collect();
        format!(
            "version: 1\norganizational_units: {{{}}}\naccounts: {{{}}}\npolicies: {{{}}}\n",
            tops.join(", "),
            accounts.join(", "),
            policies.join(", ")
        )
    }
}

/// Changes made by hand in the console: attachments, moves, edited documents, tags.
fn scramble(org: &InMemoryOrg, edits: &[(u8, usize, usize)]) {
    let mut live = org.live.borrow_mut();
    let ou_ids: Vec<String> = live.ous.keys().cloned().collect();
    let targets: Vec<String> = ou_ids.iter().cloned().chain(live.accounts.keys().cloned()).collect();
    let policy_ids: Vec<String> = live.policies.keys().cloned().collect();
    for &(kind, a, b) in edits {
        match kind {
            0 => {
                let (p, t) = (&policy_ids[a % policy_ids.len()], &targets[b % targets.len()]);
                live.policies.get_mut(p).unwrap().targets.insert(t.clone());
            }
            1 => {
                let (p, t) = (&policy_ids[a % policy_ids.len()], &targets[b % targets.len()]);
                live.policies.get_mut(p).unwrap().targets.remove(t);
            }
            2 if !ou_ids.is_empty() => {
                let account = live.accounts.keys().nth(a % live.accounts.len()).unwrap().clone();
                live.accounts.get_mut(&account).unwrap().parent_id = ou_ids[b % ou_ids.len()].clone();
            }
            3 => {
                let policy = live.policies.get_mut(&policy_ids[a % policy_ids.len()]).unwrap();
                if !policy.aws_managed {
                    policy.document = Some(
                        json!({"Statement": [{"Effect": "Deny", "Action": format!("edited{b}:*"), "Resource": "*"}]}),
                    );
                }
            }
            _ if !ou_ids.is_empty() => {
                let ou = &ou_ids[a % ou_ids.len()];
                let key = TAG_KEYS[b % TAG_KEYS.len()].to_string();
                live.ous.get_mut(ou).unwrap().tags.get_or_insert_default().insert(key, format!("hand{b}"));
            }
            _ => {}
        }
    }
}

async fn apply_to(org: &InMemoryOrg, bp: &crate::blueprint::Blueprint, options: &PlanOptions) {
    let live = org.snapshot();
    let plan = plan_ok(bp, &live, options);
    run(&plan, Ids::new(bp, &live), org, crate::testing::never_stop(), |_, _| {})
        .await
        .expect("apply succeeds in memory");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn applying_the_plan_converges(
        before in shapes(),
        edits in proptest::collection::vec((0..5u8, 0..64usize, 0..64usize), 0..6),
        after in shapes(),
        prune in any::<bool>(),
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread().build().expect("a runtime");
        let options = PlanOptions { prune, ..Default::default() };
        let (before, after) = (blueprint(&before.yaml()), blueprint(&after.yaml()));
        let again = runtime.block_on(async {
            let org = InMemoryOrg::new(fresh_org());
            apply_to(&org, &before, &PlanOptions::default()).await;
            scramble(&org, &edits);
            apply_to(&org, &after, &options).await;
            plan_ok(&after, &org.snapshot(), &options)
        });
        prop_assert!(again.is_empty(), "planned again: {:?}", lines(&again));
    }
}
