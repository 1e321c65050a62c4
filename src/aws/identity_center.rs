//! IAM Identity Center: reading the instance, permission sets, the directory's principals and
//! the assignments of managed permission sets (the cheaper of per-principal and per-pair
//! listing); and carrying out permission-set and assignment calls, polled to their end.

use super::errors::{call_error, code};
use super::{Aws, Polling};
use crate::apply::{Call, CallError};
use crate::live::{IdentityCenterScope, LiveAssignment, LiveIdentityCenter, LivePermissionSet, Readable};
use crate::model::{Boundary, PolicyReference, Principal, PrincipalId, PrincipalKind};
use crate::plan::{PermissionSetChange, PermissionSetSpec};
use aws_sdk_ssoadmin::types as t;
use futures::future::try_join_all;
use std::collections::{BTreeMap, BTreeSet};
use tokio::time::Instant;

fn failed(operation: &str, resource: &str, message: String) -> CallError {
    CallError { operation: operation.into(), resource: resource.into(), message }
}

/// How assignments are read: by default the cheaper way; `LZCTL_ASSIGNMENT_READ` can force
/// one (`per-principal` or `per-pair`), e.g. where an emulator's provisioning data is wrong.
enum AssignmentRead {
    Cheaper,
    PerPrincipal,
    PerPair,
}

fn assignment_read() -> AssignmentRead {
    match std::env::var("LZCTL_ASSIGNMENT_READ").as_deref() {
        Ok("per-principal") => AssignmentRead::PerPrincipal,
        Ok("per-pair") => AssignmentRead::PerPair,
        _ => AssignmentRead::Cheaper,
    }
}

/// The one Identity Center instance lzctl works on.
async fn instance(aws: &Aws, wanted: Option<&str>) -> Result<(String, String), CallError> {
    let instances = all_pages!(aws, "sso-admin", "ListInstances", "the account", instances, |token| aws
        .sso
        .list_instances()
        .set_next_token(token.clone()));
    let pick = |i: &t::InstanceMetadata| {
        (i.instance_arn().unwrap_or_default().to_string(), i.identity_store_id().unwrap_or_default().to_string())
    };
    match (wanted, instances.as_slice()) {
        (_, []) => Err(failed(
            "sso-admin:ListInstances",
            "the account",
            "IAM Identity Center is not enabled here: enable it in the management account (console: IAM Identity Center → Enable, in the region lzctl uses), or set --region to the region where it is enabled".into(),
        )),
        (Some(arn), all) => all.iter().find(|i| i.instance_arn() == Some(arn)).map(pick).ok_or_else(|| {
            failed("sso-admin:ListInstances", arn, format!("no such instance; the account has: {}", arns(all)))
        }),
        (None, [one]) => Ok(pick(one)),
        (None, all) => Err(failed(
            "sso-admin:ListInstances",
            "the account",
            format!("{} Identity Center instances; name one as identity_center.instance_arn: {}", all.len(), arns(all)),
        )),
    }
}

fn arns(all: &[t::InstanceMetadata]) -> String {
    all.iter().filter_map(|i| i.instance_arn()).collect::<Vec<_>>().join(", ")
}

/// A read the service may not answer (the emulator lacks some operations): unknown, not fatal.
fn readable<T>(result: Result<T, CallError>) -> Readable<T> {
    match result {
        Ok(v) => Readable::Known(v),
        Err(e) => Readable::Unknown(e.message),
    }
}

async fn describe_permission_set(aws: &Aws, instance_arn: &str, arn: &str) -> Result<LivePermissionSet, CallError> {
    let out = aws
        .pacer
        .call("sso-admin.DescribePermissionSet", || {
            aws.sso.describe_permission_set().instance_arn(instance_arn).permission_set_arn(arn).send()
        })
        .await
        .map_err(|e| call_error("sso-admin:DescribePermissionSet", arn, &e))?;
    let ps = out.permission_set().cloned().unwrap_or_else(|| t::PermissionSet::builder().build());
    let provisioned =
        all_pages!(aws, "sso-admin", "ListAccountsForProvisionedPermissionSet", arn, account_ids, |token| aws
            .sso
            .list_accounts_for_provisioned_permission_set()
            .instance_arn(instance_arn)
            .permission_set_arn(arn)
            .set_next_token(token.clone()));
    Ok(LivePermissionSet {
        arn: arn.to_string(),
        name: ps.name().unwrap_or_default().to_string(),
        description: ps.description().filter(|d| !d.is_empty()).map(str::to_string),
        session_duration: ps.session_duration().map(str::to_string),
        relay_state: ps.relay_state().filter(|r| !r.is_empty()).map(str::to_string),
        managed_policies: BTreeSet::new(),
        customer_managed_policies: BTreeSet::new(),
        inline_policy: None,
        permissions_boundary: Readable::Known(None),
        tags: Readable::Known(BTreeMap::new()),
        provisioned_accounts: provisioned.into_iter().collect(),
    })
}

/// The policies, boundary and tags of a managed permission set.
async fn read_details(aws: &Aws, instance_arn: &str, ps: &mut LivePermissionSet) -> Result<(), CallError> {
    let arn = ps.arn.clone();
    let sso = &aws.sso;
    let (managed, customer, inline, boundary, tags) = futures::join!(
        async {
            Ok::<_, CallError>(all_pages!(
                aws,
                "sso-admin",
                "ListManagedPoliciesInPermissionSet",
                arn,
                attached_managed_policies,
                |token| sso
                    .list_managed_policies_in_permission_set()
                    .instance_arn(instance_arn)
                    .permission_set_arn(&arn)
                    .set_next_token(token.clone())
            ))
        },
        async {
            Ok::<_, CallError>(all_pages!(
                aws,
                "sso-admin",
                "ListCustomerManagedPolicyReferencesInPermissionSet",
                arn,
                customer_managed_policy_references,
                |token| sso
                    .list_customer_managed_policy_references_in_permission_set()
                    .instance_arn(instance_arn)
                    .permission_set_arn(&arn)
                    .set_next_token(token.clone())
            ))
        },
        async {
            aws.pacer
                .call("sso-admin.GetInlinePolicyForPermissionSet", || {
                    sso.get_inline_policy_for_permission_set()
                        .instance_arn(instance_arn)
                        .permission_set_arn(&arn)
                        .send()
                })
                .await
                .map_err(|e| call_error("sso-admin:GetInlinePolicyForPermissionSet", &arn, &e))
        },
        async {
            let r = aws
                .pacer
                .call("sso-admin.GetPermissionsBoundaryForPermissionSet", || {
                    sso.get_permissions_boundary_for_permission_set()
                        .instance_arn(instance_arn)
                        .permission_set_arn(&arn)
                        .send()
                })
                .await;
            match r {
                Ok(out) => Ok(out.permissions_boundary().and_then(boundary_of)),
                Err(e) if code(&e) == Some("ResourceNotFoundException") => Ok(None),
                Err(e) => Err(call_error("sso-admin:GetPermissionsBoundaryForPermissionSet", &arn, &e)),
            }
        },
        async {
            Ok::<_, CallError>(all_pages!(aws, "sso-admin", "ListTagsForResource", arn, tags, |token| sso
                .list_tags_for_resource()
                .instance_arn(instance_arn)
                .resource_arn(&arn)
                .set_next_token(token.clone())))
        },
    );
    ps.managed_policies = managed?.iter().filter_map(|p| p.arn().map(str::to_string)).collect();
    ps.customer_managed_policies = customer?
        .iter()
        .map(|r| PolicyReference { name: r.name().to_string(), path: r.path().unwrap_or("/").to_string() })
        .collect();
    let inline = inline?;
    ps.inline_policy = inline
        .inline_policy()
        .filter(|p| !p.is_empty())
        .map(|text| serde_json::from_str(text).unwrap_or_else(|_| serde_json::Value::String(text.to_string())));
    ps.permissions_boundary = readable(boundary);
    ps.tags = readable(tags.map(|tags| tags.iter().map(|t| (t.key().to_string(), t.value().to_string())).collect()));
    Ok(())
}

fn boundary_of(b: &t::PermissionsBoundary) -> Option<Boundary> {
    if let Some(arn) = b.managed_policy_arn() {
        return Some(Boundary::ManagedPolicyArn(arn.to_string()));
    }
    b.customer_managed_policy_reference().map(|r| {
        Boundary::CustomerManaged(PolicyReference {
            name: r.name().to_string(),
            path: r.path().unwrap_or("/").to_string(),
        })
    })
}

/// The directory: every group and user by id, and every user's email.
struct Directory {
    principals: BTreeMap<String, Principal>,
    emails: BTreeMap<String, String>,
    group_ids: Vec<String>,
}

async fn directory(aws: &Aws, store: &str) -> Result<Directory, CallError> {
    let ids = &aws.identitystore;
    let (groups, users) = futures::try_join!(
        async {
            Ok::<_, CallError>(all_pages!(aws, "identitystore", "ListGroups", store, groups, |token| ids
                .list_groups()
                .identity_store_id(store)
                .set_next_token(token.clone())))
        },
        async {
            Ok::<_, CallError>(all_pages!(aws, "identitystore", "ListUsers", store, users, |token| ids
                .list_users()
                .identity_store_id(store)
                .set_next_token(token.clone())))
        },
    )?;
    let mut principals = BTreeMap::new();
    for g in &groups {
        principals.insert(g.group_id().to_string(), Principal::Group(g.display_name().unwrap_or_default().to_string()));
    }
    let mut emails = BTreeMap::new();
    for u in &users {
        principals.insert(u.user_id().to_string(), Principal::User(u.user_name().unwrap_or_default().to_string()));
        let email = u.emails().iter().find(|e| e.primary()).or_else(|| u.emails().first()).and_then(|e| e.value());
        if let Some(email) = email {
            emails.insert(u.user_id().to_string(), email.to_string());
        }
    }
    Ok(Directory { principals, emails, group_ids: groups.iter().map(|g| g.group_id().to_string()).collect() })
}

/// Every group's members, one paged listing per group.
async fn memberships(
    aws: &Aws,
    store: &str,
    group_ids: &[String],
) -> Result<BTreeMap<String, BTreeSet<String>>, CallError> {
    let ids = &aws.identitystore;
    let per_group = try_join_all(group_ids.iter().map(|group| async move {
        let members = all_pages!(aws, "identitystore", "ListGroupMemberships", group, group_memberships, |token| ids
            .list_group_memberships()
            .identity_store_id(store)
            .group_id(group)
            .set_next_token(token.clone()));
        let users: BTreeSet<String> = members
            .iter()
            .filter_map(|m| match m.member_id() {
                Some(aws_sdk_identitystore::types::MemberId::UserId(id)) => Some(id.clone()),
                _ => None,
            })
            .collect();
        Ok::<_, CallError>((group.clone(), users))
    }))
    .await?;
    Ok(per_group.into_iter().collect())
}

fn kind_of(t: Option<&t::PrincipalType>) -> PrincipalKind {
    match t {
        Some(t::PrincipalType::User) => PrincipalKind::User,
        _ => PrincipalKind::Group,
    }
}

fn sdk_kind(kind: PrincipalKind) -> t::PrincipalType {
    match kind {
        PrincipalKind::Group => t::PrincipalType::Group,
        PrincipalKind::User => t::PrincipalType::User,
    }
}

pub(super) async fn read(aws: &Aws, scope: &IdentityCenterScope) -> Result<LiveIdentityCenter, CallError> {
    let (instance_arn, store) = instance(aws, scope.instance_arn.as_deref()).await?;
    let instance = instance_arn.as_str();
    let (arns, directory) = futures::try_join!(
        async {
            Ok::<_, CallError>(all_pages!(aws, "sso-admin", "ListPermissionSets", instance, permission_sets, |token| {
                aws.sso.list_permission_sets().instance_arn(instance).set_next_token(token.clone())
            }))
        },
        directory(aws, &store),
    )?;
    let described = try_join_all(arns.iter().map(|arn| async move {
        let mut ps = describe_permission_set(aws, instance, arn).await?;
        if !scope.all_permission_sets && scope.permission_sets.contains(&ps.name) {
            read_details(aws, instance, &mut ps).await?;
        }
        Ok::<_, CallError>(ps)
    }))
    .await?;
    let permission_sets: BTreeMap<String, LivePermissionSet> =
        described.into_iter().map(|ps| (ps.name.clone(), ps)).collect();
    let principal_names = directory.principals;
    let managed: BTreeMap<&str, &str> = permission_sets
        .values()
        .filter(|ps| scope.all_permission_sets || scope.permission_sets.contains(&ps.name))
        .map(|ps| (ps.arn.as_str(), ps.name.as_str()))
        .collect();

    // The cheaper way to read assignments that covers every principal of every managed set.
    let mut pairs: BTreeSet<(String, String)> =
        scope.wanted_pairs.iter().filter(|(ps, _)| managed.values().any(|m| m == ps)).cloned().collect();
    for ps in permission_sets.values().filter(|ps| managed.contains_key(ps.arn.as_str())) {
        pairs.extend(ps.provisioned_accounts.iter().map(|a| (ps.name.clone(), a.clone())));
    }
    let per_principal = principal_names.len();
    let use_principals = match assignment_read() {
        AssignmentRead::PerPrincipal => true,
        AssignmentRead::PerPair => false,
        AssignmentRead::Cheaper => per_principal < pairs.len(),
    };
    let assignments = if managed.is_empty() {
        BTreeSet::new()
    } else if use_principals {
        by_principal(aws, instance, &principal_names, &managed).await?
    } else {
        by_pair(aws, instance, &pairs, &permission_sets).await?
    };
    aws.pacer.note(if managed.is_empty() {
        "no managed permission sets: no assignment read".to_string()
    } else if use_principals {
        format!("assignments read per principal ({per_principal} principals) rather than per (permission set, account) pair ({})", pairs.len())
    } else {
        format!("assignments read per (permission set, account) pair ({}) rather than per principal ({per_principal})", pairs.len())
    });
    let by_name: BTreeMap<&Principal, &String> = principal_names.iter().map(|(id, p)| (p, id)).collect();
    let principals =
        scope.principals.iter().filter_map(|p| by_name.get(p).map(|id| (p.clone(), (*id).clone()))).collect();
    let memberships =
        if scope.memberships { Some(memberships(aws, &store, &directory.group_ids).await?) } else { None };
    Ok(LiveIdentityCenter {
        instance_arn,
        identity_store_id: store,
        permission_sets,
        assignments,
        principals,
        principal_names,
        user_emails: directory.emails,
        memberships,
    })
}

async fn by_principal(
    aws: &Aws,
    instance: &str,
    principals: &BTreeMap<String, Principal>,
    managed: &BTreeMap<&str, &str>,
) -> Result<BTreeSet<LiveAssignment>, CallError> {
    let lists = try_join_all(principals.iter().map(|(id, principal)| async move {
        let kind = principal.kind();
        let resource = principal.to_string();
        let found = all_pages!(
            aws,
            "sso-admin",
            "ListAccountAssignmentsForPrincipal",
            resource,
            account_assignments,
            |token| aws
                .sso
                .list_account_assignments_for_principal()
                .instance_arn(instance)
                .principal_id(id)
                .principal_type(sdk_kind(kind))
                .set_next_token(token.clone())
        );
        Ok::<_, CallError>(found.into_iter().filter_map(move |a| {
            let ps = managed.get(a.permission_set_arn()?)?;
            Some(LiveAssignment {
                permission_set: ps.to_string(),
                account_id: a.account_id()?.to_string(),
                principal: PrincipalId { kind: kind_of(a.principal_type()), id: a.principal_id()?.to_string() },
            })
        }))
    }))
    .await?;
    Ok(lists.into_iter().flatten().collect())
}

async fn by_pair(
    aws: &Aws,
    instance: &str,
    pairs: &BTreeSet<(String, String)>,
    permission_sets: &BTreeMap<String, LivePermissionSet>,
) -> Result<BTreeSet<LiveAssignment>, CallError> {
    let lists = try_join_all(pairs.iter().map(|(ps, account)| async move {
        let arn = &permission_sets[ps].arn;
        let resource = format!("{ps} @ {account}");
        let found = all_pages!(aws, "sso-admin", "ListAccountAssignments", resource, account_assignments, |token| aws
            .sso
            .list_account_assignments()
            .instance_arn(instance)
            .account_id(account)
            .permission_set_arn(arn)
            .set_next_token(token.clone()));
        Ok::<_, CallError>(found.into_iter().filter_map(move |a| {
            Some(LiveAssignment {
                permission_set: ps.clone(),
                account_id: a.account_id()?.to_string(),
                principal: PrincipalId { kind: kind_of(a.principal_type()), id: a.principal_id()?.to_string() },
            })
        }))
    }))
    .await?;
    Ok(lists.into_iter().flatten().collect())
}

/// Waits for an asynchronous Identity Center operation to end, from the status its start
/// answered; `describe` answers (status, failure reason) for the request. A failure carries
/// AWS's reason.
async fn poll<F, Fut>(
    polling: Polling,
    operation: &str,
    resource: &str,
    first: (Option<&t::StatusValues>, Option<&str>),
    mut describe: F,
) -> Result<(), CallError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<(Option<t::StatusValues>, Option<String>), CallError>>,
{
    let started = Instant::now();
    let (mut status, mut reason) = (first.0.cloned(), first.1.map(str::to_string));
    loop {
        match status {
            Some(t::StatusValues::Succeeded) => return Ok(()),
            Some(t::StatusValues::Failed) => {
                let why = reason.unwrap_or_else(|| "no reason given".into());
                return Err(failed(operation, resource, format!("failed: {why}")));
            }
            _ => {}
        }
        if started.elapsed() >= polling.timeout {
            let why =
                format!("still in progress after {}s; run apply again later to continue", polling.timeout.as_secs());
            return Err(failed(operation, resource, why));
        }
        tokio::time::sleep(polling.interval).await;
        (status, reason) = describe().await?;
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
    let arns = all_pages!(aws, "sso-admin", "ListPermissionSets", instance, permission_sets, |token| aws
        .sso
        .list_permission_sets()
        .instance_arn(instance)
        .set_next_token(token.clone()));
    for arn in arns {
        let out = aws
            .pacer
            .call("sso-admin.DescribePermissionSet", || {
                aws.sso.describe_permission_set().instance_arn(instance).permission_set_arn(&arn).send()
            })
            .await
            .map_err(|e| call_error("sso-admin:DescribePermissionSet", &arn, &e))?;
        if out.permission_set().and_then(|p| p.name()) == Some(name) {
            return Ok(Some(arn));
        }
    }
    Ok(None)
}

async fn create_permission_set(aws: &Aws, instance: &str, spec: &PermissionSetSpec) -> Result<String, CallError> {
    let resource = format!("permission set {}", spec.name);
    let created = aws
        .pacer
        .call("sso-admin.CreatePermissionSet", || {
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
        })
        .await;
    let arn = match created {
        Ok(out) => out.permission_set().and_then(|p| p.permission_set_arn()).unwrap_or_default().to_string(),
        Err(e) if code(&e) == Some("ConflictException") => match find_by_name(aws, instance, &spec.name).await? {
            Some(arn) => arn,
            None => return Err(call_error("sso-admin:CreatePermissionSet", &resource, &e)),
        },
        Err(e) => return Err(call_error("sso-admin:CreatePermissionSet", &resource, &e)),
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
        ($api:literal, $request:expr, [$($ok:literal),*]) => {
            match p.call(concat!("sso-admin.", $api), || $request.send()).await {
                Ok(_) => {}
                Err(e) if code(&e).is_some_and(|c| { let done: &[&str] = &[$($ok),*]; done.contains(&c) }) => {}
                Err(e) => return Err(call_error(concat!("sso-admin:", $api), resource, &e)),
            }
        };
    }
    if let Some((description, session, relay)) = &change.attributes {
        step!(
            "UpdatePermissionSet",
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
        step!(
            "AttachManagedPolicyToPermissionSet",
            sso.attach_managed_policy_to_permission_set()
                .instance_arn(instance)
                .permission_set_arn(arn)
                .managed_policy_arn(policy),
            []
        );
    }
    for policy in &change.detach_managed {
        step!(
            "DetachManagedPolicyFromPermissionSet",
            sso.detach_managed_policy_from_permission_set()
                .instance_arn(instance)
                .permission_set_arn(arn)
                .managed_policy_arn(policy),
            ["ResourceNotFoundException"]
        );
    }
    for r in &change.attach_customer_managed {
        step!(
            "AttachCustomerManagedPolicyReferenceToPermissionSet",
            sso.attach_customer_managed_policy_reference_to_permission_set()
                .instance_arn(instance)
                .permission_set_arn(arn)
                .customer_managed_policy_reference(sdk_reference(r)),
            []
        );
    }
    for r in &change.detach_customer_managed {
        step!(
            "DetachCustomerManagedPolicyReferenceFromPermissionSet",
            sso.detach_customer_managed_policy_reference_from_permission_set()
                .instance_arn(instance)
                .permission_set_arn(arn)
                .customer_managed_policy_reference(sdk_reference(r)),
            ["ResourceNotFoundException"]
        );
    }
    match &change.inline_policy {
        Some(Some(document)) => step!(
            "PutInlinePolicyToPermissionSet",
            sso.put_inline_policy_to_permission_set()
                .instance_arn(instance)
                .permission_set_arn(arn)
                .inline_policy(document),
            []
        ),
        Some(None) => step!(
            "DeleteInlinePolicyFromPermissionSet",
            sso.delete_inline_policy_from_permission_set().instance_arn(instance).permission_set_arn(arn),
            ["ResourceNotFoundException"]
        ),
        None => {}
    }
    match &change.permissions_boundary {
        Some(Some(boundary)) => step!(
            "PutPermissionsBoundaryToPermissionSet",
            sso.put_permissions_boundary_to_permission_set()
                .instance_arn(instance)
                .permission_set_arn(arn)
                .permissions_boundary(sdk_boundary(boundary)),
            []
        ),
        Some(None) => step!(
            "DeletePermissionsBoundaryFromPermissionSet",
            sso.delete_permissions_boundary_from_permission_set().instance_arn(instance).permission_set_arn(arn),
            ["ResourceNotFoundException"]
        ),
        None => {}
    }
    if !change.set_tags.is_empty() {
        step!(
            "TagResource",
            sso.tag_resource().instance_arn(instance).resource_arn(arn).set_tags(sdk_tags(&change.set_tags)),
            []
        );
    }
    if !change.remove_tags.is_empty() {
        step!(
            "UntagResource",
            sso.untag_resource()
                .instance_arn(instance)
                .resource_arn(arn)
                .set_tag_keys(Some(change.remove_tags.iter().cloned().collect())),
            []
        );
    }
    Ok(())
}

async fn provision(aws: &Aws, instance: &str, arn: &str, resource: &str, polling: Polling) -> Result<(), CallError> {
    let out = aws
        .pacer
        .call("sso-admin.ProvisionPermissionSet", || {
            aws.sso
                .provision_permission_set()
                .instance_arn(instance)
                .permission_set_arn(arn)
                .target_type(t::ProvisionTargetType::AllProvisionedAccounts)
                .send()
        })
        .await
        .map_err(|e| call_error("sso-admin:ProvisionPermissionSet", resource, &e))?;
    let status = out
        .permission_set_provisioning_status()
        .cloned()
        .unwrap_or_else(|| t::PermissionSetProvisioningStatus::builder().build());
    let request = status.request_id().unwrap_or_default().to_string();
    poll(polling, "sso-admin:ProvisionPermissionSet", resource, (status.status(), status.failure_reason()), || async {
        let out = aws
            .pacer
            .call("sso-admin.DescribePermissionSetProvisioningStatus", || {
                aws.sso
                    .describe_permission_set_provisioning_status()
                    .instance_arn(instance)
                    .provision_permission_set_request_id(&request)
                    .send()
            })
            .await
            .map_err(|e| call_error("sso-admin:DescribePermissionSetProvisioningStatus", resource, &e))?;
        let s = out.permission_set_provisioning_status();
        Ok((s.and_then(|s| s.status()).cloned(), s.and_then(|s| s.failure_reason()).map(str::to_string)))
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
    let found = all_pages!(aws, "sso-admin", "ListAccountAssignments", resource, account_assignments, |token| aws
        .sso
        .list_account_assignments()
        .instance_arn(instance)
        .account_id(account)
        .permission_set_arn(ps_arn)
        .set_next_token(token.clone()));
    Ok(found.iter().any(|a| a.principal_id() == Some(principal.id.as_str())))
}

async fn create_assignment(
    aws: &Aws,
    instance: &str,
    ps_arn: &str,
    principal: &PrincipalId,
    account: &str,
    polling: Polling,
) -> Result<(), CallError> {
    let resource = format!("{} {} → {ps_arn} @ {account}", principal.kind.as_str().to_lowercase(), principal.id);
    // There is no client token: look first, so a re-run does not assign twice.
    if assignment_exists(aws, instance, ps_arn, principal, account, &resource).await? {
        return Ok(());
    }
    let out = aws
        .pacer
        .call("sso-admin.CreateAccountAssignment", || {
            aws.sso
                .create_account_assignment()
                .instance_arn(instance)
                .target_id(account)
                .target_type(t::TargetType::AwsAccount)
                .permission_set_arn(ps_arn)
                .principal_type(sdk_kind(principal.kind))
                .principal_id(&principal.id)
                .send()
        })
        .await
        .map_err(|e| call_error("sso-admin:CreateAccountAssignment", &resource, &e))?;
    let status = out
        .account_assignment_creation_status()
        .cloned()
        .unwrap_or_else(|| t::AccountAssignmentOperationStatus::builder().build());
    let request = status.request_id().unwrap_or_default().to_string();
    poll(
        polling,
        "sso-admin:CreateAccountAssignment",
        &resource,
        (status.status(), status.failure_reason()),
        || async {
            let out = aws
                .pacer
                .call("sso-admin.DescribeAccountAssignmentCreationStatus", || {
                    aws.sso
                        .describe_account_assignment_creation_status()
                        .instance_arn(instance)
                        .account_assignment_creation_request_id(&request)
                        .send()
                })
                .await
                .map_err(|e| call_error("sso-admin:DescribeAccountAssignmentCreationStatus", &resource, &e))?;
            let s = out.account_assignment_creation_status();
            Ok((s.and_then(|s| s.status()).cloned(), s.and_then(|s| s.failure_reason()).map(str::to_string)))
        },
    )
    .await
}

async fn delete_assignment(
    aws: &Aws,
    instance: &str,
    ps_arn: &str,
    principal: &PrincipalId,
    account: &str,
    polling: Polling,
) -> Result<(), CallError> {
    let resource = format!("{} {} → {ps_arn} @ {account}", principal.kind.as_str().to_lowercase(), principal.id);
    let out = aws
        .pacer
        .call("sso-admin.DeleteAccountAssignment", || {
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
        Err(e) => return Err(call_error("sso-admin:DeleteAccountAssignment", &resource, &e)),
    };
    let status = out
        .account_assignment_deletion_status()
        .cloned()
        .unwrap_or_else(|| t::AccountAssignmentOperationStatus::builder().build());
    let request = status.request_id().unwrap_or_default().to_string();
    poll(
        polling,
        "sso-admin:DeleteAccountAssignment",
        &resource,
        (status.status(), status.failure_reason()),
        || async {
            let out = aws
                .pacer
                .call("sso-admin.DescribeAccountAssignmentDeletionStatus", || {
                    aws.sso
                        .describe_account_assignment_deletion_status()
                        .instance_arn(instance)
                        .account_assignment_deletion_request_id(&request)
                        .send()
                })
                .await
                .map_err(|e| call_error("sso-admin:DescribeAccountAssignmentDeletionStatus", &resource, &e))?;
            let s = out.account_assignment_deletion_status();
            Ok((s.and_then(|s| s.status()).cloned(), s.and_then(|s| s.failure_reason()).map(str::to_string)))
        },
    )
    .await
}

/// Carries out one Identity Center call; returns the ARN of a created permission set.
pub(super) async fn execute(aws: &Aws, call: &Call, polling: Polling) -> Result<Option<String>, CallError> {
    match call {
        Call::CreatePermissionSet { instance_arn, spec } => {
            create_permission_set(aws, instance_arn, spec).await.map(Some)
        }
        Call::UpdatePermissionSet { instance_arn, arn, change, reprovision } => {
            change_permission_set(aws, instance_arn, arn, arn, change).await?;
            if *reprovision {
                provision(aws, instance_arn, arn, arn, polling).await?;
            }
            Ok(None)
        }
        Call::DeletePermissionSet { instance_arn, arn } => {
            let r = aws
                .pacer
                .call("sso-admin.DeletePermissionSet", || {
                    aws.sso.delete_permission_set().instance_arn(instance_arn).permission_set_arn(arn).send()
                })
                .await;
            match r {
                Ok(_) => Ok(None),
                Err(e) if code(&e) == Some("ResourceNotFoundException") => Ok(None),
                Err(e) => Err(call_error("sso-admin:DeletePermissionSet", arn, &e)),
            }
        }
        Call::CreateAssignment { instance_arn, permission_set_arn, principal, account_id } => {
            create_assignment(aws, instance_arn, permission_set_arn, principal, account_id, polling).await.map(|_| None)
        }
        Call::DeleteAssignment { instance_arn, permission_set_arn, principal, account_id } => {
            delete_assignment(aws, instance_arn, permission_set_arn, principal, account_id, polling).await.map(|_| None)
        }
        other => unreachable!("not an Identity Center call: {other:?}"),
    }
}
