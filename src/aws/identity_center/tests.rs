//! Identity Center paths the emulator cannot show, against mocked SDK clients: instances,
//! boundaries and tags, the choice of how to read assignments, asynchronous operations that
//! fail, throttling and ConflictException.

use crate::apply::{Call, Executor, IdentityCenterCall};
use crate::aws::Aws;
use crate::aws::api::sso_admin;
use crate::aws::poll::Polling;
use crate::aws::test_support::{Mocked, aws_error, executor, mocked_aws};
use crate::live::IdentityCenterScope;
use crate::live::Readable;
use crate::model::{PrincipalId, PrincipalKind};
use crate::plan::PermissionSetChange;
use aws_sdk_identitystore::operation::{list_groups::ListGroupsOutput, list_users::ListUsersOutput};
use aws_sdk_ssoadmin::Client as Sso;
use aws_sdk_ssoadmin::operation::{
    create_account_assignment::CreateAccountAssignmentOutput,
    describe_account_assignment_creation_status::DescribeAccountAssignmentCreationStatusOutput,
    describe_permission_set::DescribePermissionSetOutput,
    describe_permission_set_provisioning_status::DescribePermissionSetProvisioningStatusOutput,
    get_inline_policy_for_permission_set::GetInlinePolicyForPermissionSetOutput,
    get_permissions_boundary_for_permission_set::GetPermissionsBoundaryForPermissionSetOutput,
    list_account_assignments::ListAccountAssignmentsOutput,
    list_account_assignments_for_principal::ListAccountAssignmentsForPrincipalOutput,
    list_accounts_for_provisioned_permission_set::ListAccountsForProvisionedPermissionSetOutput,
    list_customer_managed_policy_references_in_permission_set::ListCustomerManagedPolicyReferencesInPermissionSetOutput,
    list_instances::ListInstancesOutput,
    list_managed_policies_in_permission_set::ListManagedPoliciesInPermissionSetOutput,
    list_permission_sets::ListPermissionSetsOutput, list_tags_for_resource::ListTagsForResourceOutput,
    provision_permission_set::ProvisionPermissionSetOutput, update_permission_set::UpdatePermissionSetOutput,
};
use aws_sdk_ssoadmin::types::{
    AccountAssignment, AccountAssignmentForPrincipal, AccountAssignmentOperationStatus, AttachedManagedPolicy,
    InstanceMetadata, PermissionSet, PermissionSetProvisioningStatus, PermissionsBoundary, StatusValues, Tag,
};
use aws_smithy_mocks::{Rule, mock};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

const INSTANCE: &str = "arn:aws:sso:::instance/ssoins-1";
const PS: &str = "arn:aws:sso:::permissionSet/ssoins-1/ps-1";
const POLLING: Polling = Polling::IDENTITY_CENTER;

fn aws_with(sso_rules: &[&Rule], store_rules: &[&Rule]) -> Aws {
    mocked_aws(&Mocked { sso: sso_rules, store: store_rules, ..Mocked::default() })
}

fn one_instance() -> Rule {
    mock!(Sso::list_instances).then_output(|| {
        ListInstancesOutput::builder()
            .instances(InstanceMetadata::builder().instance_arn(INSTANCE).identity_store_id("d-1").build())
            .build()
    })
}

fn scope(permission_sets: &[&str]) -> IdentityCenterScope {
    IdentityCenterScope {
        instance_arn: None,
        permission_sets: permission_sets.iter().map(std::string::ToString::to_string).collect(),
        principals: BTreeSet::from([crate::model::Principal::Group("Admins".into())]),
        all_permission_sets: false,
        memberships: false,
        details: false,
    }
}

/// One managed permission set, Admin, provisioned to the given accounts; one group, Admins.
fn admin_rules(provisioned: &'static [&'static str]) -> Vec<Rule> {
    vec![
        one_instance(),
        mock!(Sso::list_permission_sets)
            .then_output(|| ListPermissionSetsOutput::builder().permission_sets(PS).build()),
        mock!(Sso::describe_permission_set).then_output(|| {
            DescribePermissionSetOutput::builder()
                .permission_set(
                    PermissionSet::builder().name("Admin").permission_set_arn(PS).session_duration("PT1H").build(),
                )
                .build()
        }),
        mock!(Sso::list_accounts_for_provisioned_permission_set).then_output(move || {
            ListAccountsForProvisionedPermissionSetOutput::builder()
                .set_account_ids(Some(provisioned.iter().map(std::string::ToString::to_string).collect()))
                .build()
        }),
        mock!(Sso::list_managed_policies_in_permission_set).then_output(|| {
            ListManagedPoliciesInPermissionSetOutput::builder()
                .attached_managed_policies(
                    AttachedManagedPolicy::builder().arn("arn:aws:iam::aws:policy/AdministratorAccess").build(),
                )
                .build()
        }),
        mock!(Sso::list_customer_managed_policy_references_in_permission_set)
            .then_output(|| ListCustomerManagedPolicyReferencesInPermissionSetOutput::builder().build()),
        mock!(Sso::get_inline_policy_for_permission_set)
            .then_output(|| GetInlinePolicyForPermissionSetOutput::builder().inline_policy("").build()),
        mock!(Sso::get_permissions_boundary_for_permission_set).then_output(|| {
            GetPermissionsBoundaryForPermissionSetOutput::builder()
                .permissions_boundary(
                    PermissionsBoundary::builder()
                        .managed_policy_arn("arn:aws:iam::aws:policy/PowerUserAccess")
                        .build(),
                )
                .build()
        }),
        mock!(Sso::list_tags_for_resource).then_output(|| {
            ListTagsForResourceOutput::builder()
                .tags(Tag::builder().key("owner").value("platform").build().unwrap())
                .build()
        }),
    ]
}

fn one_group() -> Rule {
    mock!(aws_sdk_identitystore::Client::list_groups).then_output(|| {
        ListGroupsOutput::builder()
            .groups(
                aws_sdk_identitystore::types::Group::builder()
                    .group_id("g-1")
                    .group_arn("arn:aws:identitystore::1:group/g-1")
                    .revision("1")
                    .display_name("Admins")
                    .identity_store_id("d-1")
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap()
    })
}

fn no_users() -> Rule {
    mock!(aws_sdk_identitystore::Client::list_users)
        .then_output(|| ListUsersOutput::builder().set_users(Some(vec![])).build().unwrap())
}

#[tokio::test(start_paused = true)]
async fn boundary_tags_and_policies_of_a_managed_set_are_read_and_assignments_per_pair_when_cheaper() {
    let mut rules = admin_rules(&["111111111111"]);
    let pairs = mock!(Sso::list_account_assignments).then_output(|| {
        ListAccountAssignmentsOutput::builder()
            .account_assignments(
                AccountAssignment::builder()
                    .account_id("111111111111")
                    .permission_set_arn(PS)
                    .principal_type(aws_sdk_ssoadmin::types::PrincipalType::Group)
                    .principal_id("g-1")
                    .build(),
            )
            .build()
    });
    let per_principal = mock!(Sso::list_account_assignments_for_principal)
        .then_output(|| ListAccountAssignmentsForPrincipalOutput::builder().build());
    rules.push(pairs);
    rules.push(per_principal);
    let groups = one_group();
    // Two principals would cost more than the one provisioned pair.
    let extra_user = mock!(aws_sdk_identitystore::Client::list_users).then_output(|| {
        ListUsersOutput::builder()
            .users(
                aws_sdk_identitystore::types::User::builder()
                    .user_id("u-1")
                    .user_arn("arn:aws:identitystore::1:user/u-1")
                    .revision("1")
                    .user_name("alice")
                    .identity_store_id("d-1")
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap()
    });
    let aws = aws_with(&rules.iter().collect::<Vec<_>>(), &[&groups, &extra_user]);
    let ic = aws.read_identity_center(&scope(&["Admin"])).await.expect("reads");
    let admin = &ic.permission_sets["Admin"];
    assert_eq!(
        admin.permissions_boundary,
        Readable::Known(Some(crate::model::Boundary::ManagedPolicyArn(
            "arn:aws:iam::aws:policy/PowerUserAccess".into()
        )))
    );
    assert_eq!(admin.tags, Readable::Known(BTreeMap::from([("owner".to_string(), "platform".to_string())])));
    assert_eq!(admin.managed_policies, BTreeSet::from(["arn:aws:iam::aws:policy/AdministratorAccess".to_string()]));
    assert_eq!(admin.inline_policy, None);
    assert_eq!(ic.principals[&crate::model::Principal::Group("Admins".into())], "g-1");
    assert_eq!(ic.assignments.len(), 1);
    assert_eq!(rules[9].num_calls(), 1, "listed per pair");
    assert_eq!(rules[10].num_calls(), 0, "not per principal");
    assert!(
        aws.pacer().notes()[0]
            .starts_with("assignments read per (permission set, account) pair (1), rather than per principal (2)"),
        "{:?}",
        aws.pacer().notes()
    );
}

#[tokio::test(start_paused = true)]
async fn assignments_are_read_per_principal_when_there_are_fewer_principals_than_pairs() {
    let mut rules = admin_rules(&["111111111111", "222222222222", "333333333333"]);
    rules.push(mock!(Sso::list_account_assignments).then_output(|| ListAccountAssignmentsOutput::builder().build()));
    rules.push(mock!(Sso::list_account_assignments_for_principal).then_output(|| {
        ListAccountAssignmentsForPrincipalOutput::builder()
            .account_assignments(
                AccountAssignmentForPrincipal::builder()
                    .account_id("222222222222")
                    .permission_set_arn(PS)
                    .principal_type(aws_sdk_ssoadmin::types::PrincipalType::Group)
                    .principal_id("g-1")
                    .build(),
            )
            .account_assignments(
                AccountAssignmentForPrincipal::builder()
                    .account_id("222222222222")
                    .permission_set_arn("arn:unmanaged")
                    .principal_type(aws_sdk_ssoadmin::types::PrincipalType::Group)
                    .principal_id("g-1")
                    .build(),
            )
            .build()
    }));
    let (groups, users) = (one_group(), no_users());
    let aws = aws_with(&rules.iter().collect::<Vec<_>>(), &[&groups, &users]);
    let ic = aws.read_identity_center(&scope(&["Admin"])).await.expect("reads");
    assert_eq!(rules[9].num_calls(), 0, "not per pair");
    assert_eq!(rules[10].num_calls(), 1, "one call for the one principal");
    assert_eq!(rules[3].num_calls(), 0, "no provisioning listing: its assignment shows Admin is provisioned");
    assert_eq!(ic.permission_sets["Admin"].provisioned_accounts, BTreeSet::from(["222222222222".to_string()]));
    let only: Vec<_> = ic.assignments.iter().map(|a| (a.permission_set.as_str(), a.account_id.as_str())).collect();
    assert_eq!(only, [("Admin", "222222222222")], "assignments of unmanaged sets are dropped");
}

/// Where a permission set is provisioned is listed only where the answer is used: a plan lists
/// a managed set that no assignment shows provisioned (a change to it must be provisioned, or
/// not); an inventory never lists.
#[tokio::test(start_paused = true)]
async fn provisioning_is_listed_only_where_the_command_uses_it() {
    for (inventory, listings) in [(false, 1), (true, 0)] {
        let mut rules = admin_rules(&["111111111111"]);
        rules.push(
            mock!(Sso::list_account_assignments_for_principal)
                .then_output(|| ListAccountAssignmentsForPrincipalOutput::builder().build()),
        );
        let (groups, users) = (one_group(), no_users());
        let aws = aws_with(&rules.iter().collect::<Vec<_>>(), &[&groups, &users]);
        let scope = IdentityCenterScope { all_permission_sets: inventory, ..scope(&["Admin"]) };
        let ic = aws.read_identity_center(&scope).await.expect("reads");
        assert_eq!(rules[9].num_calls(), 1, "inventory {inventory}: read per principal");
        assert_eq!(rules[3].num_calls(), listings, "inventory {inventory}: provisioning listings");
        let expected: BTreeSet<String> =
            if inventory { BTreeSet::new() } else { BTreeSet::from(["111111111111".to_string()]) };
        assert_eq!(ic.permission_sets["Admin"].provisioned_accounts, expected);
    }
}

#[tokio::test(start_paused = true)]
async fn no_instance_says_how_to_enable_identity_center() {
    let none = mock!(Sso::list_instances).then_output(|| ListInstancesOutput::builder().build());
    let aws = aws_with(&[&none], &[]);
    let err = aws.read_identity_center(&scope(&[])).await.unwrap_err();
    assert!(err.message.starts_with("IAM Identity Center is not enabled here: enable it"), "{err}");
}

#[tokio::test(start_paused = true)]
async fn two_instances_need_the_blueprint_to_name_one() {
    let two = mock!(Sso::list_instances).then_output(|| {
        ListInstancesOutput::builder()
            .instances(InstanceMetadata::builder().instance_arn("arn:a").identity_store_id("d-a").build())
            .instances(InstanceMetadata::builder().instance_arn("arn:b").identity_store_id("d-b").build())
            .build()
    });
    let aws = aws_with(&[&two], &[]);
    let err = aws.read_identity_center(&scope(&[])).await.unwrap_err();
    assert_eq!(err.message, "2 Identity Center instances; name one as identity_center.instance_arn: arn:a, arn:b");
}

#[tokio::test(start_paused = true)]
async fn reprovisioning_in_progress_then_failed_reports_the_reason() {
    let update = mock!(Sso::update_permission_set).then_output(|| UpdatePermissionSetOutput::builder().build());
    let provision = mock!(Sso::provision_permission_set).then_output(|| {
        ProvisionPermissionSetOutput::builder()
            .permission_set_provisioning_status(
                PermissionSetProvisioningStatus::builder().request_id("req-1").status(StatusValues::InProgress).build(),
            )
            .build()
    });
    let describe = mock!(Sso::describe_permission_set_provisioning_status)
        .sequence()
        .output(|| {
            DescribePermissionSetProvisioningStatusOutput::builder()
                .permission_set_provisioning_status(
                    PermissionSetProvisioningStatus::builder().status(StatusValues::InProgress).build(),
                )
                .build()
        })
        .output(|| {
            DescribePermissionSetProvisioningStatusOutput::builder()
                .permission_set_provisioning_status(
                    PermissionSetProvisioningStatus::builder()
                        .status(StatusValues::Failed)
                        .failure_reason("Policy arn:x does not exist in account 111111111111")
                        .build(),
                )
                .build()
        })
        .build();
    let aws = aws_with(&[&update, &provision, &describe], &[]);
    let change = PermissionSetChange { attributes: Some((None, "PT2H".into(), None)), ..Default::default() };
    let err = executor(&aws, POLLING)
        .call(&Call::IdentityCenter(IdentityCenterCall::UpdatePermissionSet {
            instance_arn: INSTANCE.into(),
            arn: PS.into(),
            change,
            reprovision: true,
        }))
        .await
        .unwrap_err();
    assert_eq!(err.operation, "sso-admin:ProvisionPermissionSet");
    assert_eq!(err.message, "failed: Policy arn:x does not exist in account 111111111111");
    assert_eq!(describe.num_calls(), 2);
}

fn group(id: &str) -> PrincipalId {
    PrincipalId { kind: PrincipalKind::Group, id: id.into() }
}

#[tokio::test(start_paused = true)]
async fn an_assignment_in_progress_then_failed_names_the_assignment_and_the_reason() {
    let list = mock!(Sso::list_account_assignments).then_output(|| ListAccountAssignmentsOutput::builder().build());
    let create = mock!(Sso::create_account_assignment).then_output(|| {
        CreateAccountAssignmentOutput::builder()
            .account_assignment_creation_status(
                AccountAssignmentOperationStatus::builder()
                    .request_id("req-2")
                    .status(StatusValues::InProgress)
                    .build(),
            )
            .build()
    });
    let describe = mock!(Sso::describe_account_assignment_creation_status)
        .sequence()
        .output(|| {
            DescribeAccountAssignmentCreationStatusOutput::builder()
                .account_assignment_creation_status(
                    AccountAssignmentOperationStatus::builder().status(StatusValues::InProgress).build(),
                )
                .build()
        })
        .output(|| {
            DescribeAccountAssignmentCreationStatusOutput::builder()
                .account_assignment_creation_status(
                    AccountAssignmentOperationStatus::builder()
                        .status(StatusValues::Failed)
                        .failure_reason("Received a 404 status error: customer managed policy lz-extra not found")
                        .build(),
                )
                .build()
        })
        .build();
    let aws = aws_with(&[&list, &create, &describe], &[]);
    let err = executor(&aws, POLLING)
        .call(&Call::IdentityCenter(IdentityCenterCall::CreateAssignment {
            instance_arn: INSTANCE.into(),
            permission_set_arn: PS.into(),
            principal: group("g-1"),
            account_id: "111111111111".into(),
        }))
        .await
        .unwrap_err();
    assert_eq!(err.resource, format!("group g-1 → {PS} @ 111111111111"));
    assert_eq!(err.message, "failed: Received a 404 status error: customer managed policy lz-extra not found");
}

/// The plan's read is the look before a create; after a create AWS refused, lzctl looks again:
/// an assignment made meanwhile is there, which is what was wanted.
#[tokio::test(start_paused = true)]
async fn an_assignment_refused_because_it_exists_is_found_not_failed() {
    let list = mock!(Sso::list_account_assignments).then_output(|| {
        ListAccountAssignmentsOutput::builder()
            .account_assignments(
                AccountAssignment::builder()
                    .account_id("111111111111")
                    .permission_set_arn(PS)
                    .principal_id("g-1")
                    .build(),
            )
            .build()
    });
    let create = mock!(Sso::create_account_assignment)
        .sequence()
        .http_status(400, Some(aws_error("ValidationException", "the assignment already exists")))
        .build();
    let aws = aws_with(&[&create, &list], &[]);
    let out = executor(&aws, POLLING).call(&create_assignment_call()).await;
    assert_eq!(out, Ok(None));
    assert_eq!((create.num_calls(), list.num_calls()), (1, 1), "no look before the create; one after its refusal");
}

/// A typical assignment (done within two seconds) costs one status call; a slow one is asked
/// about less and less often, so outstanding operations leave the shared budget to the rest.
#[tokio::test(start_paused = true)]
async fn status_calls_wait_for_a_typical_operation_then_back_off() {
    // Pauses: 2 s, then 1, 1.5, 2.25, 3.375 and at most 5 s.
    for (polls, expected_secs) in [(1_usize, 2_u64), (6, 15)] {
        let create = mock!(Sso::create_account_assignment).then_output(|| {
            CreateAccountAssignmentOutput::builder()
                .account_assignment_creation_status(
                    AccountAssignmentOperationStatus::builder()
                        .request_id("req-3")
                        .status(StatusValues::InProgress)
                        .build(),
                )
                .build()
        });
        let status = |value: StatusValues| {
            move || {
                DescribeAccountAssignmentCreationStatusOutput::builder()
                    .account_assignment_creation_status(
                        AccountAssignmentOperationStatus::builder().status(value.clone()).build(),
                    )
                    .build()
            }
        };
        let mut describe = mock!(Sso::describe_account_assignment_creation_status).sequence();
        if polls > 1 {
            describe = describe.output(status(StatusValues::InProgress)).times(polls - 1);
        }
        let describe = describe.output(status(StatusValues::Succeeded)).build();
        let aws = aws_with(&[&create, &describe], &[]);
        let started = tokio::time::Instant::now();
        let out = executor(&aws, POLLING).call(&create_assignment_call()).await;
        assert_eq!(out, Ok(None));
        assert_eq!(describe.num_calls(), polls, "one status call per pause");
        assert_eq!(started.elapsed().as_secs(), expected_secs, "{polls} status calls: 2s, then 1s backing off");
    }
}

fn create_assignment_call() -> Call {
    Call::IdentityCenter(IdentityCenterCall::CreateAssignment {
        instance_arn: INSTANCE.into(),
        permission_set_arn: PS.into(),
        principal: group("g-1"),
        account_id: "111111111111".into(),
    })
}

#[tokio::test(start_paused = true)]
async fn conflicts_and_throttling_back_off_and_retry() {
    let update = mock!(Sso::update_permission_set)
        .sequence()
        .http_status(
            400,
            Some(aws_error("ConflictException", "another operation is in progress for this permission set")),
        )
        .times(2)
        .http_status(400, Some(aws_error("ThrottlingException", "Rate exceeded")))
        .output(|| UpdatePermissionSetOutput::builder().build())
        .build();
    let aws = aws_with(&[&update], &[]);
    let change = PermissionSetChange { attributes: Some((None, "PT2H".into(), None)), ..Default::default() };
    let out = executor(&aws, POLLING)
        .call(&Call::IdentityCenter(IdentityCenterCall::UpdatePermissionSet {
            instance_arn: INSTANCE.into(),
            arn: PS.into(),
            change,
            reprovision: false,
        }))
        .await;
    assert_eq!(out, Ok(None));
    let stats = aws.pacer().stats()[&sso_admin::UPDATE_PERMISSION_SET];
    assert_eq!((stats.calls, stats.throttled, stats.retried), (4, 1, 3));
}

#[tokio::test(start_paused = true)]
async fn a_duplicate_name_is_not_retried_as_a_conflict_but_found() {
    let create = mock!(Sso::create_permission_set)
        .sequence()
        .http_status(400, Some(aws_error("ConflictException", "PermissionSet with name Admin already exists")))
        .build();
    let list = mock!(Sso::list_permission_sets)
        .then_output(|| ListPermissionSetsOutput::builder().permission_sets(PS).build());
    let describe = mock!(Sso::describe_permission_set).then_output(|| {
        DescribePermissionSetOutput::builder()
            .permission_set(PermissionSet::builder().name("Admin").permission_set_arn(PS).build())
            .build()
    });
    let aws = aws_with(&[&create, &list, &describe], &[]);
    let spec = crate::plan::PermissionSetSpec {
        name: "Admin".into(),
        description: None,
        session_duration: "PT1H".into(),
        relay_state: None,
        managed_policies: BTreeSet::new(),
        customer_managed_policies: BTreeSet::new(),
        inline_policy: None,
        permissions_boundary: None,
        tags: BTreeMap::new(),
    };
    let out = executor(&aws, POLLING)
        .call(&Call::IdentityCenter(IdentityCenterCall::CreatePermissionSet { instance_arn: INSTANCE.into(), spec }))
        .await;
    assert_eq!(out, Ok(Some(PS.to_string())));
    assert_eq!(create.num_calls(), 1, "a taken name is final, not retried");
}

#[tokio::test(start_paused = true)]
async fn a_new_permission_set_gets_its_policies_and_boundary_in_their_own_calls() {
    use aws_sdk_ssoadmin::operation::{
        attach_customer_managed_policy_reference_to_permission_set::AttachCustomerManagedPolicyReferenceToPermissionSetOutput,
        attach_managed_policy_to_permission_set::AttachManagedPolicyToPermissionSetOutput,
        create_permission_set::CreatePermissionSetOutput,
        put_inline_policy_to_permission_set::PutInlinePolicyToPermissionSetOutput,
        put_permissions_boundary_to_permission_set::PutPermissionsBoundaryToPermissionSetOutput,
    };
    let create = mock!(Sso::create_permission_set)
        .match_requests(|r| {
            r.session_duration() == Some("PT8H") && r.tags().len() == 1 && r.relay_state() == Some("https://x/")
        })
        .then_output(|| {
            CreatePermissionSetOutput::builder()
                .permission_set(PermissionSet::builder().permission_set_arn(PS).build())
                .build()
        });
    let managed = mock!(Sso::attach_managed_policy_to_permission_set)
        .then_output(|| AttachManagedPolicyToPermissionSetOutput::builder().build());
    let customer = mock!(Sso::attach_customer_managed_policy_reference_to_permission_set)
        .match_requests(|r| {
            r.customer_managed_policy_reference().is_some_and(|c| c.name() == "lz-extra" && c.path() == Some("/"))
        })
        .then_output(|| AttachCustomerManagedPolicyReferenceToPermissionSetOutput::builder().build());
    let inline = mock!(Sso::put_inline_policy_to_permission_set)
        .then_output(|| PutInlinePolicyToPermissionSetOutput::builder().build());
    let boundary = mock!(Sso::put_permissions_boundary_to_permission_set)
        .match_requests(|r| {
            r.permissions_boundary().and_then(|b| b.managed_policy_arn())
                == Some("arn:aws:iam::aws:policy/PowerUserAccess")
        })
        .then_output(|| PutPermissionsBoundaryToPermissionSetOutput::builder().build());
    let aws = aws_with(&[&create, &managed, &customer, &inline, &boundary], &[]);
    let spec = crate::plan::PermissionSetSpec {
        name: "Developer".into(),
        description: Some("builders".into()),
        session_duration: "PT8H".into(),
        relay_state: Some("https://x/".into()),
        managed_policies: BTreeSet::from([
            "arn:aws:iam::aws:policy/PowerUserAccess".to_string(),
            "arn:aws:iam::aws:policy/ReadOnlyAccess".to_string(),
        ]),
        customer_managed_policies: BTreeSet::from([crate::model::PolicyReference {
            name: "lz-extra".into(),
            path: "/".into(),
        }]),
        inline_policy: Some(r#"{"Statement":[]}"#.into()),
        permissions_boundary: Some(crate::model::Boundary::ManagedPolicyArn(
            "arn:aws:iam::aws:policy/PowerUserAccess".into(),
        )),
        tags: BTreeMap::from([("owner".to_string(), "platform".to_string())]),
    };
    let out = executor(&aws, POLLING)
        .call(&Call::IdentityCenter(IdentityCenterCall::CreatePermissionSet { instance_arn: INSTANCE.into(), spec }))
        .await;
    assert_eq!(out, Ok(Some(PS.to_string())));
    assert_eq!(
        (create.num_calls(), managed.num_calls(), customer.num_calls(), inline.num_calls(), boundary.num_calls()),
        (1, 2, 1, 1, 1)
    );
}

#[tokio::test(start_paused = true)]
async fn an_attach_retried_after_a_lost_answer_is_done_when_aws_says_already_attached() {
    // The first attach went through but answered 500; the second answers ConflictException
    // ("already attached"): that is success, found by looking, not a conflict retried for a minute.
    const READ_ONLY: &str = "arn:aws:iam::aws:policy/ReadOnlyAccess";
    let attach = mock!(Sso::attach_managed_policy_to_permission_set)
        .sequence()
        .http_status(500, None)
        .http_status(400, Some(aws_error("ConflictException", "the policy is already attached")))
        .build();
    let listed = mock!(Sso::list_managed_policies_in_permission_set)
        .sequence()
        .output(|| ListManagedPoliciesInPermissionSetOutput::builder().build())
        .output(|| {
            ListManagedPoliciesInPermissionSetOutput::builder()
                .attached_managed_policies(
                    AttachedManagedPolicy::builder().arn(READ_ONLY).name("ReadOnlyAccess").build(),
                )
                .build()
        })
        .build();
    let aws = aws_with(&[&attach, &listed], &[]);
    let change = PermissionSetChange { attach_managed: BTreeSet::from([READ_ONLY.to_string()]), ..Default::default() };
    let started = tokio::time::Instant::now();
    let out = executor(&aws, POLLING)
        .call(&Call::IdentityCenter(IdentityCenterCall::UpdatePermissionSet {
            instance_arn: INSTANCE.into(),
            arn: PS.into(),
            change,
            reprovision: false,
        }))
        .await;
    assert_eq!(out, Ok(None));
    assert_eq!(attach.num_calls(), 2, "sent again once after looking, then done");
    assert!(started.elapsed() < Duration::from_secs(5), "no minute of conflict retries: {:?}", started.elapsed());
}
