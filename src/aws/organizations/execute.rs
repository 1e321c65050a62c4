//! Carrying out Organizations calls idempotently: a create looks first, and an error that means
//! the work is already done counts as success.

use super::{sdk_policy_type, to_sdk_tags};
use crate::apply::{CallError, OrganizationsCall};
use crate::aws::Aws;
use crate::aws::api::organizations;
use crate::aws::create::{Outcome, create_once};
use crate::aws::errors::{self, call_error, code};
use crate::aws::poll::{Status, Wait, poll};
use crate::model::PolicyType;
use aws_sdk_organizations::types as t;
use std::collections::BTreeMap;

/// A failed call whose AWS error code means the work is already done counts as success.
macro_rules! tolerate {
    ($result:expr, $api:expr, $resource:expr, [$($code:literal),*]) => {
        match $result {
            Ok(_) => Ok(None),
            Err(e) if matches!(code(&e), $(Some($code))|*) => Ok(None),
            Err(e) => Err(call_error($api, &$resource, &e)),
        }
    };
}

/// Carries out one Organizations call; returns the id of what a create made.
pub(in crate::aws) async fn execute(
    aws: &Aws,
    call: &OrganizationsCall,
    wait: Wait<'_>,
) -> Result<Option<String>, CallError> {
    Organizations { aws, wait }.call(call).await
}

/// What a finished CreateAccount made: the account, or nothing as the email is taken.
enum Made {
    Account(Option<String>),
    EmailTaken,
}

/// What an earlier CreateAccount made.
enum Earlier {
    Account(String),
    Request(String),
}

struct Organizations<'a> {
    aws: &'a Aws,
    wait: Wait<'a>,
}

impl Organizations<'_> {
    async fn create_ou(
        &self,
        parent_id: &str,
        name: &str,
        tags: &BTreeMap<String, String>,
    ) -> Result<Option<String>, CallError> {
        let (aws, org) = (self.aws, &self.aws.org);
        let resource = format!("OU {name} under {parent_id}");
        let existing = all_pages!(aws, organizations::LIST_OUS_FOR_PARENT, resource, organizational_units, |token| org
            .list_organizational_units_for_parent()
            .parent_id(parent_id)
            .max_results(organizations::PAGE)
            .set_next_token(token.clone()));
        if let Some(ou) = existing.iter().find(|o| o.name() == Some(name)) {
            return Ok(ou.id().map(str::to_string));
        }
        let look = || async {
            let existing =
                all_pages!(aws, organizations::LIST_OUS_FOR_PARENT, resource, organizational_units, |token| org
                    .list_organizational_units_for_parent()
                    .parent_id(parent_id)
                    .max_results(organizations::PAGE)
                    .set_next_token(token.clone()));
            Ok(existing.iter().find(|o| o.name() == Some(name)).and_then(|o| o.id()).map(str::to_string))
        };
        let create =
            || org.create_organizational_unit().parent_id(parent_id).name(name).set_tags(to_sdk_tags(tags)).send();
        match create_once(aws, organizations::CREATE_OU, create, look).await? {
            Ok(Outcome::Created(out)) => Ok(out.organizational_unit().and_then(|o| o.id()).map(str::to_string)),
            Ok(Outcome::Found(id)) => Ok(Some(id)),
            Err(e) => Err(call_error(organizations::CREATE_OU, &resource, &e)),
        }
    }

    async fn find_policy(&self, name: &str, policy_type: PolicyType) -> Result<Option<String>, CallError> {
        let (aws, org) = (self.aws, &self.aws.org);
        let resource = format!("policy {name}");
        let list = all_pages!(aws, organizations::LIST_POLICIES, resource, policies, |token| org
            .list_policies()
            .filter(sdk_policy_type(policy_type))
            .max_results(organizations::PAGE)
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
        let create = || {
            org.create_policy()
                .name(name)
                .description(description)
                .content(content)
                .r#type(sdk_policy_type(policy_type))
                .send()
        };
        let look = || self.find_policy(name, policy_type);
        match create_once(aws, organizations::CREATE_POLICY, create, look).await? {
            Ok(Outcome::Created(out)) => {
                Ok(out.policy().and_then(|p| p.policy_summary()).and_then(|s| s.id()).map(str::to_string))
            }
            Ok(Outcome::Found(id)) => Ok(Some(id)),
            Err(e) if code(&e) == Some("DuplicatePolicyException") => self.find_policy(name, policy_type).await,
            Err(e) => Err(call_error(organizations::CREATE_POLICY, &format!("policy {name}"), &e)),
        }
    }

    /// The id of the organization's account with this email, if there is one.
    async fn find_account(&self, email: &str) -> Result<Option<String>, CallError> {
        let (aws, org) = (self.aws, &self.aws.org);
        let accounts = all_pages!(aws, organizations::LIST_ACCOUNTS, email, accounts, |token| org
            .list_accounts()
            .max_results(organizations::PAGE)
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
        // No listing first: the plan's read, moments ago, found no account with this email (and
        // at 1,000 accounts a listing is 50 calls). One made meanwhile fails the creation with
        // EMAIL_ALREADY_EXISTS, and is then looked for.
        let (aws, org) = (self.aws, &self.aws.org);
        let resource = format!("account {name} <{email}>");
        let create = || org.create_account().account_name(name).email(email).set_tags(to_sdk_tags(tags)).send();
        let request_id = match create_once(aws, organizations::CREATE_ACCOUNT, create, || {
            self.earlier_account(name, email)
        })
        .await?
        {
            Ok(Outcome::Created(out)) => {
                out.create_account_status().and_then(|s| s.id()).unwrap_or_default().to_string()
            }
            Ok(Outcome::Found(Earlier::Account(id))) => return Ok(Some(id)),
            Ok(Outcome::Found(Earlier::Request(id))) => id,
            Err(e) => return Err(call_error(organizations::CREATE_ACCOUNT, &resource, &e)),
        };
        let detail = format!(" (request {request_id})");
        let made = poll(self.wait, organizations::CREATE_ACCOUNT, &resource, &detail, None, || async {
            let status = aws
                .pacer
                .call(organizations::DESCRIBE_CREATE_ACCOUNT_STATUS, || {
                    org.describe_create_account_status().create_account_request_id(&request_id).send()
                })
                .await
                .map_err(|e| call_error(organizations::DESCRIBE_CREATE_ACCOUNT_STATUS, &resource, &e))?;
            let status =
                status.create_account_status().cloned().unwrap_or_else(|| t::CreateAccountStatus::builder().build());
            Ok(match status.state() {
                Some(t::CreateAccountState::Succeeded) => {
                    Status::Done(Made::Account(status.account_id().map(str::to_string)))
                }
                Some(t::CreateAccountState::Failed)
                    if status.failure_reason() == Some(&t::CreateAccountFailureReason::EmailAlreadyExists) =>
                {
                    Status::Done(Made::EmailTaken)
                }
                Some(t::CreateAccountState::Failed) => Status::Failed(format!(
                    "account creation failed: {}",
                    status.failure_reason().map_or("no reason given", |r| r.as_str())
                )),
                other => Status::Running(other.map_or("IN_PROGRESS", |s| s.as_str()).to_string()),
            })
        })
        .await?;
        match made {
            Made::Account(id) => Ok(id),
            Made::EmailTaken => match self.find_account(email).await? {
                Some(id) => Ok(Some(id)),
                None => Err(errors::failed(
                    organizations::CREATE_ACCOUNT,
                    &resource,
                    "account creation failed: EMAIL_ALREADY_EXISTS".into(),
                )),
            },
        }
    }

    /// What an earlier CreateAccount whose answer was lost made: the account, or a request still
    /// in progress (found by the account's name; CreateAccount does not repeat the email there).
    async fn earlier_account(&self, name: &str, email: &str) -> Result<Option<Earlier>, CallError> {
        if let Some(id) = self.find_account(email).await? {
            return Ok(Some(Earlier::Account(id)));
        }
        let (aws, org) = (self.aws, &self.aws.org);
        let requests =
            all_pages!(aws, organizations::LIST_CREATE_ACCOUNT_STATUS, email, create_account_statuses, |token| org
                .list_create_account_status()
                .states(t::CreateAccountState::InProgress)
                .max_results(organizations::PAGE)
                .set_next_token(token.clone()));
        Ok(requests
            .iter()
            .find(|r| r.account_name() == Some(name))
            .and_then(|r| r.id())
            .map(|id| Earlier::Request(id.to_string())))
    }

    async fn move_account(&self, account_id: &str, from_id: &str, to_id: &str) -> Result<Option<String>, CallError> {
        let (aws, org) = (self.aws, &self.aws.org);
        let resource = format!("account {account_id}");
        let parents = all_pages!(aws, organizations::LIST_PARENTS, resource, parents, |token| org
            .list_parents()
            .child_id(account_id)
            .max_results(organizations::PAGE)
            .set_next_token(token.clone()));
        let current = parents.first().and_then(|p| p.id()).unwrap_or(from_id).to_string();
        if current == to_id {
            return Ok(None);
        }
        let result = aws
            .pacer
            .call(organizations::MOVE_ACCOUNT, || {
                org.move_account().account_id(account_id).source_parent_id(&current).destination_parent_id(to_id).send()
            })
            .await;
        tolerate!(result, organizations::MOVE_ACCOUNT, resource, ["DuplicateAccountException"])
    }

    async fn call(&self, call: &OrganizationsCall) -> Result<Option<String>, CallError> {
        let (aws, org) = (self.aws, &self.aws.org);
        let pacer = &aws.pacer;
        match call {
            OrganizationsCall::EnablePolicyType { root_id, policy_type } => {
                let r = pacer
                    .call(organizations::ENABLE_POLICY_TYPE, || {
                        org.enable_policy_type().root_id(root_id).policy_type(sdk_policy_type(*policy_type)).send()
                    })
                    .await;
                tolerate!(
                    r,
                    organizations::ENABLE_POLICY_TYPE,
                    format!("{policy_type} on {root_id}"),
                    ["PolicyTypeAlreadyEnabledException"]
                )
            }
            OrganizationsCall::DisablePolicyType { root_id, policy_type } => {
                let r = pacer
                    .call(organizations::DISABLE_POLICY_TYPE, || {
                        org.disable_policy_type().root_id(root_id).policy_type(sdk_policy_type(*policy_type)).send()
                    })
                    .await;
                tolerate!(
                    r,
                    organizations::DISABLE_POLICY_TYPE,
                    format!("{policy_type} on {root_id}"),
                    ["PolicyTypeNotEnabledException"]
                )
            }
            OrganizationsCall::CreateOu { parent_id, name, tags } => self.create_ou(parent_id, name, tags).await,
            OrganizationsCall::DeleteOu { id } => {
                let r = pacer
                    .call(organizations::DELETE_OU, || {
                        org.delete_organizational_unit().organizational_unit_id(id).send()
                    })
                    .await;
                tolerate!(r, organizations::DELETE_OU, format!("OU {id}"), ["OrganizationalUnitNotFoundException"])
            }
            OrganizationsCall::InviteAccount { account_id } => super::handshakes::invite(aws, account_id).await,
            OrganizationsCall::CloseAccount { account_id } => {
                super::close::close_account(aws, self.wait, account_id).await
            }
            OrganizationsCall::RenameOu { id, name } => {
                // Setting a name it already has again is harmless: retried, it changes nothing.
                pacer
                    .call(organizations::UPDATE_OU, || {
                        org.update_organizational_unit().organizational_unit_id(id).name(name).send()
                    })
                    .await
                    .map_err(|e| call_error(organizations::UPDATE_OU, &format!("OU {id} (to {name})"), &e))?;
                Ok(None)
            }
            OrganizationsCall::CreatePolicy { name, policy_type, description, content } => {
                self.create_policy(name, *policy_type, description, content).await
            }
            OrganizationsCall::UpdatePolicy { id, description, content } => {
                let r = pacer
                    .call(organizations::UPDATE_POLICY, || {
                        org.update_policy()
                            .policy_id(id)
                            .set_description(description.clone())
                            .set_content(content.clone())
                            .send()
                    })
                    .await;
                r.map(|_| None).map_err(|e| call_error(organizations::UPDATE_POLICY, &format!("policy {id}"), &e))
            }
            OrganizationsCall::DeletePolicy { id } => {
                let r = pacer.call(organizations::DELETE_POLICY, || org.delete_policy().policy_id(id).send()).await;
                tolerate!(r, organizations::DELETE_POLICY, format!("policy {id}"), ["PolicyNotFoundException"])
            }
            OrganizationsCall::CreateAccount { name, email, tags } => self.create_account(name, email, tags).await,
            OrganizationsCall::MoveAccount { account_id, from_id, to_id } => {
                self.move_account(account_id, from_id, to_id).await
            }
            OrganizationsCall::AttachPolicy { policy_id, target_id } => {
                let r = pacer
                    .call(organizations::ATTACH_POLICY, || {
                        org.attach_policy().policy_id(policy_id).target_id(target_id).send()
                    })
                    .await;
                tolerate!(
                    r,
                    organizations::ATTACH_POLICY,
                    format!("policy {policy_id} on {target_id}"),
                    ["DuplicatePolicyAttachmentException"]
                )
            }
            OrganizationsCall::DetachPolicy { policy_id, target_id } => {
                let r = pacer
                    .call(organizations::DETACH_POLICY, || {
                        org.detach_policy().policy_id(policy_id).target_id(target_id).send()
                    })
                    .await;
                tolerate!(
                    r,
                    organizations::DETACH_POLICY,
                    format!("policy {policy_id} on {target_id}"),
                    ["PolicyNotAttachedException"]
                )
            }
            OrganizationsCall::TagResource { resource_id, tags } => {
                let r = pacer
                    .call(organizations::TAG_RESOURCE, || {
                        org.tag_resource().resource_id(resource_id).set_tags(to_sdk_tags(tags)).send()
                    })
                    .await;
                r.map(|_| None).map_err(|e| call_error(organizations::TAG_RESOURCE, resource_id, &e))
            }
            OrganizationsCall::UntagResource { resource_id, keys } => {
                let keys: Vec<String> = keys.iter().cloned().collect();
                let r = pacer
                    .call(organizations::UNTAG_RESOURCE, || {
                        org.untag_resource().resource_id(resource_id).set_tag_keys(Some(keys.clone())).send()
                    })
                    .await;
                r.map(|_| None).map_err(|e| call_error(organizations::UNTAG_RESOURCE, resource_id, &e))
            }
            OrganizationsCall::EnableServiceAccess { service } => {
                let r = pacer
                    .call(organizations::ENABLE_SERVICE_ACCESS, || {
                        org.enable_aws_service_access().service_principal(service).send()
                    })
                    .await;
                r.map(|_| None).map_err(|e| call_error(organizations::ENABLE_SERVICE_ACCESS, service, &e))
            }
            OrganizationsCall::DisableServiceAccess { service } => {
                let r = pacer
                    .call(organizations::DISABLE_SERVICE_ACCESS, || {
                        org.disable_aws_service_access().service_principal(service).send()
                    })
                    .await;
                r.map(|_| None).map_err(|e| call_error(organizations::DISABLE_SERVICE_ACCESS, service, &e))
            }
            OrganizationsCall::RegisterDelegatedAdministrator { service, account_id } => {
                let r = pacer
                    .call(organizations::REGISTER_DELEGATED_ADMINISTRATOR, || {
                        org.register_delegated_administrator().account_id(account_id).service_principal(service).send()
                    })
                    .await;
                tolerate!(
                    r,
                    organizations::REGISTER_DELEGATED_ADMINISTRATOR,
                    format!("{account_id} for {service}"),
                    ["AccountAlreadyRegisteredException"]
                )
            }
            OrganizationsCall::DeregisterDelegatedAdministrator { service, account_id } => {
                let r = pacer
                    .call(organizations::DEREGISTER_DELEGATED_ADMINISTRATOR, || {
                        org.deregister_delegated_administrator()
                            .account_id(account_id)
                            .service_principal(service)
                            .send()
                    })
                    .await;
                tolerate!(
                    r,
                    organizations::DEREGISTER_DELEGATED_ADMINISTRATOR,
                    format!("{account_id} for {service}"),
                    ["AccountNotRegisteredException"]
                )
            }
        }
    }
}
