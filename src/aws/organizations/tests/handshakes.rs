//! Invitations on mocks (the emulator has no handshakes): the organization's invitations are
//! read with the invited account, state and dates, other handshakes left out; an invitation
//! already open counts as made.

use crate::apply::{Call, Executor, OrganizationsCall};
use crate::aws::poll::Polling;
use crate::aws::test_support::{Mocked, aws_error, executor, mocked_aws};
use aws_sdk_organizations::Client;
use aws_sdk_organizations::operation::invite_account_to_organization::InviteAccountToOrganizationOutput;
use aws_sdk_organizations::operation::list_handshakes_for_organization::ListHandshakesForOrganizationOutput;
use aws_sdk_organizations::primitives::DateTime;
use aws_sdk_organizations::types::{ActionType, Handshake, HandshakeParty, HandshakePartyType, HandshakeState};
use aws_smithy_mocks::mock;
use std::time::Duration;

fn party(id: &str, kind: HandshakePartyType) -> HandshakeParty {
    HandshakeParty::builder().id(id).r#type(kind).build().unwrap()
}

fn handshake(id: &str, action: ActionType, state: HandshakeState) -> Handshake {
    Handshake::builder()
        .id(id)
        .action(action)
        .state(state)
        .parties(party("o-test", HandshakePartyType::Organization))
        .parties(party("444455556666", HandshakePartyType::Account))
        .requested_timestamp(DateTime::from_secs(1_764_064_800))
        .expiration_timestamp(DateTime::from_secs(1_765_360_800))
        .build()
}

#[tokio::test]
async fn invitations_are_read_with_their_account_state_and_dates() {
    let list = mock!(Client::list_handshakes_for_organization).then_output(|| {
        ListHandshakesForOrganizationOutput::builder()
            .handshakes(handshake("h-1", ActionType::InviteAccountToOrganization, HandshakeState::Open))
            .handshakes(handshake("h-2", ActionType::EnableAllFeatures, HandshakeState::Requested))
            .build()
    });
    let aws = mocked_aws(&Mocked { org: &[&list], ..Mocked::default() });
    let read = super::super::handshakes::read(&aws).await.expect("reads");
    assert_eq!(
        read,
        [crate::live::LiveHandshake {
            id: "h-1".into(),
            account_id: "444455556666".into(),
            state: "OPEN".into(),
            requested_at: "2025-11-25T10:00:00Z".into(),
            expires_at: "2025-12-10T10:00:00Z".into(),
        }]
    );
}

#[tokio::test]
async fn an_invitation_already_open_counts_as_made() {
    let invite = |account: &str| Call::Organizations(OrganizationsCall::InviteAccount { account_id: account.into() });
    let made = mock!(Client::invite_account_to_organization)
        .match_requests(|r| r.target().is_some_and(|t| t.id() == "444455556666"))
        .then_output(|| {
            InviteAccountToOrganizationOutput::builder()
                .handshake(handshake("h-9", ActionType::InviteAccountToOrganization, HandshakeState::Open))
                .build()
        });
    let aws = mocked_aws(&Mocked { org: &[&made], ..Mocked::default() });
    let polling = Polling::every(Duration::from_secs(5), Duration::from_secs(60));
    assert_eq!(executor(&aws, polling).call(&invite("444455556666")).await, Ok(Some("h-9".into())));

    let duplicate = mock!(Client::invite_account_to_organization)
        .sequence()
        .http_status(400, Some(aws_error("DuplicateHandshakeException", "already invited")))
        .build();
    let aws = mocked_aws(&Mocked { org: &[&duplicate], ..Mocked::default() });
    assert_eq!(executor(&aws, polling).call(&invite("444455556666")).await, Ok(None));
}
