//! Per-model admission: at most `concurrency` requests at once, then a bounded queue served in
//! arrival order (tokio's semaphore is fair), then 429.

use std::sync::atomic::{AtomicI64, AtomicU32, Ordering};
use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::time::now_ms;

/// One model's lane.
pub struct Lane {
    pub concurrency: u32,
    permits: Arc<Semaphore>,
    waiting: AtomicU32,
    /// Requests on their way (waiting for a start) that will ask for a slot.
    arriving: AtomicU32,
    in_flight: AtomicU32,
    /// When a request last ended or began (ms since the epoch), for idle stops and eviction.
    last_used_ms: AtomicI64,
}

/// The queue is full: how many wait.
pub struct Full {
    pub queued: u32,
}

impl Lane {
    pub fn new(concurrency: u32) -> Arc<Lane> {
        Arc::new(Lane {
            concurrency,
            permits: Arc::new(Semaphore::new(concurrency as usize)),
            waiting: AtomicU32::new(0),
            arriving: AtomicU32::new(0),
            in_flight: AtomicU32::new(0),
            last_used_ms: AtomicI64::new(now_ms()),
        })
    }

    pub fn waiting(&self) -> u32 {
        self.waiting.load(Ordering::Relaxed)
    }

    pub fn in_flight(&self) -> u32 {
        self.in_flight.load(Ordering::Relaxed)
    }

    /// Nobody is being answered, waiting, or on the way.
    pub fn is_idle(&self) -> bool {
        self.in_flight() == 0 && self.waiting() == 0 && self.arriving.load(Ordering::SeqCst) == 0
    }

    /// Counts a request that will ask for a slot once its model runs, until the guard drops.
    pub fn admit_later(self: &Arc<Lane>) -> Arrival {
        self.arriving.fetch_add(1, Ordering::SeqCst);
        Arrival(self.clone())
    }

    pub fn last_used_ms(&self) -> i64 {
        self.last_used_ms.load(Ordering::Relaxed)
    }

    pub fn touch(&self) {
        self.last_used_ms.store(now_ms(), Ordering::Relaxed);
    }

    /// A slot now, or after the requests ahead of this one; `Full` when `queue_limit` wait
    /// already. Dropping the future leaves the queue.
    pub async fn admit(self: &Arc<Lane>, queue_limit: u32) -> Result<Lease, Full> {
        if let Ok(permit) = self.permits.clone().try_acquire_owned() {
            return Ok(self.lease(permit));
        }
        // Counted before waiting, uncounted by the guard even when the caller goes away.
        let queued = self.waiting.fetch_add(1, Ordering::SeqCst);
        let _waiting = Waiting(self);
        if queued >= queue_limit {
            return Err(Full { queued });
        }
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .expect("a lane's semaphore is never closed");
        Ok(self.lease(permit))
    }

    fn lease(self: &Arc<Lane>, permit: OwnedSemaphorePermit) -> Lease {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        self.touch();
        Lease {
            lane: self.clone(),
            _permit: permit,
        }
    }
}

pub struct Arrival(Arc<Lane>);

impl Drop for Arrival {
    fn drop(&mut self) {
        self.0.arriving.fetch_sub(1, Ordering::SeqCst);
    }
}

struct Waiting<'a>(&'a Lane);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.waiting.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A slot held for one request until its response ends (or is dropped).
pub struct Lease {
    lane: Arc<Lane>,
    _permit: OwnedSemaphorePermit,
}

impl Drop for Lease {
    fn drop(&mut self) {
        self.lane.touch();
        self.lane.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn beyond_the_slots_requests_queue_in_order_then_are_refused() {
        let lane = Lane::new(1);
        let first = lane.admit(2).await.ok().unwrap();
        let order = Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut waiters = Vec::new();
        for i in 0..2 {
            let (waiter_lane, order) = (lane.clone(), order.clone());
            waiters.push(tokio::spawn(async move {
                let lease = waiter_lane.admit(2).await.ok().unwrap();
                order.lock().unwrap().push(i);
                drop(lease);
            }));
            tokio::task::yield_now().await;
            while lane.waiting() < i + 1 {
                tokio::task::yield_now().await;
            }
        }
        assert_eq!(lane.waiting(), 2);
        assert!(matches!(lane.admit(2).await, Err(Full { queued: 2 })));
        assert_eq!(lane.waiting(), 2, "a refused request does not stay counted");
        drop(first);
        for waiter in waiters {
            waiter.await.unwrap();
        }
        assert_eq!(*order.lock().unwrap(), [0, 1]);
        assert!(lane.is_idle());
    }
}
