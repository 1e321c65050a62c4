//! Accounts through their life: invited (`join: invite`) until they accept, suspended in the
//! suspended OU, closed within AWS's closure quota; a retired account is never created again.

use super::*;

/// How many accounts AWS lets an organization close per rolling 30 days: 10% of its member
/// accounts, at least 10 and at most 1,000.
pub(crate) fn close_quota(members: usize) -> usize {
    (members / 10).clamp(10, 1000)
}

/// Account states AWS reports once CloseAccount was called.
pub(crate) const CLOSED_STATES: [&str; 3] = ["PENDING_CLOSURE", "SUSPENDED", "CLOSED"];

impl Planner<'_> {
    /// An account to invite that is not in the organization: invited, unless an invitation is
    /// open (then the plan says it waits); one declined, expired or cancelled is made again.
    pub(super) fn invite(&mut self, key: &str, account: &crate::blueprint::Account) {
        let id = account.id.clone().expect("validation requires an id to invite");
        let handshakes: Vec<&crate::live::LiveHandshake> =
            self.live.handshakes.iter().flatten().filter(|h| h.account_id == id).collect();
        let address = format!("account.{key}");
        if let Some(open) = handshakes.iter().find(|h| h.is_open()) {
            self.waiting.push(Unmanaged {
                address,
                kind: Kind::Account,
                note: format!(
                    "invited {}, waiting for acceptance (handshake {}, expires {}); in the account, run lzctl join --organization {}",
                    open.requested_at, open.id, open.expires_at, self.live.organization_id
                ),
            });
            return;
        }
        let last = handshakes.iter().max_by(|a, b| a.requested_at.cmp(&b.requested_at));
        let reason = match last {
            Some(h) => format!(
                "invite account {id} (join: invite); the last invitation, of {}, is {}",
                h.requested_at, h.state
            ),
            None => format!("invite account {id} into the organization (join: invite)"),
        };
        self.change(
            address,
            Action::Create,
            None,
            Some(json!({"id": id, "name": account.name, "email": account.email, "ou": account.ou.to_string(), "join": "invite"})),
            reason,
            Op::InviteAccount { key: key.to_string(), id },
        );
    }

    /// Closing more than AWS's quota allows would fail half-way: refused here instead.
    pub(super) fn check_close_quota(&self) -> Result<(), PlanError> {
        let planned = self.changes.iter().filter(|c| matches!(c.op, Op::CloseAccount { .. })).count();
        if planned == 0 {
            return Ok(());
        }
        let members = self.live.accounts.values().filter(|a| a.id != self.live.management_account_id);
        let (members, recent) =
            members.fold((0, 0), |(n, r), a| (n + 1, r + usize::from(CLOSED_STATES.contains(&a.status.as_str()))));
        let allowed = close_quota(members);
        if planned + recent > allowed {
            return Err(PlanError::CloseQuota { planned, allowed, recent });
        }
        Ok(())
    }

    /// A suspended or closed account: never created again; once closed (or closing) left as it
    /// is; otherwise moved to the suspended OU as any account is, and with `closed` then closed.
    /// True where nothing else is to be planned for it.
    pub(super) fn retired(
        &mut self,
        key: &str,
        account: &crate::blueprint::Account,
        live: Option<&crate::live::LiveAccount>,
    ) -> bool {
        use crate::model::Lifecycle;
        if account.lifecycle == Lifecycle::Active {
            return false;
        }
        let Some(live) = live else {
            self.warnings.push(format!(
                "account {key} is {} in the blueprint and not in the organization: nothing to do (a retired account is never created again)",
                account.lifecycle.as_str()
            ));
            return true;
        };
        if CLOSED_STATES.contains(&live.status.as_str()) {
            if live.status == "PENDING_CLOSURE" {
                self.waiting.push(Unmanaged {
                    address: format!("account.{key}"),
                    kind: Kind::Account,
                    note: format!("closing: AWS reports {} ({}), SUSPENDED once done", live.status, live.id),
                });
            }
            return true;
        }
        if account.lifecycle == Lifecycle::Closed {
            self.change(
                format!("account.{key}"),
                Action::Delete,
                Some(json!({"name": live.name, "email": live.email, "id": live.id, "status": live.status})),
                None,
                "lifecycle: closed — CloseAccount, after the move to the suspended OU; irreversible after 90 days"
                    .to_string(),
                Op::CloseAccount { key: key.to_string(), id: live.id.clone() },
            );
        }
        false
    }
}
