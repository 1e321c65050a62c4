//! AWS Organizations: reading the live organization concurrently and paced, and carrying out
//! calls idempotently (create looks first, delete accepts "already gone").

use super::errors::{call_error, code};
use super::{Aws, Polling};
use crate::apply::{Call, CallError, Executor};
use crate::live::{LiveAccount, LiveOu, LivePolicy, LiveRoot, LiveState, ReadScope};
use crate::model::PolicyType;
use aws_sdk_organizations::types::{self as t, Tag};
use futures::future::try_join_all;
use std::collections::{BTreeMap, BTreeSet};
use tokio::time::Instant;

fn sdk_policy_type(pt: PolicyType) -> t::PolicyType {
    t::PolicyType::from(pt.as_str())
}

fn to_sdk_tags(tags: &BTreeMap<String, String>) -> Option<Vec<Tag>> {
    if tags.is_empty() {
        return None;
    }
    Some(tags.iter().map(|(k, v)| Tag::builder().key(k).value(v).build().expect("key and value are set")).collect())
}

pub(super) async fn read(aws: &Aws, scope: &ReadScope) -> Result<LiveState, CallError> {
    let org = &aws.org;
    let (organization, roots) = futures::try_join!(
        async {
            aws.pacer
                .call("organizations.DescribeOrganization", || org.describe_organization().send())
                .await
                .map_err(|e| call_error("organizations:DescribeOrganization", "the organization", &e))
        },
        async {
            Ok(all_pages!(aws, "organizations", "ListRoots", "the organization", roots, |token| org
                .list_roots()
                .set_next_token(token.clone())))
        },
    )?;
    let organization = organization.organization().cloned().unwrap_or_else(|| t::Organization::builder().build());
    let root = roots.first().ok_or_else(|| CallError {
        operation: "organizations:ListRoots".into(),
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
        },
        ..LiveState::default()
    };

    // The tree, level by level: children OUs and accounts of every parent, concurrently.
    let (tree, policies) = futures::try_join!(read_tree(aws, &live.root.id), async {
        if scope.skip_policies { Ok(BTreeMap::new()) } else { read_policies(aws, scope).await }
    })?;
    let (ous, accounts) = tree;
    live.ous = ous;
    live.accounts = accounts;
    live.policies = policies;
    let (_, trusted, delegated, stack_sets) = futures::try_join!(
        read_tags(aws, scope, &mut live),
        async { if scope.trusted_services { read_trusted_services(aws).await.map(Some) } else { Ok(None) } },
        async {
            if scope.delegated_administrators { read_delegated_administrators(aws).await.map(Some) } else { Ok(None) }
        },
        async {
            match &scope.stack_sets {
                Some(names) => super::cloudformation::read(aws, names).await.map(Some),
                None => Ok(None),
            }
        },
    )?;
    live.trusted_services = trusted;
    live.delegated_administrators = delegated;
    live.stack_sets = stack_sets;
    Ok(live)
}

async fn read_trusted_services(aws: &Aws) -> Result<BTreeSet<String>, CallError> {
    let org = &aws.org;
    let enabled = all_pages!(
        aws,
        "organizations",
        "ListAWSServiceAccessForOrganization",
        "the organization",
        enabled_service_principals,
        |token| org.list_aws_service_access_for_organization().set_next_token(token.clone())
    );
    Ok(enabled.iter().filter_map(|s| s.service_principal().map(str::to_string)).collect())
}

async fn read_delegated_administrators(aws: &Aws) -> Result<BTreeMap<String, BTreeSet<String>>, CallError> {
    let org = &aws.org;
    let admins = all_pages!(
        aws,
        "organizations",
        "ListDelegatedAdministrators",
        "the organization",
        delegated_administrators,
        |token| org.list_delegated_administrators().set_next_token(token.clone())
    );
    let per_account = try_join_all(admins.iter().filter_map(|a| a.id()).map(|id| async move {
        let services =
            all_pages!(aws, "organizations", "ListDelegatedServicesForAccount", id, delegated_services, |token| org
                .list_delegated_services_for_account()
                .account_id(id)
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

async fn read_tree(aws: &Aws, root_id: &str) -> Result<Tree, CallError> {
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
                        "organizations",
                        "ListOrganizationalUnitsForParent",
                        parent,
                        organizational_units,
                        |token| org
                            .list_organizational_units_for_parent()
                            .parent_id(parent)
                            .set_next_token(token.clone())
                    ))
                },
                async {
                    Ok(all_pages!(aws, "organizations", "ListAccountsForParent", parent, accounts, |token| org
                        .list_accounts_for_parent()
                        .parent_id(parent)
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

async fn read_policies(aws: &Aws, scope: &ReadScope) -> Result<BTreeMap<String, LivePolicy>, CallError> {
    let org = &aws.org;
    let summaries = try_join_all(PolicyType::MANAGED.map(|pt| async move {
        let list = all_pages!(aws, "organizations", "ListPolicies", pt.as_str(), policies, |token| org
            .list_policies()
            .filter(sdk_policy_type(pt))
            .set_next_token(token.clone()));
        Ok::<_, CallError>(list.into_iter().map(move |p| (pt, p)))
    }))
    .await?;
    let policies = try_join_all(summaries.into_iter().flatten().map(|(pt, summary)| async move {
        let id = summary.id().unwrap_or_default().to_string();
        let name = summary.name().unwrap_or_default().to_string();
        let aws_managed = summary.aws_managed();
        let wanted = !aws_managed && scope.policy_names.contains(&name);
        let resource = format!("policy {name} ({id})");
        let (targets, document) = futures::try_join!(
            async {
                Ok(all_pages!(aws, "organizations", "ListTargetsForPolicy", resource, targets, |token| org
                    .list_targets_for_policy()
                    .policy_id(&id)
                    .set_next_token(token.clone())))
            },
            async {
                if !wanted {
                    return Ok(None);
                }
                let out = aws
                    .pacer
                    .call("organizations.DescribePolicy", || org.describe_policy().policy_id(&id).send())
                    .await
                    .map_err(|e| call_error("organizations:DescribePolicy", &resource, &e))?;
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

async fn read_tags(aws: &Aws, scope: &ReadScope, live: &mut LiveState) -> Result<(), CallError> {
    let by_path = live.ous_by_path();
    let mut ids: Vec<String> =
        scope.tagged_ou_paths.iter().filter_map(|p| by_path.get(p).map(|o| o.id.clone())).collect();
    ids.extend(
        live.accounts
            .values()
            .filter(|a| {
                scope.tagged_account_emails.iter().any(|e| e.eq_ignore_ascii_case(&a.email))
                    || scope.tagged_account_names.contains(&a.name)
            })
            .map(|a| a.id.clone()),
    );
    let org = &aws.org;
    let tags = try_join_all(ids.into_iter().map(|id| async move {
        let tags = all_pages!(aws, "organizations", "ListTagsForResource", id, tags, |token| org
            .list_tags_for_resource()
            .resource_id(&id)
            .set_next_token(token.clone()));
        let tags: BTreeMap<String, String> =
            tags.into_iter().map(|t| (t.key().to_string(), t.value().to_string())).collect();
        Ok::<_, CallError>((id, tags))
    }))
    .await?;
    for (id, tags) in tags {
        if let Some(ou) = live.ous.get_mut(&id) {
            ou.tags = Some(tags);
        } else if let Some(account) = live.accounts.get_mut(&id) {
            account.tags = Some(tags);
        }
    }
    Ok(())
}

/// Carries out calls against AWS: Organizations here, Identity Center in its own module.
pub(crate) struct AwsExecutor<'a> {
    aws: &'a Aws,
    accounts: Polling,
    identity_center: Polling,
    stack_sets: Polling,
}

/// A failed call whose AWS error code means the work is already done counts as success.
macro_rules! tolerate {
    ($result:expr, $operation:literal, $resource:expr, [$($code:literal),*]) => {
        match $result {
            Ok(_) => Ok(None),
            Err(e) if matches!(code(&e), $(Some($code))|*) => Ok(None),
            Err(e) => Err(call_error(concat!("organizations:", $operation), &$resource, &e)),
        }
    };
}

impl<'a> AwsExecutor<'a> {
    pub(crate) fn new(aws: &'a Aws, accounts: Polling, identity_center: Polling, stack_sets: Polling) -> Self {
        AwsExecutor { aws, accounts, identity_center, stack_sets }
    }

    async fn create_ou(
        &self,
        parent_id: &str,
        name: &str,
        tags: &BTreeMap<String, String>,
    ) -> Result<Option<String>, CallError> {
        let (aws, org) = (self.aws, &self.aws.org);
        let resource = format!("OU {name} under {parent_id}");
        let existing = all_pages!(
            aws,
            "organizations",
            "ListOrganizationalUnitsForParent",
            resource,
            organizational_units,
            |token| org.list_organizational_units_for_parent().parent_id(parent_id).set_next_token(token.clone())
        );
        if let Some(ou) = existing.iter().find(|o| o.name() == Some(name)) {
            return Ok(ou.id().map(str::to_string));
        }
        let out = aws
            .pacer
            .call("organizations.CreateOrganizationalUnit", || {
                org.create_organizational_unit().parent_id(parent_id).name(name).set_tags(to_sdk_tags(tags)).send()
            })
            .await
            .map_err(|e| call_error("organizations:CreateOrganizationalUnit", &resource, &e))?;
        Ok(out.organizational_unit().and_then(|o| o.id()).map(str::to_string))
    }

    async fn find_policy(&self, name: &str, policy_type: PolicyType) -> Result<Option<String>, CallError> {
        let (aws, org) = (self.aws, &self.aws.org);
        let resource = format!("policy {name}");
        let list = all_pages!(aws, "organizations", "ListPolicies", resource, policies, |token| org
            .list_policies()
            .filter(sdk_policy_type(policy_type))
            .set_next_token(token.clone()));
        Ok(list.iter().find(|p| p.name() == Some(name)).and_then(|p| p.id()).map(str::to_string))
    }

    async fn create_policy(
        &self,
        name: &str,
        policy_type: PolicyType,
        description: &str,
        content: &str,
    ) -> Result<Option<String>, CallError> {
        if let Some(id) = self.find_policy(name, policy_type).await? {
            return Ok(Some(id));
        }
        let (aws, org) = (self.aws, &self.aws.org);
        let out = aws
            .pacer
            .call("organizations.CreatePolicy", || {
                org.create_policy()
                    .name(name)
                    .description(description)
                    .content(content)
                    .r#type(sdk_policy_type(policy_type))
                    .send()
            })
            .await;
        match out {
            Ok(out) => Ok(out.policy().and_then(|p| p.policy_summary()).and_then(|s| s.id()).map(str::to_string)),
            Err(e) if code(&e) == Some("DuplicatePolicyException") => self.find_policy(name, policy_type).await,
            Err(e) => Err(call_error("organizations:CreatePolicy", &format!("policy {name}"), &e)),
        }
    }

    async fn find_account(&self, email: &str) -> Result<Option<String>, CallError> {
        let (aws, org) = (self.aws, &self.aws.org);
        let accounts = all_pages!(aws, "organizations", "ListAccounts", email, accounts, |token| org
            .list_accounts()
            .set_next_token(token.clone()));
        Ok(accounts
            .iter()
            .find(|a| a.email().is_some_and(|e| e.eq_ignore_ascii_case(email)))
            .and_then(|a| a.id())
            .map(str::to_string))
    }

    async fn create_account(
        &self,
        name: &str,
        email: &str,
        tags: &BTreeMap<String, String>,
    ) -> Result<Option<String>, CallError> {
        if let Some(id) = self.find_account(email).await? {
            return Ok(Some(id));
        }
        let (aws, org) = (self.aws, &self.aws.org);
        let resource = format!("account {name} <{email}>");
        let out = aws
            .pacer
            .call("organizations.CreateAccount", || {
                org.create_account().account_name(name).email(email).set_tags(to_sdk_tags(tags)).send()
            })
            .await
            .map_err(|e| call_error("organizations:CreateAccount", &resource, &e))?;
        let request_id = out.create_account_status().and_then(|s| s.id()).unwrap_or_default().to_string();
        let started = Instant::now();
        loop {
            let status = aws
                .pacer
                .call("organizations.DescribeCreateAccountStatus", || {
                    org.describe_create_account_status().create_account_request_id(&request_id).send()
                })
                .await
                .map_err(|e| call_error("organizations:DescribeCreateAccountStatus", &resource, &e))?;
            let status =
                status.create_account_status().cloned().unwrap_or_else(|| t::CreateAccountStatus::builder().build());
            match status.state() {
                Some(t::CreateAccountState::Succeeded) => return Ok(status.account_id().map(str::to_string)),
                Some(t::CreateAccountState::Failed) => {
                    return Err(CallError {
                        operation: "organizations:CreateAccount".into(),
                        resource,
                        message: format!(
                            "account creation failed: {}",
                            status.failure_reason().map_or("no reason given", |r| r.as_str())
                        ),
                    });
                }
                _ => {}
            }
            if started.elapsed() >= self.accounts.timeout {
                return Err(CallError {
                    operation: "organizations:CreateAccount".into(),
                    resource,
                    message: format!(
                        "still in progress after {}s (request {request_id}); run apply again later to continue",
                        self.accounts.timeout.as_secs()
                    ),
                });
            }
            eprintln!(
                "  … waiting for {resource}: {} after {}s",
                status.state().map_or("IN_PROGRESS", |s| s.as_str()),
                started.elapsed().as_secs()
            );
            tokio::time::sleep(self.accounts.interval).await;
        }
    }

    async fn move_account(&self, account_id: &str, from_id: &str, to_id: &str) -> Result<Option<String>, CallError> {
        let (aws, org) = (self.aws, &self.aws.org);
        let resource = format!("account {account_id}");
        let parents = all_pages!(aws, "organizations", "ListParents", resource, parents, |token| org
            .list_parents()
            .child_id(account_id)
            .set_next_token(token.clone()));
        let current = parents.first().and_then(|p| p.id()).unwrap_or(from_id).to_string();
        if current == to_id {
            return Ok(None);
        }
        let result = aws
            .pacer
            .call("organizations.MoveAccount", || {
                org.move_account().account_id(account_id).source_parent_id(&current).destination_parent_id(to_id).send()
            })
            .await;
        tolerate!(result, "MoveAccount", resource, ["DuplicateAccountException"])
    }
}

impl Executor for AwsExecutor<'_> {
    async fn call(&self, call: &Call) -> Result<Option<String>, CallError> {
        let (aws, org) = (self.aws, &self.aws.org);
        let pacer = &aws.pacer;
        match call {
            Call::EnablePolicyType { root_id, policy_type } => {
                let r = pacer
                    .call("organizations.EnablePolicyType", || {
                        org.enable_policy_type().root_id(root_id).policy_type(sdk_policy_type(*policy_type)).send()
                    })
                    .await;
                tolerate!(
                    r,
                    "EnablePolicyType",
                    format!("{policy_type} on {root_id}"),
                    ["PolicyTypeAlreadyEnabledException"]
                )
            }
            Call::DisablePolicyType { root_id, policy_type } => {
                let r = pacer
                    .call("organizations.DisablePolicyType", || {
                        org.disable_policy_type().root_id(root_id).policy_type(sdk_policy_type(*policy_type)).send()
                    })
                    .await;
                tolerate!(
                    r,
                    "DisablePolicyType",
                    format!("{policy_type} on {root_id}"),
                    ["PolicyTypeNotEnabledException"]
                )
            }
            Call::CreateOu { parent_id, name, tags } => self.create_ou(parent_id, name, tags).await,
            Call::DeleteOu { id } => {
                let r = pacer
                    .call("organizations.DeleteOrganizationalUnit", || {
                        org.delete_organizational_unit().organizational_unit_id(id).send()
                    })
                    .await;
                tolerate!(r, "DeleteOrganizationalUnit", format!("OU {id}"), ["OrganizationalUnitNotFoundException"])
            }
            Call::CreatePolicy { name, policy_type, description, content } => {
                self.create_policy(name, *policy_type, description, content).await
            }
            Call::UpdatePolicy { id, description, content } => {
                let r = pacer
                    .call("organizations.UpdatePolicy", || {
                        org.update_policy()
                            .policy_id(id)
                            .set_description(description.clone())
                            .set_content(content.clone())
                            .send()
                    })
                    .await;
                r.map(|_| None).map_err(|e| call_error("organizations:UpdatePolicy", &format!("policy {id}"), &e))
            }
            Call::DeletePolicy { id } => {
                let r = pacer.call("organizations.DeletePolicy", || org.delete_policy().policy_id(id).send()).await;
                tolerate!(r, "DeletePolicy", format!("policy {id}"), ["PolicyNotFoundException"])
            }
            Call::CreateAccount { name, email, tags } => self.create_account(name, email, tags).await,
            Call::MoveAccount { account_id, from_id, to_id } => self.move_account(account_id, from_id, to_id).await,
            Call::AttachPolicy { policy_id, target_id } => {
                let r = pacer
                    .call("organizations.AttachPolicy", || {
                        org.attach_policy().policy_id(policy_id).target_id(target_id).send()
                    })
                    .await;
                tolerate!(
                    r,
                    "AttachPolicy",
                    format!("policy {policy_id} on {target_id}"),
                    ["DuplicatePolicyAttachmentException"]
                )
            }
            Call::DetachPolicy { policy_id, target_id } => {
                let r = pacer
                    .call("organizations.DetachPolicy", || {
                        org.detach_policy().policy_id(policy_id).target_id(target_id).send()
                    })
                    .await;
                tolerate!(
                    r,
                    "DetachPolicy",
                    format!("policy {policy_id} on {target_id}"),
                    ["PolicyNotAttachedException"]
                )
            }
            Call::TagResource { resource_id, tags } => {
                let r = pacer
                    .call("organizations.TagResource", || {
                        org.tag_resource().resource_id(resource_id).set_tags(to_sdk_tags(tags)).send()
                    })
                    .await;
                r.map(|_| None).map_err(|e| call_error("organizations:TagResource", resource_id, &e))
            }
            Call::UntagResource { resource_id, keys } => {
                let keys: Vec<String> = keys.iter().cloned().collect();
                let r = pacer
                    .call("organizations.UntagResource", || {
                        org.untag_resource().resource_id(resource_id).set_tag_keys(Some(keys.clone())).send()
                    })
                    .await;
                r.map(|_| None).map_err(|e| call_error("organizations:UntagResource", resource_id, &e))
            }
            Call::EnableServiceAccess { service } => {
                let r = pacer
                    .call("organizations.EnableAWSServiceAccess", || {
                        org.enable_aws_service_access().service_principal(service).send()
                    })
                    .await;
                r.map(|_| None).map_err(|e| call_error("organizations:EnableAWSServiceAccess", service, &e))
            }
            Call::DisableServiceAccess { service } => {
                let r = pacer
                    .call("organizations.DisableAWSServiceAccess", || {
                        org.disable_aws_service_access().service_principal(service).send()
                    })
                    .await;
                r.map(|_| None).map_err(|e| call_error("organizations:DisableAWSServiceAccess", service, &e))
            }
            Call::RegisterDelegatedAdministrator { service, account_id } => {
                let r = pacer
                    .call("organizations.RegisterDelegatedAdministrator", || {
                        org.register_delegated_administrator().account_id(account_id).service_principal(service).send()
                    })
                    .await;
                tolerate!(
                    r,
                    "RegisterDelegatedAdministrator",
                    format!("{account_id} for {service}"),
                    ["AccountAlreadyRegisteredException"]
                )
            }
            Call::DeregisterDelegatedAdministrator { service, account_id } => {
                let r = pacer
                    .call("organizations.DeregisterDelegatedAdministrator", || {
                        org.deregister_delegated_administrator()
                            .account_id(account_id)
                            .service_principal(service)
                            .send()
                    })
                    .await;
                tolerate!(
                    r,
                    "DeregisterDelegatedAdministrator",
                    format!("{account_id} for {service}"),
                    ["AccountNotRegisteredException"]
                )
            }
            Call::CreateStackSet { .. }
            | Call::UpdateStackSet { .. }
            | Call::DeleteStackSet { .. }
            | Call::CreateStackInstances { .. }
            | Call::DeleteStackInstances { .. } => super::cloudformation::execute(aws, call, self.stack_sets).await,
            Call::CreatePermissionSet { .. }
            | Call::UpdatePermissionSet { .. }
            | Call::DeletePermissionSet { .. }
            | Call::CreateAssignment { .. }
            | Call::DeleteAssignment { .. } => super::identity_center::execute(aws, call, self.identity_center).await,
        }
    }
}
