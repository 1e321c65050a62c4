//! SDK errors turned into words a platform engineer can act on: the operation, the resource,
//! AWS's code and message, and for connection failures, the endpoint and what to check.

use super::api::Api;
use crate::apply::CallError;
use aws_sdk_organizations::config::http::HttpResponse;
use aws_sdk_organizations::error::{ProvideErrorMetadata, SdkError};

/// The AWS error code of a failed call, if the service answered with one.
pub(super) fn code<E: ProvideErrorMetadata>(err: &SdkError<E, HttpResponse>) -> Option<&str> {
    err.code()
}

/// A failed SDK call, naming the API and the resource.
pub(super) fn call_error<E>(api: Api, resource: &str, err: &SdkError<E, HttpResponse>) -> CallError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    failed(api, resource, describe(err))
}

/// A call that AWS answered, but not with success (an operation that failed, a missing answer).
pub(super) fn failed(api: Api, resource: &str, message: String) -> CallError {
    CallError { operation: api.name(), resource: resource.to_string(), message }
}

fn describe<E>(err: &SdkError<E, HttpResponse>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match err {
        SdkError::ServiceError(_) => {
            let code = err.code().unwrap_or("error");
            let message = err.message().unwrap_or("");
            let hint = match code {
                "AWSOrganizationsNotInUseException" => {
                    " (this account is not in an organization: create one in the management account with `aws organizations create-organization --feature-set ALL`)"
                }
                "AccessDeniedException" => {
                    " (the credentials lack this permission; lzctl runs in the management account or a delegated administrator)"
                }
                _ => "",
            };
            let status = err.raw_response().map(|r| r.status().as_u16()).filter(|s| *s >= 500);
            match status {
                Some(status) if message.is_empty() => format!("{code} (HTTP {status}){hint}"),
                _ => format!("{code}: {message}{hint}"),
            }
        }
        SdkError::DispatchFailure(failure) => {
            let chain = error_chain(err);
            if failure.is_user() || chain.contains("credentials") {
                return format!(
                    "could not load AWS credentials: {chain}; set AWS_PROFILE (or --profile), run `aws sso login`, or export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"
                );
            }
            let endpoint = std::env::var("AWS_ENDPOINT_URL").ok().filter(|e| !e.is_empty());
            let target = endpoint.map_or("the AWS endpoint".to_string(), |e| format!("{e} (from AWS_ENDPOINT_URL)"));
            format!("could not reach {target}: {chain}; check the network, proxy and any custom CA bundle")
        }
        SdkError::TimeoutError(_) => "the request timed out".to_string(),
        _ => error_chain(err),
    }
}

/// An error and its sources, joined: "dispatch failure: io error: connection refused".
fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![err.to_string()];
    let mut source = err.source();
    while let Some(e) = source {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = e.source();
    }
    parts.join(": ")
}
