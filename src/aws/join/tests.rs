//! The `join` operation on mocks (the emulator has no handshakes; the SDK's mocks live here,
//! with the AWS layer): already a member, a member elsewhere without --leave-current, no
//! invitation from the named organization, leaving then accepting, AWS refusing the leave
//! (said as what to do), and a refused confirmation.

use crate::aws::test_support::{Mocked, aws_error, mocked_aws};
use crate::engine::{Joined, join};
use crate::error::Error;
use aws_sdk_organizations::Client;
use aws_sdk_organizations::operation::accept_handshake::AcceptHandshakeOutput;
use aws_sdk_organizations::operation::describe_organization::DescribeOrganizationOutput;
use aws_sdk_organizations::operation::leave_organization::LeaveOrganizationOutput;
use aws_sdk_organizations::operation::list_handshakes_for_account::ListHandshakesForAccountOutput;
use aws_sdk_organizations::types::{
    ActionType, Handshake, HandshakeParty, HandshakePartyType, HandshakeState, Organization,
};
use aws_smithy_mocks::{Rule, mock};

fn in_organization(id: &str) -> Rule {
    let id = id.to_string();
    mock!(Client::describe_organization).then_output(move || {
        DescribeOrganizationOutput::builder()
            .organization(Organization::builder().id(&id).master_account_id("999999999999").build())
            .build()
    })
}

fn in_none() -> Rule {
    mock!(Client::describe_organization)
        .sequence()
        .http_status(400, Some(aws_error("AWSOrganizationsNotInUseException", "not in an organization")))
        .build()
}

fn invited_by(organizations: &[&str]) -> Rule {
    let organizations: Vec<String> = organizations.iter().map(|o| (*o).to_string()).collect();
    mock!(Client::list_handshakes_for_account).then_output(move || {
        let mut out = ListHandshakesForAccountOutput::builder();
        for (i, org) in organizations.iter().enumerate() {
            out = out.handshakes(
                Handshake::builder()
                    .id(format!("h-{i}"))
                    .action(ActionType::InviteAccountToOrganization)
                    .state(HandshakeState::Open)
                    .parties(
                        HandshakeParty::builder().id(org).r#type(HandshakePartyType::Organization).build().unwrap(),
                    )
                    .parties(
                        HandshakeParty::builder()
                            .id("444455556666")
                            .r#type(HandshakePartyType::Account)
                            .build()
                            .unwrap(),
                    )
                    .build(),
            );
        }
        out.build()
    })
}

fn leaves() -> Rule {
    mock!(Client::leave_organization).then_output(|| LeaveOrganizationOutput::builder().build())
}

fn accepts(id: &'static str) -> Rule {
    mock!(Client::accept_handshake)
        .match_requests(move |r| r.handshake_id() == Some(id))
        .then_output(|| AcceptHandshakeOutput::builder().build())
}

#[tokio::test]
async fn already_a_member_does_nothing_and_a_member_elsewhere_must_say_leave() {
    let (member, list) = (in_organization("o-target"), invited_by(&["o-target"]));
    let aws = mocked_aws(&Mocked { org: &[&member, &list], ..Mocked::default() });
    assert_eq!(join(&aws, "o-target", false, |_| panic!("nothing to confirm")).await.unwrap(), Joined::AlreadyMember);
    assert_eq!(list.num_calls(), 0);

    let elsewhere = in_organization("o-old");
    let aws = mocked_aws(&Mocked { org: &[&elsewhere, &list], ..Mocked::default() });
    let err = join(&aws, "o-target", false, |_| panic!("refused before asking")).await.unwrap_err();
    assert!(matches!(&err, Error::MemberElsewhere { current, .. } if current == "o-old"), "{err:?}");
}

#[tokio::test]
async fn only_an_invitation_from_the_named_organization_is_accepted() {
    let (none, list) = (in_none(), invited_by(&["o-someone-else"]));
    let accept = accepts("h-0");
    let aws = mocked_aws(&Mocked { org: &[&none, &list, &accept], ..Mocked::default() });
    let err = join(&aws, "o-target", false, |_| panic!("nothing to accept")).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "this account holds no open invitation from o-target; it holds: o-someone-else (invitation h-0)"
    );
    assert_eq!(accept.num_calls(), 0, "never an invitation it was not told of");
}

#[tokio::test]
async fn it_leaves_then_accepts_after_asking() {
    let (old, list, leave, accept) =
        (in_organization("o-old"), invited_by(&["o-x", "o-target"]), leaves(), accepts("h-1"));
    let aws = mocked_aws(&Mocked { org: &[&old, &list, &leave, &accept], ..Mocked::default() });
    let mut asked = None;
    let joined = join(&aws, "o-target", true, |plan| {
        asked = Some(plan.clone());
        Ok(())
    })
    .await
    .unwrap();
    assert_eq!(joined, Joined::Joined { left: Some("o-old".into()) });
    let asked = asked.expect("asked first");
    assert_eq!((asked.invitation.handshake_id.as_str(), asked.leave.as_deref()), ("h-1", Some("o-old")));
    assert_eq!((leave.num_calls(), accept.num_calls()), (1, 1));
}

#[tokio::test]
async fn a_refusal_to_leave_says_what_to_do_and_a_no_changes_nothing() {
    let (old, list, accept) = (in_organization("o-old"), invited_by(&["o-target"]), accepts("h-0"));
    let refused = mock!(Client::leave_organization)
        .sequence()
        .http_status(
            400,
            Some(aws_error("ConstraintViolationException", "ACCOUNT_CANNOT_LEAVE_WITHOUT_PHONE_VERIFICATION")),
        )
        .build();
    let aws = mocked_aws(&Mocked { org: &[&old, &list, &refused, &accept], ..Mocked::default() });
    let err = join(&aws, "o-target", true, |_| Ok(())).await.unwrap_err().to_string();
    assert!(err.contains("organizations:LeaveOrganization on this account failed"), "{err}");
    assert!(err.contains("its own payment method, contact information and phone verification"), "{err}");
    assert_eq!(accept.num_calls(), 0);

    let master = mock!(Client::leave_organization)
        .sequence()
        .http_status(400, Some(aws_error("MasterCannotLeaveOrganizationException", "no")))
        .build();
    let aws = mocked_aws(&Mocked { org: &[&old, &list, &master], ..Mocked::default() });
    let err = join(&aws, "o-target", true, |_| Ok(())).await.unwrap_err().to_string();
    assert!(err.contains("management account, which cannot leave it"), "{err}");

    let leave = leaves();
    let aws = mocked_aws(&Mocked { org: &[&old, &list, &leave, &accept], ..Mocked::default() });
    let err = join(&aws, "o-target", true, |_| Err(Error::Cancelled { what: "join" })).await.unwrap_err();
    assert!(matches!(err, Error::Cancelled { .. }));
    assert_eq!((leave.num_calls(), accept.num_calls()), (0, 0), "a no changes nothing");
}
