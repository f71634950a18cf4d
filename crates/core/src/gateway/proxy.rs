//! The response side of the pass-through: the engine's body goes to the client byte for byte,
//! chunk by chunk as it arrives, while a [`Meter`] looks at a copy. The request's slot and
//! record live as long as the body: dropping it (the client went away) drops the upstream
//! connection, which makes the engine stop generating.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use bytes::Bytes;
use futures_util::Stream;

use super::admission::Lease;
use super::error::GatewayError;
use super::meter::Meter;
use super::recorder::RecordDraft;
use super::types::RequestOutcome;

type Upstream = Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send>>;

/// What the adapter sends back: the engine's status, its content type and the observed body.
pub struct GatewayResponse {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: ObservedBody,
}

pub struct ObservedBody {
    upstream: Upstream,
    meter: Option<Meter>,
    draft: RecordDraft,
    status: u16,
    sse: bool,
    model: String,
    done: bool,
    /// Held until the body ends: the request occupies one of the model's slots until then.
    _lease: Lease,
}

impl ObservedBody {
    pub(super) fn new(
        upstream: Upstream,
        meter: Meter,
        draft: RecordDraft,
        status: u16,
        sse: bool,
        model: String,
        lease: Lease,
    ) -> ObservedBody {
        ObservedBody {
            upstream,
            meter: Some(meter),
            draft,
            status,
            sse,
            model,
            done: false,
            _lease: lease,
        }
    }

    fn finish(&mut self, failure: Option<&GatewayError>) {
        self.done = true;
        let measured = self.meter.take().map(Meter::finish).unwrap_or_default();
        let outcome = match failure {
            Some(_) => RequestOutcome::Failed,
            None if self.status >= 400 || measured.stream_error => RequestOutcome::EngineError,
            None => RequestOutcome::Ok,
        };
        self.draft.take().finish(outcome, measured, failure);
    }
}

impl Stream for ObservedBody {
    type Item = Result<Bytes, std::io::Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.done {
            return Poll::Ready(None);
        }
        match self.upstream.as_mut().poll_next(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Some(Ok(bytes))) => {
                if let Some(meter) = &mut self.meter {
                    meter.observe(&bytes, Instant::now());
                }
                Poll::Ready(Some(Ok(bytes)))
            }
            Poll::Ready(None) => {
                self.finish(None);
                Poll::Ready(None)
            }
            Poll::Ready(Some(Err(err))) => {
                let failure = GatewayError::EngineUnreachable {
                    model: self.model.clone(),
                    detail: format!("the engine broke off its answer ({err})"),
                };
                self.finish(Some(&failure));
                if self.sse {
                    // A stream cannot change its status any more: end it with an OpenAI-shaped
                    // error event, which SDKs raise as an error.
                    let event = format!("data: {}\n\n", failure.openai_body());
                    Poll::Ready(Some(Ok(Bytes::from(event))))
                } else {
                    Poll::Ready(Some(Err(std::io::Error::other(failure.to_string()))))
                }
            }
        }
    }
}

impl Drop for ObservedBody {
    fn drop(&mut self) {
        if !self.done {
            // The client went away mid-answer: keep what was measured so far.
            let measured = self.meter.take().map(Meter::finish).unwrap_or_default();
            self.draft
                .take()
                .finish(RequestOutcome::ClientClosed, measured, None);
        }
    }
}
