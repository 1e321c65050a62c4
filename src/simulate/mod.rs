//! Count mode (`lzctl simulate`, issue 13): recorded activity replayed through SCPs and RCPs
//! before they are attached. So far: CloudTrail records turned into requests for the policy
//! engine; reading events, placing accounts and reporting come next.

pub(crate) mod cloudtrail;
