//! Invitations (`join: invite`): the organization's handshakes as the plan needs them (which
//! account, in what state, since when), and InviteAccountToOrganization, idempotent: an
//! invitation already open for the account counts as made.

use crate::apply::CallError;
use crate::aws::Aws;
use crate::aws::api::organizations;
use crate::aws::errors::{call_error, code, failed};
use crate::live::LiveHandshake;
use aws_sdk_organizations::types as t;

pub(super) async fn read(aws: &Aws) -> Result<Vec<LiveHandshake>, CallError> {
    let org = &aws.org;
    let found = all_pages!(aws, organizations::LIST_HANDSHAKES, "the organization", handshakes, |token| org
        .list_handshakes_for_organization()
        .max_results(organizations::PAGE)
        .set_next_token(token.clone()));
    Ok(found.iter().filter_map(handshake).collect())
}

/// An invitation of an account; None for other handshakes.
fn handshake(h: &t::Handshake) -> Option<LiveHandshake> {
    if h.action() != Some(&t::ActionType::InviteAccountToOrganization) {
        return None;
    }
    let account = h.parties().iter().find(|p| p.r#type() == &t::HandshakePartyType::Account)?;
    Some(LiveHandshake {
        id: h.id().unwrap_or_default().to_string(),
        account_id: account.id().to_string(),
        state: h.state().map(|s| s.as_str().to_string()).unwrap_or_default(),
        requested_at: crate::aws::rfc3339_of(h.requested_timestamp()),
        expires_at: crate::aws::rfc3339_of(h.expiration_timestamp()),
    })
}

pub(super) async fn invite(aws: &Aws, account_id: &str) -> Result<Option<String>, CallError> {
    let org = &aws.org;
    let target = t::HandshakeParty::builder().id(account_id).r#type(t::HandshakePartyType::Account).build();
    let target =
        target.map_err(|e| failed(organizations::INVITE_ACCOUNT, &format!("account {account_id}"), e.to_string()))?;
    let sent = aws
        .pacer
        .call(organizations::INVITE_ACCOUNT, || org.invite_account_to_organization().target(target.clone()).send())
        .await;
    match sent {
        Ok(out) => Ok(out.handshake().and_then(|h| h.id()).map(str::to_string)),
        // An invitation made by an earlier, interrupted run is still open: the work is done.
        Err(e) if code(&e) == Some("DuplicateHandshakeException") => Ok(None),
        Err(e) => Err(call_error(organizations::INVITE_ACCOUNT, &format!("account {account_id}"), &e)),
    }
}
