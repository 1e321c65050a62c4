//! The only place that talks to AWS: SDK clients built from the standard credential chain,
//! readers that turn live AWS into `LiveState`, and the executor that carries out a plan.
//! Everything above this module sees plain Rust types.

/// Every page of a paginated list call, each page paced and counted under its API.
macro_rules! all_pages {
    ($aws:expr, $api:expr, $resource:expr, $items:ident, |$token:ident| $request:expr) => {{
        let mut items = Vec::new();
        let mut next: Option<String> = None;
        loop {
            let $token = next.clone();
            let out = $aws
                .pacer
                .call($api, || $request.send())
                .await
                .map_err(|e| $crate::aws::errors::call_error($api, &$resource, &e))?;
            items.extend(out.$items().iter().cloned());
            next = out.next_token().map(str::to_string);
            if next.is_none() {
                break;
            }
        }
        items
    }};
}

pub(crate) mod api;
pub(crate) mod cloudtrail;
pub(crate) mod config;
mod create;
mod errors;
mod executor;
mod iam;
mod identity_center;
pub(crate) mod join;
mod organizations;
pub(crate) mod pacing;
mod poll;
pub(crate) mod s3;
mod stack_sets;

/// An AWS timestamp as RFC 3339 UTC; empty where AWS gave none.
fn rfc3339_of(at: Option<&aws_sdk_organizations::primitives::DateTime>) -> String {
    at.map(|d| crate::model::rfc3339(u64::try_from(d.secs()).unwrap_or(0))).unwrap_or_default()
}

pub(crate) use executor::{AwsExecutor, Pollings};
pub(crate) use poll::Waiting;

use crate::apply::CallError;
use crate::live::{LiveState, ReadScope, RootUserRow};
use api::sts;
use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
use pacing::{Pacer, RetryPolicy};
use std::collections::BTreeSet;
use std::sync::Arc;

/// Where and as whom to connect; None leaves the choice to the standard AWS chain.
#[derive(Debug, Clone, Default)]
pub(crate) struct ConnectOptions {
    pub profile: Option<String>,
    pub region: Option<String>,
}

/// The SDK clients of one run, sharing one pacer.
#[derive(Clone)]
pub(crate) struct Aws {
    pub(crate) org: aws_sdk_organizations::Client,
    sts: aws_sdk_sts::Client,
    pub(crate) sso: aws_sdk_ssoadmin::Client,
    pub(crate) identitystore: aws_sdk_identitystore::Client,
    pub(crate) cfn: aws_sdk_cloudformation::Client,
    pub(crate) iam: aws_sdk_iam::Client,
    /// For reading member accounts (config-status): the shared configuration to assume from.
    pub(crate) config: Option<aws_config::SdkConfig>,
    /// IAM clients in member accounts, from a root session's credentials (root-status).
    pub(crate) member_iam: Option<iam::MemberIam>,
    pub(crate) pacer: Arc<Pacer>,
}

/// The SDK clients lzctl uses.
pub(crate) struct Clients {
    pub org: aws_sdk_organizations::Client,
    pub sts: aws_sdk_sts::Client,
    pub sso: aws_sdk_ssoadmin::Client,
    pub identitystore: aws_sdk_identitystore::Client,
    pub cfn: aws_sdk_cloudformation::Client,
    pub iam: aws_sdk_iam::Client,
}

/// Organizations is a global service served from us-east-1; other services follow the profile.
const DEFAULT_REGION: &str = "us-east-1";

/// `LZCTL_RATE_SCALE` multiplies the published API rates. It exists for emulators, which have no
/// limits; against AWS leave it unset (1), since a higher rate only earns throttling.
fn rate_scale() -> f64 {
    std::env::var("LZCTL_RATE_SCALE")
        .ok()
        .and_then(|v| v.parse::<f64>().ok())
        .filter(|s| *s > 0.0 && s.is_finite())
        .unwrap_or(1.0)
}

impl Aws {
    /// Connects with the standard credential chain, or — with `--profile` — with that profile's
    /// credentials even where the environment holds others (as the AWS CLI does). A profile that
    /// does not resolve is an error here, before anything is read.
    pub(crate) async fn connect(options: &ConnectOptions) -> Result<Aws, CallError> {
        let http_client =
            aws_smithy_http_client::Builder::new().tls_provider(Provider::Rustls(CryptoMode::Ring)).build_https();
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .http_client(http_client.clone())
            // lzctl paces and retries every call itself (see pacing.rs).
            .retry_config(RetryConfig::disabled());
        if let Some(region) = &options.region {
            loader = loader.region(aws_config::Region::new(region.clone()));
        }
        if let Some(profile) = &options.profile {
            let region = options.region.clone().map(aws_config::Region::new);
            let provider_config = aws_config::provider_config::ProviderConfig::default()
                .with_http_client(http_client)
                .with_region(region);
            let provider = aws_config::profile::ProfileFileCredentialsProvider::builder()
                .configure(&provider_config)
                .profile_name(profile)
                .build();
            if let Err(err) = aws_sdk_sts::config::ProvideCredentials::provide_credentials(&provider).await {
                return Err(errors::failed(
                    api::sts::CREDENTIALS,
                    &format!("profile {profile}"),
                    format!(
                        "{err}; check the profile's name (aws configure list-profiles) or run `aws sso login --profile {profile}`"
                    ),
                ));
            }
            loader = loader.profile_name(profile).credentials_provider(provider);
        }
        let mut config = loader.load().await;
        if config.region().is_none() {
            config = config.to_builder().region(aws_config::Region::new(DEFAULT_REGION)).build();
        }
        let clients = Clients {
            org: aws_sdk_organizations::Client::new(&config),
            sts: aws_sdk_sts::Client::new(&config),
            sso: aws_sdk_ssoadmin::Client::new(&config),
            identitystore: aws_sdk_identitystore::Client::new(&config),
            cfn: aws_sdk_cloudformation::Client::new(&config),
            iam: aws_sdk_iam::Client::new(&config),
        };
        let mut aws = Aws::from_clients(clients, Pacer::with_rate_scale(RetryPolicy::default(), rate_scale()));
        let base = config.clone();
        aws.member_iam = Some(std::sync::Arc::new(move |_account: &str, credentials| {
            aws_sdk_iam::Client::from_conf(
                aws_sdk_iam::config::Builder::from(&base).credentials_provider(credentials).build(),
            )
        }));
        aws.config = Some(config);
        Ok(aws)
    }

    /// Wraps clients built elsewhere (tests build them on mocked HTTP).
    pub(crate) fn from_clients(clients: Clients, pacer: Pacer) -> Aws {
        let Clients { org, sts, sso, identitystore, cfn, iam } = clients;
        Aws { org, sts, sso, identitystore, cfn, iam, config: None, member_iam: None, pacer: Arc::new(pacer) }
    }

    pub(crate) fn pacer(&self) -> &Pacer {
        &self.pacer
    }

    /// The caller's ARN, as STS knows it.
    pub(crate) async fn caller_arn(&self) -> Result<String, CallError> {
        let out = self
            .pacer
            .call(sts::GET_CALLER_IDENTITY, || self.sts.get_caller_identity().send())
            .await
            .map_err(|e| errors::call_error(sts::GET_CALLER_IDENTITY, "the caller", &e))?;
        Ok(out.arn().unwrap_or_default().to_string())
    }

    /// Reads the organization: root, OU tree, accounts, SCPs/RCPs with attachments, and the
    /// tags and policy documents of what `scope` names.
    pub(crate) async fn read_organization(&self, scope: &ReadScope) -> Result<LiveState, CallError> {
        organizations::read(self, scope, None).await
    }

    /// Reads everything `scope` names, each service at its own pace and all at once: the
    /// organization and, where the scope names it, Identity Center (instance, permission sets,
    /// principals and the assignments of the managed permission sets). `wanted_pairs` is asked,
    /// as soon as the tree is read, which (permission set, account) pairs the blueprint wants
    /// among the accounts there: what chooses how assignments are read.
    pub(crate) async fn read(
        &self,
        scope: &ReadScope,
        wanted_pairs: impl FnOnce(&LiveState) -> BTreeSet<(String, String)>,
    ) -> Result<LiveState, CallError> {
        let Some(ic_scope) = &scope.identity_center else { return self.read_organization(scope).await };
        let (tree_tx, tree_rx) = futures::channel::oneshot::channel();
        let pairs = async move {
            // Only a failed organization read drops the sender, and that failure ends the read.
            tree_rx.await.map(|tree| wanted_pairs(&tree)).unwrap_or_default()
        };
        let (mut live, ic) = futures::try_join!(
            organizations::read(self, scope, Some(tree_tx)),
            identity_center::read(self, ic_scope, pairs),
        )?;
        live.identity_center = Some(ic);
        Ok(live)
    }

    /// The root user of every given member account (id, name): whether it still has a
    /// password, access keys, MFA devices or signing certificates, read through a root session.
    pub(crate) async fn root_users(&self, accounts: &[(String, String)]) -> Result<Vec<RootUserRow>, CallError> {
        let caller = self.caller_arn().await?;
        let partition = caller.split(':').nth(1).filter(|p| !p.is_empty()).unwrap_or("aws").to_string();
        Ok(iam::root_users(self, accounts, &partition).await)
    }

    /// AWS's effective management policy of `policy_type` for an account; None where no
    /// policy of the type reaches it.
    pub(crate) async fn effective_policy(
        &self,
        policy_type: crate::model::PolicyType,
        account_id: &str,
    ) -> Result<Option<serde_json::Value>, CallError> {
        organizations::effective_policy(self, policy_type, account_id).await
    }

    /// The organization's root id.
    pub(crate) async fn root_id(&self) -> Result<String, CallError> {
        let roots = all_pages!(self, api::organizations::LIST_ROOTS, "the organization", roots, |token| self
            .org
            .list_roots()
            .max_results(api::organizations::PAGE)
            .set_next_token(token.clone()));
        roots.first().and_then(|r| r.id()).map(str::to_string).ok_or_else(|| {
            errors::failed(api::organizations::LIST_ROOTS, "the organization", "the organization has no root".into())
        })
    }

    /// The tags of one root, OU or account, read now.
    pub(crate) async fn tags_of(&self, id: &str) -> Result<std::collections::BTreeMap<String, String>, CallError> {
        organizations::tags_of(self, id).await
    }

    /// Sets one tag on a root, OU or account.
    pub(crate) async fn set_tag(&self, id: &str, key: &str, value: &str) -> Result<(), CallError> {
        let tag =
            aws_sdk_organizations::types::Tag::builder().key(key).value(value).build().expect("key and value set");
        self.pacer
            .call(api::organizations::TAG_RESOURCE, || self.org.tag_resource().resource_id(id).tags(tag.clone()).send())
            .await
            .map(|_| ())
            .map_err(|e| errors::call_error(api::organizations::TAG_RESOURCE, id, &e))
    }

    /// Removes one tag from a root, OU or account; a tag that is not there is fine.
    pub(crate) async fn remove_tag(&self, id: &str, key: &str) -> Result<(), CallError> {
        self.pacer
            .call(api::organizations::UNTAG_RESOURCE, || self.org.untag_resource().resource_id(id).tag_keys(key).send())
            .await
            .map(|_| ())
            .map_err(|e| errors::call_error(api::organizations::UNTAG_RESOURCE, id, &e))
    }

    /// `pause` at this run's pace (shorter against an emulator, see LZCTL_RATE_SCALE).
    pub(crate) fn paced(&self, pause: std::time::Duration) -> std::time::Duration {
        self.pacer.scaled(pause)
    }

    /// Reads Identity Center alone, wanting no particular pairs.
    #[cfg(test)]
    pub(crate) async fn read_identity_center(
        &self,
        scope: &crate::live::IdentityCenterScope,
    ) -> Result<crate::live::LiveIdentityCenter, CallError> {
        identity_center::read(self, scope, async { BTreeSet::new() }).await
    }

    /// The executor `apply` runs calls through; `progress` hears of operations still running.
    pub(crate) fn executor<'a>(&'a self, progress: poll::Progress<'a>) -> AwsExecutor<'a> {
        AwsExecutor::new(self, Pollings::default(), progress)
    }
}

#[cfg(test)]
pub(crate) mod test_support;
