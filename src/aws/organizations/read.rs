//! Reading the organization: root, the OU tree level by level, accounts, policies with their
//! targets, and — only where the blueprint manages them — tags and policy documents.

use super::sdk_policy_type;
use crate::apply::CallError;
use crate::aws::Aws;
use crate::aws::api::organizations;
use crate::aws::errors::call_error;
use crate::live::{LiveAccount, LiveOu, LivePolicy, LiveRoot, LiveState, ReadScope};
use crate::model::PolicyType;
use aws_sdk_organizations::types::{self as t};
use futures::channel::{mpsc, oneshot};
use futures::future::try_join_all;
use futures::{StreamExt, TryStreamExt};
use std::collections::{BTreeMap, BTreeSet};

/// Reads what `scope` names; `on_tree`, if given, is sent the root, OUs and accounts as soon as
/// they are read, for work that depends on them to start while the rest is read.
pub(in crate::aws) async fn read(
    aws: &Aws,
    scope: &ReadScope,
    on_tree: Option<oneshot::Sender<LiveState>>,
) -> Result<LiveState, CallError> {
    let org = &aws.org;
    let (organization, roots) = futures::try_join!(
        async {
            aws.pacer
                .call(organizations::DESCRIBE_ORGANIZATION, || org.describe_organization().send())
                .await
                .map_err(|e| call_error(organizations::DESCRIBE_ORGANIZATION, "the organization", &e))
        },
        async {
            Ok(all_pages!(aws, organizations::LIST_ROOTS, "the organization", roots, |token| org
                .list_roots()
                .max_results(organizations::PAGE)
                .set_next_token(token.clone())))
        },
    )?;
    let organization = organization.organization().cloned().unwrap_or_else(|| t::Organization::builder().build());
    let root = roots.first().ok_or_else(|| CallError {
        operation: organizations::LIST_ROOTS.name(),
        resource: "the organization".into(),
        message: "the organization has no root".into(),
    })?;
    let mut live = LiveState {
        organization_id: organization.id().unwrap_or_default().to_string(),
        management_account_id: organization.master_account_id().unwrap_or_default().to_string(),
        root: LiveRoot {
            id: root.id().unwrap_or_default().to_string(),
            policy_types: root
                .policy_types()
                .iter()
                .filter(|p| p.status() == Some(&t::PolicyTypeStatus::Enabled))
                .filter_map(|p| p.r#type().and_then(|t| PolicyType::parse(t.as_str())))
                .collect(),
            tags: BTreeMap::new(),
        },
        ..LiveState::default()
    };

    // Where every OU's and account's tags are wanted (or every account's), each is read the
    // moment the tree's walk finds it, alongside the rest of the walk.
    let (found, found_rx) = match scope.everything || scope.account_tags {
        true => {
            let (tx, rx) = mpsc::unbounded::<String>();
            (Some(tx), Some(rx))
        }
        false => (None, None),
    };
    let tags_as_found = async {
        let Some(found_rx) = found_rx else { return Ok(BTreeMap::new()) };
        found_rx
            .map(|id| async move { Ok::<_, CallError>((id.clone(), tags_of(aws, &id).await?)) })
            .buffer_unordered(TAGS_IN_FLIGHT)
            .try_collect::<BTreeMap<String, BTreeMap<String, String>>>()
            .await
    };
    // The tree, level by level: children OUs and accounts of every parent, concurrently.
    let tree = async {
        let walked = read_tree(aws, &live.root.id, found.as_ref().map(|tx| (tx, scope.everything))).await;
        drop(found);
        let (ous, accounts) = walked?;
        if let Some(on_tree) = on_tree {
            let tree = LiveState { ous: ous.clone(), accounts: accounts.clone(), ..live.clone() };
            // A receiver that is gone wanted nothing more.
            let _ = on_tree.send(tree);
        }
        Ok((ous, accounts))
    };
    let enabled = live.root.policy_types.clone();
    let (tree, policies, found_tags) = futures::try_join!(
        tree,
        async { if scope.skip_policies { Ok(BTreeMap::new()) } else { read_policies(aws, scope, &enabled).await } },
        tags_as_found,
    )?;
    let (mut ous, mut accounts) = tree;
    for (id, tags) in found_tags {
        if let Some(ou) = ous.get_mut(&id) {
            ou.tags = Some(tags);
        } else if let Some(account) = accounts.get_mut(&id) {
            account.tags = Some(tags);
        }
    }
    live.ous = ous;
    live.accounts = accounts;
    live.policies = policies;
    let (_, trusted, delegated, stack_sets, handshakes, root_features) = futures::try_join!(
        read_tags(aws, scope, &mut live),
        async { if scope.trusted_services { read_trusted_services(aws).await.map(Some) } else { Ok(None) } },
        async {
            if scope.delegated_administrators { read_delegated_administrators(aws).await.map(Some) } else { Ok(None) }
        },
        async {
            match &scope.stack_sets {
                Some(names) => crate::aws::stack_sets::read(aws, |name| scope.all_stack_sets || names.contains(name))
                    .await
                    .map(Some),
                None => Ok(None),
            }
        },
        async { if scope.handshakes { super::handshakes::read(aws).await.map(Some) } else { Ok(None) } },
        async { if scope.root_access { crate::aws::iam::read_root_features(aws).await.map(Some) } else { Ok(None) } },
    )?;
    live.root_features = root_features;
    live.handshakes = handshakes;
    live.trusted_services = trusted;
    live.delegated_administrators = delegated;
    live.stack_sets = stack_sets;
    Ok(live)
}

async fn read_trusted_services(aws: &Aws) -> Result<BTreeSet<String>, CallError> {
    let org = &aws.org;
    let enabled =
        all_pages!(aws, organizations::LIST_SERVICE_ACCESS, "the organization", enabled_service_principals, |token| {
            org.list_aws_service_access_for_organization()
                .max_results(organizations::PAGE)
                .set_next_token(token.clone())
        });
    Ok(enabled.iter().filter_map(|s| s.service_principal().map(str::to_string)).collect())
}

async fn read_delegated_administrators(aws: &Aws) -> Result<BTreeMap<String, BTreeSet<String>>, CallError> {
    let org = &aws.org;
    let admins = all_pages!(
        aws,
        organizations::LIST_DELEGATED_ADMINISTRATORS,
        "the organization",
        delegated_administrators,
        |token| org.list_delegated_administrators().max_results(organizations::PAGE).set_next_token(token.clone())
    );
    let per_account = try_join_all(admins.iter().filter_map(|a| a.id()).map(|id| async move {
        let services = all_pages!(aws, organizations::LIST_DELEGATED_SERVICES, id, delegated_services, |token| org
            .list_delegated_services_for_account()
            .account_id(id)
            .max_results(organizations::PAGE)
            .set_next_token(token.clone()));
        Ok::<_, CallError>((id.to_string(), services))
    }))
    .await?;
    let mut by_service: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (account, services) in per_account {
        for service in services.iter().filter_map(|s| s.service_principal()) {
            by_service.entry(service.to_string()).or_default().insert(account.clone());
        }
    }
    Ok(by_service)
}

type Tree = (BTreeMap<String, LiveOu>, BTreeMap<String, LiveAccount>);

/// Tag listings kept in flight while the tree is walked; the pacer holds them to the rate.
const TAGS_IN_FLIGHT: usize = 64;

/// Walks the tree from the root; each account found is also sent to `found`, if given, and
/// each OU too where its flag says so.
async fn read_tree(
    aws: &Aws,
    root_id: &str,
    found: Option<(&mpsc::UnboundedSender<String>, bool)>,
) -> Result<Tree, CallError> {
    let org = &aws.org;
    let mut ous = BTreeMap::new();
    let mut accounts = BTreeMap::new();
    let mut level = vec![root_id.to_string()];
    while !level.is_empty() {
        let children = try_join_all(level.iter().map(|parent| async move {
            let (child_ous, child_accounts) = futures::try_join!(
                async {
                    Ok::<_, CallError>(all_pages!(
                        aws,
                        organizations::LIST_OUS_FOR_PARENT,
                        parent,
                        organizational_units,
                        |token| org
                            .list_organizational_units_for_parent()
                            .parent_id(parent)
                            .max_results(organizations::PAGE)
                            .set_next_token(token.clone())
                    ))
                },
                async {
                    Ok(all_pages!(aws, organizations::LIST_ACCOUNTS_FOR_PARENT, parent, accounts, |token| org
                        .list_accounts_for_parent()
                        .parent_id(parent)
                        .max_results(organizations::PAGE)
                        .set_next_token(token.clone())))
                },
            )?;
            Ok::<_, CallError>((parent.clone(), child_ous, child_accounts))
        }))
        .await?;
        let mut next = Vec::new();
        for (parent, child_ous, child_accounts) in children {
            for ou in child_ous {
                let id = ou.id().unwrap_or_default().to_string();
                if let Some((found, true)) = found {
                    // A receiver that is gone wanted nothing more.
                    let _ = found.unbounded_send(id.clone());
                }
                next.push(id.clone());
                ous.insert(
                    id.clone(),
                    LiveOu {
                        id,
                        name: ou.name().unwrap_or_default().to_string(),
                        parent_id: parent.clone(),
                        tags: None,
                    },
                );
            }
            for account in child_accounts {
                let id = account.id().unwrap_or_default().to_string();
                if let Some((found, _)) = found {
                    let _ = found.unbounded_send(id.clone());
                }
                let status = account
                    .state()
                    .map(|s| s.as_str().to_string())
                    .or_else(|| account.status().map(|s| s.as_str().to_string()))
                    .unwrap_or_default();
                accounts.insert(
                    id.clone(),
                    LiveAccount {
                        id,
                        name: account.name().unwrap_or_default().to_string(),
                        email: account.email().unwrap_or_default().to_string(),
                        status,
                        parent_id: parent.clone(),
                        tags: None,
                    },
                );
            }
        }
        level = next;
    }
    Ok((ous, accounts))
}

/// The policies of SCPs, RCPs and every other type enabled on the root.
async fn read_policies(
    aws: &Aws,
    scope: &ReadScope,
    enabled: &BTreeSet<PolicyType>,
) -> Result<BTreeMap<String, LivePolicy>, CallError> {
    let org = &aws.org;
    let types: BTreeSet<PolicyType> = PolicyType::AUTHORIZATION.into_iter().chain(enabled.iter().copied()).collect();
    let summaries = try_join_all(types.into_iter().map(|pt| async move {
        let list = all_pages!(aws, organizations::LIST_POLICIES, pt.as_str(), policies, |token| org
            .list_policies()
            .filter(sdk_policy_type(pt))
            .max_results(organizations::PAGE)
            .set_next_token(token.clone()));
        Ok::<_, CallError>(list.into_iter().map(move |p| (pt, p)))
    }))
    .await?;
    let policies = try_join_all(summaries.into_iter().flatten().map(|(pt, summary)| async move {
        let id = summary.id().unwrap_or_default().to_string();
        let name = summary.name().unwrap_or_default().to_string();
        let aws_managed = summary.aws_managed();
        let wanted = !aws_managed
            && (scope.everything
                || scope.all_documents
                || scope.policy_names.contains(&name)
                || (scope.management_documents && !pt.is_authorization()));
        let resource = format!("policy {name} ({id})");
        let (targets, document) = futures::try_join!(
            async {
                Ok(all_pages!(aws, organizations::LIST_TARGETS_FOR_POLICY, resource, targets, |token| org
                    .list_targets_for_policy()
                    .policy_id(&id)
                    .max_results(organizations::PAGE)
                    .set_next_token(token.clone())))
            },
            async {
                if !wanted {
                    return Ok(None);
                }
                let out = aws
                    .pacer
                    .call(organizations::DESCRIBE_POLICY, || org.describe_policy().policy_id(&id).send())
                    .await
                    .map_err(|e| call_error(organizations::DESCRIBE_POLICY, &resource, &e))?;
                let content = out.policy().and_then(|p| p.content()).unwrap_or_default();
                // A document AWS holds that is not JSON compares unequal to any blueprint.
                Ok(Some(serde_json::from_str(content).unwrap_or(serde_json::Value::String(content.to_string()))))
            },
        )?;
        let policy = LivePolicy {
            id: id.clone(),
            name,
            policy_type: pt,
            description: summary.description().unwrap_or_default().to_string(),
            aws_managed,
            document,
            targets: targets.iter().filter_map(|t| t.target_id().map(str::to_string)).collect(),
        };
        Ok::<_, CallError>((id, policy))
    }))
    .await?;
    Ok(policies.into_iter().collect())
}

/// The tags of one root, OU or account.
pub(in crate::aws) async fn tags_of(aws: &Aws, id: &str) -> Result<BTreeMap<String, String>, CallError> {
    let org = &aws.org;
    let tags = all_pages!(aws, organizations::LIST_TAGS_FOR_RESOURCE, id, tags, |token| org
        .list_tags_for_resource()
        .resource_id(id)
        .set_next_token(token.clone()));
    Ok(tags.into_iter().map(|t| (t.key().to_string(), t.value().to_string())).collect())
}

async fn read_tags(aws: &Aws, scope: &ReadScope, live: &mut LiveState) -> Result<(), CallError> {
    let by_path = live.ous_by_path();
    // With `everything`, every OU's and account's tags were read during the walk.
    let mut ids: Vec<String> = if scope.everything {
        Vec::new()
    } else {
        scope.tagged_ou_paths.iter().filter_map(|p| by_path.get(p).map(|o| o.id.clone())).collect()
    };
    if scope.approval_rule {
        ids.push(live.root.id.clone());
    }
    ids.extend(
        live.accounts
            .values()
            .filter(|a| {
                // With `everything` or `account_tags`, accounts' tags were read during the walk.
                !scope.everything
                    && !scope.account_tags
                    && (scope.tagged_account_emails.iter().any(|e| e.eq_ignore_ascii_case(&a.email))
                        || scope.tagged_account_names.contains(&a.name))
            })
            .map(|a| a.id.clone()),
    );

    let tags = try_join_all(
        ids.into_iter().map(|id| async move { Ok::<_, CallError>((id.clone(), tags_of(aws, &id).await?)) }),
    )
    .await?;
    for (id, tags) in tags {
        if id == live.root.id {
            live.root.tags = tags;
        } else if let Some(ou) = live.ous.get_mut(&id) {
            ou.tags = Some(tags);
        } else if let Some(account) = live.accounts.get_mut(&id) {
            account.tags = Some(tags);
        }
    }
    Ok(())
}
