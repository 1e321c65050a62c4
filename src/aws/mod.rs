//! The only place that talks to AWS: SDK clients built from the standard credential chain,
//! readers that turn live AWS into `LiveState`, and the executor that carries out a plan.
//! Everything above this module sees plain Rust types.

mod errors;
mod organizations;
pub mod pacing;

pub use organizations::{AccountPolling, OrgExecutor};

use crate::apply::CallError;
use crate::live::{LiveState, ReadScope};
use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
use pacing::{Pacer, RetryPolicy};
use std::sync::Arc;

/// Where and as whom to connect; None leaves the choice to the standard AWS chain.
#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    pub profile: Option<String>,
    pub region: Option<String>,
}

/// The SDK clients of one run, sharing one pacer.
#[derive(Clone)]
pub struct Aws {
    pub(crate) org: aws_sdk_organizations::Client,
    sts: aws_sdk_sts::Client,
    pub(crate) pacer: Arc<Pacer>,
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
    pub async fn connect(options: &ConnectOptions) -> Aws {
        let http_client =
            aws_smithy_http_client::Builder::new().tls_provider(Provider::Rustls(CryptoMode::Ring)).build_https();
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .http_client(http_client)
            // lzctl paces and retries every call itself (see pacing.rs).
            .retry_config(RetryConfig::disabled());
        if let Some(region) = &options.region {
            loader = loader.region(aws_config::Region::new(region.clone()));
        }
        if let Some(profile) = &options.profile {
            loader = loader.profile_name(profile);
        }
        let mut config = loader.load().await;
        if config.region().is_none() {
            config = config.to_builder().region(aws_config::Region::new(DEFAULT_REGION)).build();
        }
        Aws::from_clients(
            aws_sdk_organizations::Client::new(&config),
            aws_sdk_sts::Client::new(&config),
            Pacer::with_rate_scale(RetryPolicy::default(), rate_scale()),
        )
    }

    /// Wraps clients built elsewhere (tests build them on mocked HTTP).
    pub fn from_clients(org: aws_sdk_organizations::Client, sts: aws_sdk_sts::Client, pacer: Pacer) -> Aws {
        Aws { org, sts, pacer: Arc::new(pacer) }
    }

    pub fn pacer(&self) -> &Pacer {
        &self.pacer
    }

    /// The caller's ARN, as STS knows it.
    pub async fn caller_arn(&self) -> Result<String, CallError> {
        let out = self
            .pacer
            .call("sts.GetCallerIdentity", || self.sts.get_caller_identity().send())
            .await
            .map_err(|e| errors::call_error("sts:GetCallerIdentity", "the caller", &e))?;
        Ok(out.arn().unwrap_or_default().to_string())
    }

    /// Reads the organization: root, OU tree, accounts, SCPs/RCPs with attachments, and the
    /// tags and policy documents of what `scope` names.
    pub async fn read_organization(&self, scope: &ReadScope) -> Result<LiveState, CallError> {
        organizations::read(self, scope).await
    }

    pub fn executor(&self, polling: AccountPolling) -> OrgExecutor<'_> {
        OrgExecutor::new(self, polling)
    }
}

#[cfg(test)]
mod tests;
