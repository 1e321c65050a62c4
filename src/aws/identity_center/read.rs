//! Reading IAM Identity Center: the instance, permission sets (details only of managed ones),
//! the directory's principals, and the assignments of every permission set — the cheaper of
//! per-principal and per-pair listing.

use super::assignments::{by_pair, by_principal};
use crate::apply::CallError;
use crate::aws::Aws;
use crate::aws::api::{identitystore, sso_admin};
use crate::aws::errors::{call_error, code, failed};
use crate::live::{IdentityCenterScope, LiveIdentityCenter, LivePermissionSet, Readable};
use crate::model::{Boundary, PolicyReference, Principal, PrincipalKind};
use aws_sdk_ssoadmin::types as t;
use futures::future::try_join_all;
use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;

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
    let instances = all_pages!(aws, sso_admin::LIST_INSTANCES, "the account", instances, |token| aws
        .sso
        .list_instances()
        .max_results(sso_admin::PAGE)
        .set_next_token(token.clone()));
    let pick = |i: &t::InstanceMetadata| {
        (i.instance_arn().unwrap_or_default().to_string(), i.identity_store_id().unwrap_or_default().to_string())
    };
    match (wanted, instances.as_slice()) {
        (_, []) => Err(failed(sso_admin::LIST_INSTANCES,
            "the account",
            "IAM Identity Center is not enabled here: enable it in the management account (console: IAM Identity Center → Enable, in the region lzctl uses), or set --region to the region where it is enabled".into(),
        )),
        (Some(arn), all) => all.iter().find(|i| i.instance_arn() == Some(arn)).map(pick).ok_or_else(|| {
            failed(sso_admin::LIST_INSTANCES, arn, format!("no such instance; the account has: {}", arns(all)))
        }),
        (None, [one]) => Ok(pick(one)),
        (None, all) => Err(failed(sso_admin::LIST_INSTANCES,
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
        .call(sso_admin::DESCRIBE_PERMISSION_SET, || {
            aws.sso.describe_permission_set().instance_arn(instance_arn).permission_set_arn(arn).send()
        })
        .await
        .map_err(|e| call_error(sso_admin::DESCRIBE_PERMISSION_SET, arn, &e))?;
    let ps = out.permission_set().cloned().unwrap_or_else(|| t::PermissionSet::builder().build());
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
        provisioned_accounts: BTreeSet::new(),
    })
}

/// The accounts a permission set is provisioned to, every page.
async fn provisioned_accounts(aws: &Aws, instance_arn: &str, arn: &str) -> Result<BTreeSet<String>, CallError> {
    let accounts = all_pages!(aws, sso_admin::LIST_ACCOUNTS_FOR_PROVISIONED, arn, account_ids, |token| aws
        .sso
        .list_accounts_for_provisioned_permission_set()
        .instance_arn(instance_arn)
        .permission_set_arn(arn)
        .max_results(sso_admin::PAGE)
        .set_next_token(token.clone()));
    Ok(accounts.into_iter().collect())
}

/// Lists where each of `names` is provisioned, concurrently, into `sets`.
async fn list_provisioned(
    aws: &Aws,
    instance_arn: &str,
    sets: &mut BTreeMap<String, LivePermissionSet>,
    names: &BTreeSet<String>,
) -> Result<(), CallError> {
    let listed = try_join_all(sets.values().filter(|ps| names.contains(&ps.name)).map(|ps| async move {
        Ok::<_, CallError>((ps.name.clone(), provisioned_accounts(aws, instance_arn, &ps.arn).await?))
    }))
    .await?;
    for (name, accounts) in listed {
        if let Some(ps) = sets.get_mut(&name) {
            ps.provisioned_accounts = accounts;
        }
    }
    Ok(())
}

/// The policies, boundary and tags of a managed permission set.
async fn read_details(aws: &Aws, instance_arn: &str, ps: &mut LivePermissionSet) -> Result<(), CallError> {
    let arn = ps.arn.clone();
    let sso = &aws.sso;
    let (managed, customer, inline, boundary, tags) = futures::join!(
        async {
            Ok::<_, CallError>(all_pages!(
                aws,
                sso_admin::LIST_MANAGED_POLICIES,
                arn,
                attached_managed_policies,
                |token| sso
                    .list_managed_policies_in_permission_set()
                    .instance_arn(instance_arn)
                    .permission_set_arn(&arn)
                    .max_results(sso_admin::PAGE)
                    .set_next_token(token.clone())
            ))
        },
        async {
            Ok::<_, CallError>(all_pages!(
                aws,
                sso_admin::LIST_CUSTOMER_MANAGED_REFERENCES,
                arn,
                customer_managed_policy_references,
                |token| sso
                    .list_customer_managed_policy_references_in_permission_set()
                    .instance_arn(instance_arn)
                    .permission_set_arn(&arn)
                    .max_results(sso_admin::PAGE)
                    .set_next_token(token.clone())
            ))
        },
        async {
            aws.pacer
                .call(sso_admin::GET_INLINE_POLICY, || {
                    sso.get_inline_policy_for_permission_set()
                        .instance_arn(instance_arn)
                        .permission_set_arn(&arn)
                        .send()
                })
                .await
                .map_err(|e| call_error(sso_admin::GET_INLINE_POLICY, &arn, &e))
        },
        async {
            let r = aws
                .pacer
                .call(sso_admin::GET_PERMISSIONS_BOUNDARY, || {
                    sso.get_permissions_boundary_for_permission_set()
                        .instance_arn(instance_arn)
                        .permission_set_arn(&arn)
                        .send()
                })
                .await;
            match r {
                Ok(out) => Ok(out.permissions_boundary().and_then(boundary_of)),
                Err(e) if code(&e) == Some("ResourceNotFoundException") => Ok(None),
                Err(e) => Err(call_error(sso_admin::GET_PERMISSIONS_BOUNDARY, &arn, &e)),
            }
        },
        async {
            Ok::<_, CallError>(all_pages!(aws, sso_admin::LIST_TAGS_FOR_RESOURCE, arn, tags, |token| sso
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
    details: BTreeMap<String, (String, String)>,
    group_ids: Vec<String>,
}

async fn directory(aws: &Aws, store: &str) -> Result<Directory, CallError> {
    let ids = &aws.identitystore;
    let (groups, users) = futures::try_join!(
        async {
            Ok::<_, CallError>(all_pages!(aws, identitystore::LIST_GROUPS, store, groups, |token| ids
                .list_groups()
                .identity_store_id(store)
                .max_results(identitystore::PAGE)
                .set_next_token(token.clone())))
        },
        async {
            Ok::<_, CallError>(all_pages!(aws, identitystore::LIST_USERS, store, users, |token| ids
                .list_users()
                .identity_store_id(store)
                .max_results(identitystore::PAGE)
                .set_next_token(token.clone())))
        },
    )?;
    let mut principals = BTreeMap::new();
    for g in &groups {
        principals.insert(g.group_id().to_string(), Principal::Group(g.display_name().unwrap_or_default().to_string()));
    }
    let mut emails = BTreeMap::new();
    let mut details = BTreeMap::new();
    for u in &users {
        let status = u.user_status().map_or("", |s| s.as_str()).to_string();
        details.insert(u.user_id().to_string(), (u.display_name().unwrap_or_default().to_string(), status));
        principals.insert(u.user_id().to_string(), Principal::User(u.user_name().unwrap_or_default().to_string()));
        let email = u.emails().iter().find(|e| e.primary()).or_else(|| u.emails().first()).and_then(|e| e.value());
        if let Some(email) = email {
            emails.insert(u.user_id().to_string(), email.to_string());
        }
    }
    Ok(Directory { principals, emails, details, group_ids: groups.iter().map(|g| g.group_id().to_string()).collect() })
}

/// Every group's members, one paged listing per group.
async fn memberships(
    aws: &Aws,
    store: &str,
    group_ids: &[String],
) -> Result<BTreeMap<String, BTreeSet<String>>, CallError> {
    let ids = &aws.identitystore;
    let per_group = try_join_all(group_ids.iter().map(|group| async move {
        let members = all_pages!(aws, identitystore::LIST_GROUP_MEMBERSHIPS, group, group_memberships, |token| ids
            .list_group_memberships()
            .identity_store_id(store)
            .group_id(group)
            .max_results(identitystore::PAGE)
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

pub(super) fn kind_of(t: Option<&t::PrincipalType>) -> PrincipalKind {
    match t {
        Some(t::PrincipalType::User) => PrincipalKind::User,
        _ => PrincipalKind::Group,
    }
}

/// Reads what `scope` names. `wanted_pairs` — the (permission set, account) pairs the blueprint
/// wants, known once the organization's tree is read — is awaited only when the way to read
/// assignments is chosen, so everything before runs alongside the tree's read.
pub(in crate::aws) async fn read(
    aws: &Aws,
    scope: &IdentityCenterScope,
    wanted_pairs: impl Future<Output = BTreeSet<(String, String)>>,
) -> Result<LiveIdentityCenter, CallError> {
    let (instance_arn, store) = instance(aws, scope.instance_arn.as_deref()).await?;
    let instance = instance_arn.as_str();
    let (arns, directory) = futures::try_join!(
        async {
            Ok::<_, CallError>(all_pages!(aws, sso_admin::LIST_PERMISSION_SETS, instance, permission_sets, |token| {
                aws.sso
                    .list_permission_sets()
                    .instance_arn(instance)
                    .max_results(sso_admin::PAGE)
                    .set_next_token(token.clone())
            }))
        },
        directory(aws, &store),
    )?;
    let described = try_join_all(arns.iter().map(|arn| async move {
        let mut ps = describe_permission_set(aws, instance, arn).await?;
        if (scope.all_permission_sets && scope.details)
            || (!scope.all_permission_sets && scope.permission_sets.contains(&ps.name))
        {
            read_details(aws, instance, &mut ps).await?;
        }
        Ok::<_, CallError>(ps)
    }))
    .await?;
    let mut permission_sets: BTreeMap<String, LivePermissionSet> =
        described.into_iter().map(|ps| (ps.name.clone(), ps)).collect();
    let principal_names = directory.principals;
    let managed_names: BTreeSet<String> = permission_sets
        .values()
        .filter(|ps| scope.all_permission_sets || scope.permission_sets.contains(&ps.name))
        .map(|ps| ps.name.clone())
        .collect();
    let unmanaged_names: BTreeSet<String> =
        permission_sets.keys().filter(|name| !managed_names.contains(*name)).cloned().collect();
    // Assignments are read for every permission set: those of sets the blueprint does not
    // manage are access made by hand, which a plan shows and never changes.
    let assigned: BTreeMap<String, String> =
        permission_sets.values().map(|ps| (ps.arn.clone(), ps.name.clone())).collect();
    let assigned_names: BTreeSet<String> = assigned.values().cloned().collect();

    // Group memberships (an inventory's --expand-groups) are read alongside the assignments.
    let group_memberships = async {
        if scope.memberships { memberships(aws, &store, &directory.group_ids).await.map(Some) } else { Ok(None) }
    };
    let assignments = async {
        let per_principal = principal_names.len();
        // The cheaper way that covers every principal of every managed set: one listing per
        // principal, or one per (permission set, account) pair — the pairs the blueprint wants
        // and those where a managed set is provisioned, which takes a listing per set to learn.
        // Where the principals are no more than the wanted pairs and those listings, per
        // principal wins without listing anything.
        let (use_principals, pairs, listed, why) = match assignment_read() {
            AssignmentRead::PerPrincipal => (true, BTreeSet::new(), None, "as LZCTL_ASSIGNMENT_READ asks".to_string()),
            AssignmentRead::PerPair if assigned.is_empty() => (false, BTreeSet::new(), None, String::new()),
            AssignmentRead::Cheaper if assigned.is_empty() => (false, BTreeSet::new(), None, String::new()),
            forced => {
                let wanted: BTreeSet<(String, String)> =
                    wanted_pairs.await.into_iter().filter(|(ps, _)| assigned_names.contains(ps)).collect();
                let cheaper = matches!(forced, AssignmentRead::Cheaper);
                if cheaper && per_principal <= wanted.len() + assigned.len() {
                    let why = format!(
                        "no more than the {} wanted pairs and a provisioning listing per set ({})",
                        wanted.len(),
                        assigned.len()
                    );
                    (true, wanted, None, why)
                } else {
                    let mut listed = permission_sets.clone();
                    list_provisioned(aws, instance, &mut listed, &assigned_names).await?;
                    let mut pairs = wanted;
                    for ps in listed.values().filter(|ps| assigned_names.contains(&ps.name)) {
                        pairs.extend(ps.provisioned_accounts.iter().map(|a| (ps.name.clone(), a.clone())));
                    }
                    let use_principals = cheaper && per_principal < pairs.len();
                    let why = match (cheaper, use_principals) {
                        (false, _) => "as LZCTL_ASSIGNMENT_READ asks".to_string(),
                        (true, true) => format!("rather than per (permission set, account) pair ({})", pairs.len()),
                        (true, false) => format!("rather than per principal ({per_principal})"),
                    };
                    (use_principals, pairs, Some(listed), why)
                }
            }
        };
        let read = if assigned.is_empty() {
            BTreeSet::new()
        } else if use_principals {
            by_principal(aws, instance, &principal_names, &assigned).await?
        } else {
            by_pair(aws, instance, &pairs, &permission_sets).await?
        };
        aws.pacer.note(if assigned.is_empty() {
            "no permission sets: no assignment read".to_string()
        } else if use_principals {
            format!("assignments read per principal ({per_principal} principals), {why}")
        } else {
            format!("assignments read per (permission set, account) pair ({}), {why}", pairs.len())
        });
        Ok::<_, CallError>((read, listed))
    };
    let ((assignments, listed), memberships) = futures::try_join!(assignments, group_memberships)?;
    let managed_listed = listed.is_some();
    if let Some(listed) = listed {
        permission_sets = listed;
    }

    // Where each set is provisioned, only where something uses it: a plan needs, of a managed
    // set, whether it is provisioned at all — which an assignment already shows, as AWS
    // provisions a set to the account of every assignment — and of a set it does not manage,
    // to how many accounts (the note) or whether to none (--prune). An inventory needs none.
    for a in &assignments {
        if let Some(ps) = permission_sets.get_mut(&a.permission_set) {
            ps.provisioned_accounts.insert(a.account_id.clone());
        }
    }
    if !scope.all_permission_sets {
        let unassigned: BTreeSet<String> = managed_names
            .iter()
            .filter(|_| !managed_listed)
            .filter(|name| permission_sets.get(*name).is_some_and(|ps| ps.provisioned_accounts.is_empty()))
            .cloned()
            .collect();
        let unlisted = unmanaged_names.iter().filter(|_| !managed_listed).cloned().collect();
        let wanted: BTreeSet<String> = unassigned.union(&unlisted).cloned().collect();
        list_provisioned(aws, instance, &mut permission_sets, &wanted).await?;
    }
    let by_name: BTreeMap<&Principal, &String> = principal_names.iter().map(|(id, p)| (p, id)).collect();
    let principals =
        scope.principals.iter().filter_map(|p| by_name.get(p).map(|id| (p.clone(), (*id).clone()))).collect();
    Ok(LiveIdentityCenter {
        instance_arn,
        identity_store_id: store,
        permission_sets,
        assignments,
        principals,
        principal_names,
        user_emails: directory.emails,
        user_details: directory.details,
        memberships,
    })
}
