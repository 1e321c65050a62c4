//! Creates that a retry never duplicates. After an ambiguous failure — the request may have
//! reached AWS, which may have acted on it — the create is not simply sent again: `look` first
//! searches for what the earlier attempt may have made, and only when it finds nothing is the
//! create sent again.

use super::Aws;
use super::api::Api;
use super::pacing::Pacer;
use crate::apply::CallError;
use aws_sdk_organizations::config::http::HttpResponse;
use aws_sdk_organizations::error::{ProvideErrorMetadata, SdkError};
use std::future::Future;

/// What a create came to.
pub(crate) enum Outcome<T, R> {
    /// This call made it; AWS's answer.
    Created(T),
    /// An earlier attempt made it: what `look` found.
    Found(R),
}

/// Sends `create` (paced, throttling retried); after an ambiguous failure runs `look` and sends
/// the create again only when it found nothing. A failure AWS answered definitely (an error code
/// such as "already exists") is handed back for the caller to judge.
pub(crate) async fn create_once<T, E, R, F, Fut, L, LFut>(
    aws: &Aws,
    api: Api,
    mut create: F,
    mut look: L,
) -> Result<Result<Outcome<T, R>, SdkError<E, HttpResponse>>, CallError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
    E: ProvideErrorMetadata,
    L: FnMut() -> LFut,
    LFut: Future<Output = Result<Option<R>, CallError>>,
{
    let attempts = aws.pacer.create_attempts();
    let mut attempt = 1;
    loop {
        match aws.pacer.create(api, &mut create).await {
            Ok(out) => return Ok(Ok(Outcome::Created(out))),
            Err(err) if attempt < attempts && Pacer::is_ambiguous(api, &err) => {
                aws.pacer.count_retry(api);
                tokio::time::sleep(aws.pacer.create_backoff(attempt - 1)).await;
                if let Some(found) = look().await? {
                    return Ok(Ok(Outcome::Found(found)));
                }
                attempt += 1;
            }
            Err(err) => return Ok(Err(err)),
        }
    }
}
