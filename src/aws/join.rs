//! `lzctl join`, in the member account's own credentials: the organization it is in, the
//! invitations it holds, leaving its organization (AWS's refusals said as what to do), and
//! accepting an invitation — idempotent: one already accepted counts as accepted.

use super::Aws;
use super::api::organizations;
use super::errors::{call_error, code};
use crate::apply::CallError;
use aws_sdk_organizations::types as t;

/// An open invitation to join an organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Invitation {
    pub handshake_id: String,
    pub organization_id: String,
    /// RFC 3339.
    pub requested_at: String,
    pub expires_at: String,
}

impl Aws {
    /// The organization this account is in, and its management account; None outside any.
    pub(crate) async fn current_organization(&self) -> Result<Option<(String, String)>, CallError> {
        let described =
            self.pacer.call(organizations::DESCRIBE_ORGANIZATION, || self.org.describe_organization().send()).await;
        match described {
            Ok(out) => {
                let org = out.organization();
                let id = org.and_then(|o| o.id()).unwrap_or_default().to_string();
                let management = org.and_then(|o| o.master_account_id()).unwrap_or_default().to_string();
                Ok(Some((id, management)))
            }
            Err(e) if code(&e) == Some("AWSOrganizationsNotInUseException") => Ok(None),
            Err(e) => Err(call_error(organizations::DESCRIBE_ORGANIZATION, "this account's organization", &e)),
        }
    }

    /// The invitations this account holds that are still open.
    pub(crate) async fn open_invitations(&self) -> Result<Vec<Invitation>, CallError> {
        let org = &self.org;
        let found =
            all_pages!(self, organizations::LIST_HANDSHAKES_FOR_ACCOUNT, "this account", handshakes, |token| org
                .list_handshakes_for_account()
                .max_results(organizations::PAGE)
                .set_next_token(token.clone()));
        Ok(found
            .iter()
            .filter(|h| h.action() == Some(&t::ActionType::InviteAccountToOrganization))
            .filter(|h| matches!(h.state(), Some(t::HandshakeState::Open | t::HandshakeState::Requested)))
            .filter_map(|h| {
                let org = h.parties().iter().find(|p| p.r#type() == &t::HandshakePartyType::Organization)?;
                Some(Invitation {
                    handshake_id: h.id()?.to_string(),
                    organization_id: org.id().to_string(),
                    requested_at: super::rfc3339_of(h.requested_timestamp()),
                    expires_at: super::rfc3339_of(h.expiration_timestamp()),
                })
            })
            .collect())
    }

    /// Leaves the organization this account is in; AWS's refusals say what to do instead.
    pub(crate) async fn leave_organization(&self) -> Result<(), CallError> {
        let left = self.pacer.call(organizations::LEAVE_ORGANIZATION, || self.org.leave_organization().send()).await;
        match left {
            Ok(_) => Ok(()),
            Err(e) => {
                let mut error = call_error(organizations::LEAVE_ORGANIZATION, "this account", &e);
                if let Some(advice) = leave_advice(code(&e).unwrap_or_default(), &error.message) {
                    error.message = format!("{}: {advice}", error.message);
                }
                Err(error)
            }
        }
    }

    /// Accepts an invitation; one already accepted counts as accepted.
    pub(crate) async fn accept_invitation(&self, handshake_id: &str) -> Result<(), CallError> {
        let accepted = self
            .pacer
            .call(organizations::ACCEPT_HANDSHAKE, || self.org.accept_handshake().handshake_id(handshake_id).send())
            .await;
        match accepted {
            Ok(_) => Ok(()),
            Err(e) if code(&e) == Some("HandshakeAlreadyInStateException") => Ok(()),
            Err(e) => Err(call_error(organizations::ACCEPT_HANDSHAKE, &format!("invitation {handshake_id}"), &e)),
        }
    }
}

/// What to do about a refusal to leave, from AWS's error code and message.
pub(crate) fn leave_advice(code: &str, message: &str) -> Option<&'static str> {
    let message = message.to_ascii_uppercase();
    Some(if code == "MasterCannotLeaveOrganizationException" {
        "this is the organization's management account, which cannot leave it: move the other accounts out and delete the organization, or join with another account"
    } else if message.contains("DELEGATED") {
        "the account is a delegated administrator of its organization: deregister it there first (in the management account, DeregisterDelegatedAdministrator)"
    } else if message.contains("PHONE_VERIFICATION")
        || message.contains("EULA")
        || message.contains("PAYMENT")
        || message.contains("BILLING")
        || message.contains("CONTACT")
    {
        "to stand alone, the account needs its own payment method, contact information and phone verification: sign in to it as root, complete them in the Billing console, then run join again"
    } else if code == "ConstraintViolationException" {
        "AWS refused it for the reason above; the account must meet the standalone-account requirements (payment method, contact, phone verification) and hold no organization role"
    } else {
        return None;
    })
}

#[cfg(test)]
mod tests;
