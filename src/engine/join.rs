//! `lzctl join`: an account accepts the invitation of the organization it was told to join,
//! first leaving the one it is in when asked to. Never accepts an invitation it was not given
//! the organization of; asks first (the caller's `confirm`).

use crate::aws::Aws;
use crate::aws::join::Invitation;
use crate::error::Error;

/// What `join` is about to do, for the person to confirm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct JoinPlan {
    pub invitation: Invitation,
    /// The organization it leaves first.
    pub leave: Option<String>,
}

/// How it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Joined {
    /// Already a member of that organization: nothing done.
    AlreadyMember,
    /// Joined, after leaving this organization where it was in one.
    Joined { left: Option<String> },
}

pub(crate) async fn join(
    aws: &Aws,
    organization: &str,
    leave_current: bool,
    confirm: impl FnOnce(&JoinPlan) -> Result<(), Error>,
) -> Result<Joined, Error> {
    let current = aws.current_organization().await?.map(|(id, _)| id);
    if current.as_deref() == Some(organization) {
        return Ok(Joined::AlreadyMember);
    }
    if let Some(current) = &current
        && !leave_current
    {
        return Err(Error::MemberElsewhere { current: current.clone(), wanted: organization.to_string() });
    }
    let invitations = aws.open_invitations().await?;
    let Some(invitation) = invitations.iter().find(|i| i.organization_id == organization).cloned() else {
        return Err(Error::NotInvited {
            organization: organization.to_string(),
            open: invitations
                .iter()
                .map(|i| format!("{} (invitation {})", i.organization_id, i.handshake_id))
                .collect(),
        });
    };
    let plan = JoinPlan { invitation, leave: current };
    confirm(&plan)?;
    if plan.leave.is_some() {
        aws.leave_organization().await.map_err(|e| Error::JoinRefused(Box::new(e)))?;
    }
    aws.accept_invitation(&plan.invitation.handshake_id).await.map_err(|e| Error::JoinRefused(Box::new(e)))?;
    Ok(Joined::Joined { left: plan.leave })
}
