//! Carrying out permission-set and assignment calls, each polled to its end and idempotent.

use super::sdk_kind;
use crate::apply::{CallError, IdentityCenterCall};
use crate::aws::Aws;
use crate::aws::api::{Api, sso_admin};
use crate::aws::create::{Outcome, create_once};
use crate::aws::errors::{call_error, code};
use crate::aws::poll::{Status, Wait, poll};
use crate::model::{Boundary, PolicyReference, PrincipalId};
use crate::plan::{PermissionSetChange, PermissionSetSpec};
use aws_sdk_ssoadmin::config::http::HttpResponse;
use aws_sdk_ssoadmin::error::ProvideErrorMetadata;
use aws_sdk_ssoadmin::types as t;
use std::collections::BTreeMap;

/// Where an Identity Center operation stands, from its status and failure reason.
fn status_of(status: Option<&t::StatusValues>, reason: Option<&str>) -> Status<()> {
    match status {
        Some(t::StatusValues::Succeeded) => Status::Done(()),
        Some(t::StatusValues::Failed) => Status::Failed(format!("failed: {}", reason.unwrap_or("no reason given"))),
        other => Status::Running(other.map_or("IN_PROGRESS", |s| s.as_str()).to_string()),
    }
}

fn sdk_reference(r: &PolicyReference) -> t::CustomerManagedPolicyReference {
    t::CustomerManagedPolicyReference::builder().name(&r.name).path(&r.path).build().expect("name is set")
}

fn sdk_boundary(b: &Boundary) -> t::PermissionsBoundary {
    match b {
        Boundary::ManagedPolicyArn(arn) => t::PermissionsBoundary::builder().managed_policy_arn(arn).build(),
        Boundary::CustomerManaged(r) => {
            t::PermissionsBoundary::builder().customer_managed_policy_reference(sdk_reference(r)).build()
        }
    }
}

fn sdk_tags(tags: &BTreeMap<String, String>) -> Option<Vec<t::Tag>> {
    (!tags.is_empty()).then(|| {
        tags.iter().map(|(k, v)| t::Tag::builder().key(k).value(v).build().expect("key and value are set")).collect()
    })
}

/// A name that exists already answers ConflictException on create: find it and carry on.
async fn find_by_name(aws: &Aws, instance: &str, name: &str) -> Result<Option<String>, CallError> {
    let arns = all_pages!(aws, sso_admin::LIST_PERMISSION_SETS, instance, permission_sets, |token| aws
        .sso
        .list_permission_sets()
        .instance_arn(instance)
        .max_results(sso_admin::PAGE)
        .set_next_token(token.clone()));
    for arn in arns {
        let out = aws
            .pacer
            .call(sso_admin::DESCRIBE_PERMISSION_SET, || {
                aws.sso.describe_permission_set().instance_arn(instance).permission_set_arn(&arn).send()
            })
            .await
            .map_err(|e| call_error(sso_admin::DESCRIBE_PERMISSION_SET, &arn, &e))?;
        if out.permission_set().and_then(|p| p.name()) == Some(name) {
            return Ok(Some(arn));
        }
    }
    Ok(None)
}

async fn create_permission_set(aws: &Aws, instance: &str, spec: &PermissionSetSpec) -> Result<String, CallError> {
    let resource = format!("permission set {}", spec.name);
    let create = || {
        aws.sso
            .create_permission_set()
            .instance_arn(instance)
            .name(&spec.name)
            .set_description(spec.description.clone())
            // Always sent: the emulator answers a default it cannot parse back.
            .session_duration(&spec.session_duration)
            .set_relay_state(spec.relay_state.clone())
            .set_tags(sdk_tags(&spec.tags))
            .send()
    };
    let look = || find_by_name(aws, instance, &spec.name);
    let arn = match create_once(aws, sso_admin::CREATE_PERMISSION_SET, create, look).await? {
        Ok(Outcome::Created(out)) => {
            out.permission_set().and_then(|p| p.permission_set_arn()).unwrap_or_default().to_string()
        }
        Ok(Outcome::Found(arn)) => arn,
        Err(e) if code(&e) == Some("ConflictException") => match find_by_name(aws, instance, &spec.name).await? {
            Some(arn) => arn,
            None => return Err(call_error(sso_admin::CREATE_PERMISSION_SET, &resource, &e)),
        },
        Err(e) => return Err(call_error(sso_admin::CREATE_PERMISSION_SET, &resource, &e)),
    };
    let change = PermissionSetChange {
        attach_managed: spec.managed_policies.clone(),
        attach_customer_managed: spec.customer_managed_policies.clone(),
        inline_policy: spec.inline_policy.clone().map(Some),
        permissions_boundary: spec.permissions_boundary.clone().map(Some),
        ..Default::default()
    };
    change_permission_set(aws, instance, &arn, &resource, &change).await?;
    Ok(arn)
}

/// Attaches a policy to a permission set once: after an ambiguous failure, or a
/// ConflictException (which also answers "already attached"), `look` says whether it is
/// attached; a conflict that is not that (another change in flight) is retried as usual.
async fn attach<T, E, F, Fut, L, LFut>(
    aws: &Aws,
    api: Api,
    resource: &str,
    mut send: F,
    mut look: L,
) -> Result<(), CallError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, aws_sdk_ssoadmin::error::SdkError<E, HttpResponse>>>,
    E: ProvideErrorMetadata + std::error::Error + 'static,
    L: FnMut() -> LFut,
    LFut: std::future::Future<Output = Result<Option<()>, CallError>>,
{
    match create_once(aws, api, &mut send, &mut look).await? {
        Ok(_) => Ok(()),
        Err(e) if code(&e) == Some("ConflictException") => {
            if look().await?.is_some() {
                return Ok(());
            }
            aws.pacer.call(api, &mut send).await.map(|_| ()).map_err(|e| call_error(api, resource, &e))
        }
        Err(e) => Err(call_error(api, resource, &e)),
    }
}

async fn managed_policies(aws: &Aws, instance: &str, arn: &str) -> Result<Vec<String>, CallError> {
    let listed = all_pages!(aws, sso_admin::LIST_MANAGED_POLICIES, arn, attached_managed_policies, |token| aws
        .sso
        .list_managed_policies_in_permission_set()
        .instance_arn(instance)
        .permission_set_arn(arn)
        .max_results(sso_admin::PAGE)
        .set_next_token(token.clone()));
    Ok(listed.iter().filter_map(|p| p.arn().map(str::to_string)).collect())
}

async fn customer_managed_references(
    aws: &Aws,
    instance: &str,
    arn: &str,
) -> Result<Vec<t::CustomerManagedPolicyReference>, CallError> {
    Ok(all_pages!(aws, sso_admin::LIST_CUSTOMER_MANAGED_REFERENCES, arn, customer_managed_policy_references, |token| {
        aws.sso
            .list_customer_managed_policy_references_in_permission_set()
            .instance_arn(instance)
            .permission_set_arn(arn)
            .max_results(sso_admin::PAGE)
            .set_next_token(token.clone())
    }))
}

/// Applies the parts of a change, each idempotent: attaching what is attached, or removing
/// what is gone, counts as done.
async fn change_permission_set(
    aws: &Aws,
    instance: &str,
    arn: &str,
    resource: &str,
    change: &PermissionSetChange,
) -> Result<(), CallError> {
    let sso = &aws.sso;
    let p = &aws.pacer;
    macro_rules! step {
        ($api:expr, $request:expr, [$($ok:literal),*]) => {
            match p.call($api, || $request.send()).await {
                Ok(_) => {}
                Err(e) if code(&e).is_some_and(|c| { let done: &[&str] = &[$($ok),*]; done.contains(&c) }) => {}
                Err(e) => return Err(call_error($api, resource, &e)),
            }
        };
    }
    if let Some((description, session, relay)) = &change.attributes {
        step!(
            sso_admin::UPDATE_PERMISSION_SET,
            sso.update_permission_set()
                .instance_arn(instance)
                .permission_set_arn(arn)
                .set_description(description.clone())
                .session_duration(session)
                .set_relay_state(relay.clone()),
            []
        );
    }
    for policy in &change.attach_managed {
        let send = || {
            sso.attach_managed_policy_to_permission_set()
                .instance_arn(instance)
                .permission_set_arn(arn)
                .managed_policy_arn(policy)
                .send()
        };
        let look = || async {
            let attached = managed_policies(aws, instance, arn).await?;
            Ok(attached.iter().any(|a| a == policy).then_some(()))
        };
        attach(aws, sso_admin::ATTACH_MANAGED_POLICY, resource, send, look).await?;
    }
    for policy in &change.detach_managed {
        step!(
            sso_admin::DETACH_MANAGED_POLICY,
            sso.detach_managed_policy_from_permission_set()
                .instance_arn(instance)
                .permission_set_arn(arn)
                .managed_policy_arn(policy),
            ["ResourceNotFoundException"]
        );
    }
    for r in &change.attach_customer_managed {
        let send = || {
            sso.attach_customer_managed_policy_reference_to_permission_set()
                .instance_arn(instance)
                .permission_set_arn(arn)
                .customer_managed_policy_reference(sdk_reference(r))
                .send()
        };
        let look = || async {
            let attached = customer_managed_references(aws, instance, arn).await?;
            Ok(attached.iter().any(|a| a.name() == r.name && a.path().unwrap_or("/") == r.path).then_some(()))
        };
        attach(aws, sso_admin::ATTACH_CUSTOMER_MANAGED_REFERENCE, resource, send, look).await?;
    }
    for r in &change.detach_customer_managed {
        step!(
            sso_admin::DETACH_CUSTOMER_MANAGED_REFERENCE,
            sso.detach_customer_managed_policy_reference_from_permission_set()
                .instance_arn(instance)
                .permission_set_arn(arn)
                .customer_managed_policy_reference(sdk_reference(r)),
            ["ResourceNotFoundException"]
        );
    }
    match &change.inline_policy {
        Some(Some(document)) => step!(
            sso_admin::PUT_INLINE_POLICY,
            sso.put_inline_policy_to_permission_set()
                .instance_arn(instance)
                .permission_set_arn(arn)
                .inline_policy(document),
            []
        ),
        Some(None) => step!(
            sso_admin::DELETE_INLINE_POLICY,
            sso.delete_inline_policy_from_permission_set().instance_arn(instance).permission_set_arn(arn),
            ["ResourceNotFoundException"]
        ),
        None => {}
    }
    match &change.permissions_boundary {
        Some(Some(boundary)) => step!(
            sso_admin::PUT_PERMISSIONS_BOUNDARY,
            sso.put_permissions_boundary_to_permission_set()
                .instance_arn(instance)
                .permission_set_arn(arn)
                .permissions_boundary(sdk_boundary(boundary)),
            []
        ),
        Some(None) => step!(
            sso_admin::DELETE_PERMISSIONS_BOUNDARY,
            sso.delete_permissions_boundary_from_permission_set().instance_arn(instance).permission_set_arn(arn),
            ["ResourceNotFoundException"]
        ),
        None => {}
    }
    if !change.set_tags.is_empty() {
        step!(
            sso_admin::TAG_RESOURCE,
            sso.tag_resource().instance_arn(instance).resource_arn(arn).set_tags(sdk_tags(&change.set_tags)),
            []
        );
    }
    if !change.remove_tags.is_empty() {
        step!(
            sso_admin::UNTAG_RESOURCE,
            sso.untag_resource()
                .instance_arn(instance)
                .resource_arn(arn)
                .set_tag_keys(Some(change.remove_tags.iter().cloned().collect())),
            []
        );
    }
    Ok(())
}

async fn provision(aws: &Aws, instance: &str, arn: &str, resource: &str, wait: Wait<'_>) -> Result<(), CallError> {
    let out = aws
        .pacer
        .call(sso_admin::PROVISION_PERMISSION_SET, || {
            aws.sso
                .provision_permission_set()
                .instance_arn(instance)
                .permission_set_arn(arn)
                .target_type(t::ProvisionTargetType::AllProvisionedAccounts)
                .send()
        })
        .await
        .map_err(|e| call_error(sso_admin::PROVISION_PERMISSION_SET, resource, &e))?;
    let status = out
        .permission_set_provisioning_status()
        .cloned()
        .unwrap_or_else(|| t::PermissionSetProvisioningStatus::builder().build());
    let request = status.request_id().unwrap_or_default().to_string();
    let first = status_of(status.status(), status.failure_reason());
    poll(wait, sso_admin::PROVISION_PERMISSION_SET, resource, "", Some(first), || async {
        let out = aws
            .pacer
            .call(sso_admin::DESCRIBE_PROVISIONING_STATUS, || {
                aws.sso
                    .describe_permission_set_provisioning_status()
                    .instance_arn(instance)
                    .provision_permission_set_request_id(&request)
                    .send()
            })
            .await
            .map_err(|e| call_error(sso_admin::DESCRIBE_PROVISIONING_STATUS, resource, &e))?;
        let s = out.permission_set_provisioning_status();
        Ok(status_of(s.and_then(|s| s.status()), s.and_then(|s| s.failure_reason())))
    })
    .await
}

async fn assignment_exists(
    aws: &Aws,
    instance: &str,
    ps_arn: &str,
    principal: &PrincipalId,
    account: &str,
    resource: &str,
) -> Result<bool, CallError> {
    let found = all_pages!(aws, sso_admin::LIST_ACCOUNT_ASSIGNMENTS, resource, account_assignments, |token| aws
        .sso
        .list_account_assignments()
        .instance_arn(instance)
        .account_id(account)
        .permission_set_arn(ps_arn)
        .max_results(sso_admin::PAGE)
        .set_next_token(token.clone()));
    Ok(found.iter().any(|a| a.principal_id() == Some(principal.id.as_str())))
}

async fn create_assignment(
    aws: &Aws,
    instance: &str,
    ps_arn: &str,
    principal: &PrincipalId,
    account: &str,
    wait: Wait<'_>,
) -> Result<(), CallError> {
    let resource = format!("{} {} → {ps_arn} @ {account}", principal.kind.as_str().to_lowercase(), principal.id);
    // There is no client token. The plan's read, moments ago, found it missing; an assignment
    // is one of a kind, so a create can never make two. What a create that failed — ambiguously,
    // or in any other way — may have made, or what another hand made meanwhile, is looked for
    // before the create is sent again or the failure reported.
    let create = || {
        aws.sso
            .create_account_assignment()
            .instance_arn(instance)
            .target_id(account)
            .target_type(t::TargetType::AwsAccount)
            .permission_set_arn(ps_arn)
            .principal_type(sdk_kind(principal.kind))
            .principal_id(&principal.id)
            .send()
    };
    let look =
        || async { Ok(assignment_exists(aws, instance, ps_arn, principal, account, &resource).await?.then_some(())) };
    let out = match create_once(aws, sso_admin::CREATE_ACCOUNT_ASSIGNMENT, create, look).await? {
        Ok(Outcome::Created(out)) => out,
        Ok(Outcome::Found(())) => return Ok(()),
        Err(_) if assignment_exists(aws, instance, ps_arn, principal, account, &resource).await? => return Ok(()),
        Err(e) => return Err(call_error(sso_admin::CREATE_ACCOUNT_ASSIGNMENT, &resource, &e)),
    };
    let status = out
        .account_assignment_creation_status()
        .cloned()
        .unwrap_or_else(|| t::AccountAssignmentOperationStatus::builder().build());
    let request = status.request_id().unwrap_or_default().to_string();
    let first = status_of(status.status(), status.failure_reason());
    poll(wait, sso_admin::CREATE_ACCOUNT_ASSIGNMENT, &resource, "", Some(first), || async {
        let out = aws
            .pacer
            .call(sso_admin::DESCRIBE_ASSIGNMENT_CREATION, || {
                aws.sso
                    .describe_account_assignment_creation_status()
                    .instance_arn(instance)
                    .account_assignment_creation_request_id(&request)
                    .send()
            })
            .await
            .map_err(|e| call_error(sso_admin::DESCRIBE_ASSIGNMENT_CREATION, &resource, &e))?;
        let s = out.account_assignment_creation_status();
        Ok(status_of(s.and_then(|s| s.status()), s.and_then(|s| s.failure_reason())))
    })
    .await
}

async fn delete_assignment(
    aws: &Aws,
    instance: &str,
    ps_arn: &str,
    principal: &PrincipalId,
    account: &str,
    wait: Wait<'_>,
) -> Result<(), CallError> {
    let resource = format!("{} {} → {ps_arn} @ {account}", principal.kind.as_str().to_lowercase(), principal.id);
    let out = aws
        .pacer
        .call(sso_admin::DELETE_ACCOUNT_ASSIGNMENT, || {
            aws.sso
                .delete_account_assignment()
                .instance_arn(instance)
                .target_id(account)
                .target_type(t::TargetType::AwsAccount)
                .permission_set_arn(ps_arn)
                .principal_type(sdk_kind(principal.kind))
                .principal_id(&principal.id)
                .send()
        })
        .await;
    let out = match out {
        Ok(out) => out,
        Err(e) if code(&e) == Some("ResourceNotFoundException") => return Ok(()),
        Err(e) => return Err(call_error(sso_admin::DELETE_ACCOUNT_ASSIGNMENT, &resource, &e)),
    };
    let status = out
        .account_assignment_deletion_status()
        .cloned()
        .unwrap_or_else(|| t::AccountAssignmentOperationStatus::builder().build());
    let request = status.request_id().unwrap_or_default().to_string();
    let first = status_of(status.status(), status.failure_reason());
    poll(wait, sso_admin::DELETE_ACCOUNT_ASSIGNMENT, &resource, "", Some(first), || async {
        let out = aws
            .pacer
            .call(sso_admin::DESCRIBE_ASSIGNMENT_DELETION, || {
                aws.sso
                    .describe_account_assignment_deletion_status()
                    .instance_arn(instance)
                    .account_assignment_deletion_request_id(&request)
                    .send()
            })
            .await
            .map_err(|e| call_error(sso_admin::DESCRIBE_ASSIGNMENT_DELETION, &resource, &e))?;
        let s = out.account_assignment_deletion_status();
        Ok(status_of(s.and_then(|s| s.status()), s.and_then(|s| s.failure_reason())))
    })
    .await
}

/// Carries out one Identity Center call; returns the ARN of a created permission set.
pub(in crate::aws) async fn execute(
    aws: &Aws,
    call: &IdentityCenterCall,
    wait: Wait<'_>,
) -> Result<Option<String>, CallError> {
    match call {
        IdentityCenterCall::CreatePermissionSet { instance_arn, spec } => {
            create_permission_set(aws, instance_arn, spec).await.map(Some)
        }
        IdentityCenterCall::UpdatePermissionSet { instance_arn, arn, change, reprovision } => {
            change_permission_set(aws, instance_arn, arn, arn, change).await?;
            if *reprovision {
                provision(aws, instance_arn, arn, arn, wait).await?;
            }
            Ok(None)
        }
        IdentityCenterCall::DeletePermissionSet { instance_arn, arn } => {
            let r = aws
                .pacer
                .call(sso_admin::DELETE_PERMISSION_SET, || {
                    aws.sso.delete_permission_set().instance_arn(instance_arn).permission_set_arn(arn).send()
                })
                .await;
            match r {
                Ok(_) => Ok(None),
                Err(e) if code(&e) == Some("ResourceNotFoundException") => Ok(None),
                Err(e) => Err(call_error(sso_admin::DELETE_PERMISSION_SET, arn, &e)),
            }
        }
        IdentityCenterCall::CreateAssignment { instance_arn, permission_set_arn, principal, account_id } => {
            create_assignment(aws, instance_arn, permission_set_arn, principal, account_id, wait).await.map(|_| None)
        }
        IdentityCenterCall::DeleteAssignment { instance_arn, permission_set_arn, principal, account_id } => {
            delete_assignment(aws, instance_arn, permission_set_arn, principal, account_id, wait).await.map(|_| None)
        }
    }
}
