//! Drives the load: warm-up, then each level in turn. A level is a schedule of send times (all
//! at once for a concurrency level, Poisson arrivals for a rate) and a limit on requests in
//! flight; its outcomes are collected as they end and summed up by `metrics.rs`.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, Semaphore};
use tokio_util::sync::CancellationToken;

use super::error::BenchError;
use super::metrics::{level_result, Level, TokenEvents};
use super::request::{Outcome, Sender};
use super::types::{BenchmarkProgress, BenchmarkSpec, LevelResult, LoadPattern};
use super::workload::{Pick, Prompts, Rng};

pub const MAX_REQUESTS: u32 = 100_000;
pub const MAX_LEVELS: usize = 16;
pub const MAX_CONCURRENCY: u32 = 1024;
pub const MAX_RATE: f64 = 10_000.0;
pub const MAX_WARMUP: u32 = 100;
pub const MAX_DURATION_S: u32 = 24 * 3600;
/// How often progress is reported at most.
const PROGRESS_EVERY: Duration = Duration::from_millis(500);
/// The window of the live output rate.
const RATE_WINDOW: Duration = Duration::from_secs(5);

/// The levels a load pattern asks for, checked.
pub fn levels(spec: &BenchmarkSpec) -> Result<Vec<Level>, BenchError> {
    let levels: Vec<Level> = match &spec.load {
        LoadPattern::Concurrency { levels } => {
            if let Some(bad) = levels.iter().find(|c| !(1..=MAX_CONCURRENCY).contains(*c)) {
                return Err(BenchError::invalid(format!(
                    "a concurrency must be 1 to {MAX_CONCURRENCY}, not {bad}"
                )));
            }
            levels.iter().map(|c| Level::Concurrency(*c)).collect()
        }
        LoadPattern::Rate {
            rates,
            max_concurrency,
        } => {
            if let Some(bad) = rates
                .iter()
                .find(|r| !(r.is_finite() && **r > 0.0 && **r <= MAX_RATE))
            {
                return Err(BenchError::invalid(format!(
                    "a rate must be above 0 and at most {MAX_RATE} requests per second, not {bad}"
                )));
            }
            if let Some(bad) = max_concurrency.filter(|c| !(1..=MAX_CONCURRENCY).contains(c)) {
                return Err(BenchError::invalid(format!(
                    "max_concurrency must be 1 to {MAX_CONCURRENCY}, not {bad}"
                )));
            }
            rates
                .iter()
                .map(|rate| Level::Rate {
                    rate: *rate,
                    max_concurrency: *max_concurrency,
                })
                .collect()
        }
    };
    if levels.is_empty() || levels.len() > MAX_LEVELS {
        return Err(BenchError::invalid(format!(
            "give 1 to {MAX_LEVELS} load levels, not {}",
            levels.len()
        )));
    }
    if !(1..=MAX_REQUESTS).contains(&spec.requests) {
        return Err(BenchError::invalid(format!(
            "requests per level must be 1 to {MAX_REQUESTS}, not {}",
            spec.requests
        )));
    }
    if spec.warmup_requests > MAX_WARMUP {
        return Err(BenchError::invalid(format!(
            "at most {MAX_WARMUP} warm-up requests, not {}",
            spec.warmup_requests
        )));
    }
    if let Some(bad) = spec
        .duration_s
        .filter(|d| !(1..=MAX_DURATION_S).contains(d))
    {
        return Err(BenchError::invalid(format!(
            "the duration must be 1 to {MAX_DURATION_S} seconds, not {bad}"
        )));
    }
    Ok(levels)
}

/// Runs warm-up and every level; stops early when cancelled, with the levels finished so far
/// and the one in progress as far as it got.
pub async fn run(
    sender: &Sender,
    spec: &BenchmarkSpec,
    cancel: &CancellationToken,
    report: &(dyn Fn(&BenchmarkProgress) + Send + Sync),
) -> Result<Vec<LevelResult>, BenchError> {
    let levels = levels(spec)?;
    let mut rng = Rng::new(spec.seed);
    let prompts = Arc::new(Prompts::new(&spec.workload, &mut rng)?);
    let mut sequence = 0_u64;
    let mut progress = BenchmarkProgress {
        levels: levels.len() as u32,
        warming_up: spec.warmup_requests > 0,
        total: spec.warmup_requests,
        ..Default::default()
    };
    report(&progress);
    for _ in 0..spec.warmup_requests {
        let prompt = prompts.prompt(prompts.pick(&mut rng, sequence));
        sequence += 1;
        let body = sender.body(&prompt, spec.ignore_eos, spec.seed);
        tokio::select! {
            outcome = sender.send(body, Instant::now()) => {
                if let Some(error) = outcome.error {
                    return Err(BenchError::WarmupFailed(error));
                }
            }
            _ = cancel.cancelled() => return Ok(Vec::new()),
        }
        progress.done += 1;
        report(&progress);
    }
    let mut results = Vec::with_capacity(levels.len());
    for (index, level) in levels.into_iter().enumerate() {
        progress = BenchmarkProgress {
            level: index as u32,
            levels: progress.levels,
            total: spec.requests,
            ..Default::default()
        };
        report(&progress);
        let schedule = Schedule::new(level, spec, &prompts, &mut rng, &mut sequence);
        let (outcomes, events, duration_s, max_in_flight) =
            run_level(sender, schedule, spec, cancel, &mut progress, report).await;
        results.push(level_result(
            level,
            &outcomes,
            &events,
            duration_s,
            max_in_flight,
            &spec.slo,
        ));
        if cancel.is_cancelled() {
            break;
        }
    }
    Ok(results)
}

/// A level's requests: when each is sent (from the level's start) and which prompt it sends;
/// the body is made as it goes out.
struct Schedule {
    requests: Vec<(Duration, Pick)>,
    prompts: Arc<Prompts>,
    limit: u32,
    ignore_eos: bool,
    seed: u64,
}

impl Schedule {
    fn new(
        level: Level,
        spec: &BenchmarkSpec,
        prompts: &Arc<Prompts>,
        rng: &mut Rng,
        sequence: &mut u64,
    ) -> Schedule {
        let mut at = 0.0_f64;
        let mut requests = Vec::with_capacity(spec.requests as usize);
        for _ in 0..spec.requests {
            let pick = prompts.pick(rng, *sequence);
            *sequence += 1;
            if let Level::Rate { rate, .. } = level {
                at += rng.exponential(1.0 / rate);
            }
            requests.push((Duration::from_secs_f64(at), pick));
        }
        let limit = match level {
            Level::Concurrency(n) => n,
            Level::Rate {
                max_concurrency, ..
            } => max_concurrency.unwrap_or(MAX_CONCURRENCY),
        };
        Schedule {
            requests,
            prompts: prompts.clone(),
            limit,
            ignore_eos: spec.ignore_eos,
            seed: spec.seed,
        }
    }
}

/// Requests in flight now and at most.
#[derive(Default)]
struct InFlight {
    now: AtomicU32,
    most: AtomicU32,
}

/// Sends a level's requests on schedule and collects their outcomes: (outcomes, their token
/// events, seconds from the first send to the last answer, most in flight).
async fn run_level(
    sender: &Sender,
    schedule: Schedule,
    spec: &BenchmarkSpec,
    cancel: &CancellationToken,
    progress: &mut BenchmarkProgress,
    report: &(dyn Fn(&BenchmarkProgress) + Send + Sync),
) -> (Vec<Outcome>, TokenEvents, f64, u32) {
    let origin = Instant::now();
    let deadline = spec
        .duration_s
        .map(|s| origin + Duration::from_secs(u64::from(s)));
    let in_flight = Arc::new(InFlight::default());
    let (outcomes_tx, mut outcomes_rx) = mpsc::unbounded_channel();
    let dispatcher = tokio::spawn(dispatch(
        sender.clone(),
        schedule,
        origin,
        deadline,
        cancel.clone(),
        in_flight.clone(),
        outcomes_tx,
    ));
    let mut outcomes = Vec::with_capacity(spec.requests as usize);
    let mut events = TokenEvents::default();
    let mut recent: VecDeque<(Instant, u32)> = VecDeque::new();
    let mut last_report = Instant::now();
    // The channel closes when the dispatcher and every request task are done (or cancelled).
    while let Some(mut outcome) = outcomes_rx.recv().await {
        events.add(&mut outcome);
        let now = Instant::now();
        recent.push_back((now, outcome.measured.completion_tokens.unwrap_or(0)));
        while recent
            .front()
            .is_some_and(|(at, _)| now - *at > RATE_WINDOW)
        {
            recent.pop_front();
        }
        if outcome.ok() {
            progress.done += 1;
        } else {
            progress.failed += 1;
        }
        outcomes.push(outcome);
        if now - last_report >= PROGRESS_EVERY {
            let tokens: u32 = recent.iter().map(|(_, t)| t).sum();
            progress.output_throughput = f64::from(tokens) / RATE_WINDOW.as_secs_f64();
            progress.in_flight = in_flight.now.load(Ordering::Relaxed);
            report(progress);
            last_report = now;
        }
    }
    let _ = dispatcher.await;
    let duration_s = outcomes.iter().map(|o| o.ended_ms).fold(0.0_f64, f64::max) / 1000.0;
    progress.in_flight = 0;
    report(progress);
    let most = in_flight.most.load(Ordering::Relaxed);
    (outcomes, events, duration_s, most)
}

async fn dispatch(
    sender: Sender,
    schedule: Schedule,
    origin: Instant,
    deadline: Option<Instant>,
    cancel: CancellationToken,
    in_flight: Arc<InFlight>,
    outcomes: mpsc::UnboundedSender<Outcome>,
) {
    let slots = Arc::new(Semaphore::new(schedule.limit as usize));
    for (at, pick) in schedule.requests {
        let permit = tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tokio::time::sleep_until((origin + at).into()) => {
                tokio::select! {
                    permit = slots.clone().acquire_owned() => permit.expect("never closed"),
                    _ = cancel.cancelled() => return,
                }
            }
        };
        if deadline.is_some_and(|d| Instant::now() >= d) {
            return;
        }
        let prompt = schedule.prompts.prompt(pick);
        let body = sender.body(&prompt, schedule.ignore_eos, schedule.seed);
        let now = in_flight.now.fetch_add(1, Ordering::Relaxed) + 1;
        in_flight.most.fetch_max(now, Ordering::Relaxed);
        let (sender, cancel, in_flight, outcomes) = (
            sender.clone(),
            cancel.clone(),
            in_flight.clone(),
            outcomes.clone(),
        );
        tokio::spawn(async move {
            // Dropping the request on cancel closes its connection: the engine stops too.
            tokio::select! {
                outcome = sender.send(body, origin) => { let _ = outcomes.send(outcome); }
                _ = cancel.cancelled() => {}
            }
            in_flight.now.fetch_sub(1, Ordering::Relaxed);
            drop(permit);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::types::{BenchTarget, Slo, TokenLength, Workload};

    fn spec(load: LoadPattern) -> BenchmarkSpec {
        BenchmarkSpec {
            target: BenchTarget::Model {
                model_id: "m".into(),
            },
            workload: Workload::Synthetic {
                input: TokenLength {
                    mean: 8,
                    spread: 0.0,
                },
                output: TokenLength {
                    mean: 8,
                    spread: 0.0,
                },
            },
            load,
            requests: 4,
            duration_s: None,
            warmup_requests: 0,
            seed: 0,
            ignore_eos: false,
            slo: Slo::default(),
            label: None,
        }
    }

    #[test]
    fn bad_loads_are_refused_with_the_limit() {
        let error = levels(&spec(LoadPattern::Concurrency { levels: vec![0] })).unwrap_err();
        assert!(error.to_string().contains("1 to 1024"), "{error}");
        let error = levels(&spec(LoadPattern::Rate {
            rates: vec![f64::NAN],
            max_concurrency: None,
        }))
        .unwrap_err();
        assert!(error.to_string().contains("rate"), "{error}");
        assert!(levels(&spec(LoadPattern::Concurrency { levels: vec![] })).is_err());
        let mut many = spec(LoadPattern::Concurrency { levels: vec![1] });
        many.requests = MAX_REQUESTS + 1;
        assert!(levels(&many).is_err());
        assert_eq!(
            levels(&spec(LoadPattern::Concurrency { levels: vec![1, 4] })).unwrap(),
            [Level::Concurrency(1), Level::Concurrency(4)]
        );
    }
}
