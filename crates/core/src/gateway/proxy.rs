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
        if !self.done && self.meter.as_ref().is_some_and(Meter::saw_done) {
            // The client had the whole answer (`[DONE]` included) and closed before the engine's
            // end of stream was read: a complete answer, not one cut off.
            self.finish(None);
        } else if !self.done {
            // The client went away mid-answer: keep what was measured so far.
            let measured = self.meter.take().map(Meter::finish).unwrap_or_default();
            self.draft
                .take()
                .finish(RequestOutcome::ClientClosed, measured, None);
        }
    }
}

#[cfg(test)]
mod tests {
    use futures_util::StreamExt;

    use super::*;
    use crate::events::{Event, EventBus};
    use crate::gateway::admission::Lane;
    use crate::gateway::recorder::Recorder;

    /// The client reads the whole stream, `[DONE]` included, and closes before the engine's end
    /// of stream is read: the record is a complete answer, not one cut off.
    #[tokio::test]
    async fn a_client_that_closes_after_done_had_a_complete_answer() {
        let bus = EventBus::default();
        let mut events = bus.subscribe();
        let (recorder, _unwritten) = Recorder::new(bus);
        let Ok(lease) = Lane::new(1).admit(1).await else {
            panic!("an empty lane admits")
        };
        let answer = b"data: {\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}\n\ndata: [DONE]\n\n";
        let upstream = futures_util::stream::iter([Ok(Bytes::from_static(answer))])
            .chain(futures_util::stream::pending());
        let mut body = ObservedBody::new(
            Box::pin(upstream),
            Meter::new(Instant::now(), true, false),
            RecordDraft::new(recorder, "/chat/completions", "test"),
            200,
            true,
            "m".into(),
            lease,
        );
        assert!(body.next().await.is_some());
        drop(body);
        let mut outcomes = Vec::new();
        while let Ok(Event::GatewayRequest(record)) = events.try_recv() {
            outcomes.push(record.outcome);
        }
        assert_eq!(outcomes.last(), Some(&RequestOutcome::Ok), "{outcomes:?}");
    }
}
