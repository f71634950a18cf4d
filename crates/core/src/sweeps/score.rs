//! Which level of a configuration's benchmark counts, which configuration is best, and which
//! lie on the Pareto front of throughput against latency.

use super::types::{ConfigOutcome, LevelFigures, SweepConfig, SweepMetric, SweepObjective};
use crate::bench::LevelResult;

impl SweepMetric {
    /// Rates are better higher, latencies lower.
    pub fn higher_is_better(self) -> bool {
        matches!(
            self,
            SweepMetric::OutputThroughput | SweepMetric::RequestThroughput | SweepMetric::Goodput
        )
    }

    pub fn of(self, level: &LevelFigures) -> Option<f64> {
        let value = match self {
            SweepMetric::OutputThroughput => level.output_throughput,
            SweepMetric::RequestThroughput => level.request_throughput,
            SweepMetric::Goodput => level.goodput?,
            SweepMetric::TtftP50 => level.ttft_p50_ms,
            SweepMetric::TtftP99 => level.ttft_p99_ms,
            SweepMetric::TpotP50 => level.tpot_p50_ms,
            SweepMetric::TpotP99 => level.tpot_p99_ms,
            SweepMetric::E2elP50 => level.e2el_p50_ms,
            SweepMetric::E2elP99 => level.e2el_p99_ms,
        };
        value.is_finite().then_some(value)
    }

    /// Whether `a` is better than `b`.
    fn better(self, a: f64, b: f64) -> bool {
        if self.higher_is_better() {
            a > b
        } else {
            a < b
        }
    }
}

fn meets(objective: &SweepObjective, level: &LevelFigures) -> bool {
    level.completed > 0
        && objective.constraints.iter().all(|c| {
            let Some(value) = c.metric.of(level) else {
                return false;
            };
            c.at_most.is_none_or(|max| value <= max) && c.at_least.is_none_or(|min| value >= min)
        })
}

/// The level that counts: the best by the objective among those meeting every constraint, else
/// the best of all (marked as not meeting them).
pub fn choose_level(
    objective: &SweepObjective,
    levels: &[LevelResult],
) -> Option<(LevelFigures, Option<f64>, bool)> {
    let figures: Vec<LevelFigures> = levels
        .iter()
        .filter(|l| l.completed > 0)
        .map(LevelFigures::of)
        .collect();
    let meeting: Vec<&LevelFigures> = figures.iter().filter(|l| meets(objective, l)).collect();
    let met = !meeting.is_empty();
    let candidates = if met {
        meeting
    } else {
        figures.iter().collect()
    };
    let chosen = best_level(objective.metric, candidates)?;
    Some((chosen.clone(), objective.metric.of(chosen), met))
}

fn best_level(metric: SweepMetric, candidates: Vec<&LevelFigures>) -> Option<&LevelFigures> {
    candidates.into_iter().fold(None, |best, level| match best {
        None => Some(level),
        Some(b) => match (metric.of(level), metric.of(b)) {
            (Some(v), Some(bv)) if metric.better(v, bv) => Some(level),
            (Some(_), None) => Some(level),
            _ => Some(b),
        },
    })
}

/// The latency the scatter and the Pareto front use: the first latency constraint's metric,
/// else the objective's when it is a latency, else TTFT p99.
pub fn latency_metric(objective: &SweepObjective) -> SweepMetric {
    objective
        .constraints
        .iter()
        .map(|c| c.metric)
        .chain(std::iter::once(objective.metric))
        .find(|m| !m.higher_is_better())
        .unwrap_or(SweepMetric::TtftP99)
}

/// Marks the Pareto front (output throughput up, latency down) and answers the best
/// configuration's index.
pub fn rank(objective: &SweepObjective, configs: &mut [SweepConfig]) -> Option<u32> {
    let latency = latency_metric(objective);
    let point = |c: &SweepConfig| {
        let level = c
            .level
            .as_ref()
            .filter(|_| c.outcome == ConfigOutcome::Completed)?;
        Some((level.output_throughput, latency.of(level)?))
    };
    let points: Vec<Option<(f64, f64)>> = configs.iter().map(point).collect();
    for (i, config) in configs.iter_mut().enumerate() {
        config.pareto = points[i].is_some_and(|(t, l)| {
            !points
                .iter()
                .flatten()
                .any(|&(t2, l2)| t2 >= t && l2 <= l && (t2 > t || l2 < l))
        });
    }
    configs
        .iter()
        .filter(|c| c.outcome == ConfigOutcome::Completed && c.meets_constraints)
        .filter_map(|c| c.objective.map(|v| (c.index, v)))
        .fold(None::<(u32, f64)>, |best, (index, value)| match best {
            Some((_, b)) if !objective.metric.better(value, b) => best,
            _ => Some((index, value)),
        })
        .map(|(index, _)| index)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweeps::types::SweepConstraint;

    fn figures(throughput: f64, ttft_p99: f64) -> LevelFigures {
        LevelFigures {
            load: "concurrency 1".into(),
            completed: 4,
            failed: 0,
            output_throughput: throughput,
            request_throughput: 1.0,
            goodput: None,
            ttft_p50_ms: ttft_p99 / 2.0,
            ttft_p99_ms: ttft_p99,
            tpot_p50_ms: 10.0,
            tpot_p99_ms: 12.0,
            e2el_p50_ms: 100.0,
            e2el_p99_ms: 120.0,
        }
    }

    fn config(index: u32, level: Option<LevelFigures>, objective: &SweepObjective) -> SweepConfig {
        let met = level.as_ref().is_some_and(|l| meets(objective, l));
        SweepConfig {
            index,
            values: Default::default(),
            settings: serde_json::json!({}),
            context_size: 2048,
            outcome: if level.is_some() {
                ConfigOutcome::Completed
            } else {
                ConfigOutcome::Failed
            },
            reason: None,
            error: None,
            fit: None,
            run_id: None,
            benchmark_id: None,
            objective: level.as_ref().and_then(|l| objective.metric.of(l)),
            level,
            meets_constraints: met,
            pareto: false,
        }
    }

    #[test]
    fn the_best_meets_the_constraints_and_the_front_is_not_dominated() {
        let objective = SweepObjective {
            metric: SweepMetric::OutputThroughput,
            constraints: vec![SweepConstraint {
                metric: SweepMetric::TtftP99,
                at_most: Some(100.0),
                at_least: None,
            }],
        };
        let mut configs = vec![
            config(0, Some(figures(50.0, 80.0)), &objective),
            config(1, Some(figures(90.0, 150.0)), &objective),
            config(2, Some(figures(40.0, 90.0)), &objective),
            config(3, None, &objective),
            config(4, Some(figures(60.0, 95.0)), &objective),
        ];
        assert_eq!(rank(&objective, &mut configs), Some(4));
        let front: Vec<u32> = configs
            .iter()
            .filter(|c| c.pareto)
            .map(|c| c.index)
            .collect();
        assert_eq!(front, vec![0, 1, 4]);
        assert_eq!(latency_metric(&objective), SweepMetric::TtftP99);
    }

    #[test]
    fn a_level_that_meets_the_constraints_wins_over_a_faster_one_that_does_not() {
        let objective = SweepObjective {
            metric: SweepMetric::OutputThroughput,
            constraints: vec![SweepConstraint {
                metric: SweepMetric::TtftP99,
                at_most: Some(100.0),
                at_least: None,
            }],
        };
        let level = |t: f64, ttft: f64| {
            let mut result: LevelResult = serde_json::from_value(serde_json::json!({
                "load": "c", "concurrency": 1, "rate": null, "completed": 3, "failed": 0,
                "duration_s": 1.0, "request_throughput": 1.0, "output_throughput": t,
                "total_token_throughput": t, "goodput": null, "input_tokens": 1, "output_tokens": 1,
                "tokens_counted": false, "max_in_flight": 1, "peak_output_throughput": t,
                "ttft_ms": {"count": 3, "mean": 0.0, "std": 0.0, "min": 0.0, "p50": 0.0, "p90": 0.0, "p99": 0.0, "max": 0.0},
                "tpot_ms": {"count": 3, "mean": 0.0, "std": 0.0, "min": 0.0, "p50": 0.0, "p90": 0.0, "p99": 0.0, "max": 0.0},
                "itl_ms": {"count": 3, "mean": 0.0, "std": 0.0, "min": 0.0, "p50": 0.0, "p90": 0.0, "p99": 0.0, "max": 0.0},
                "e2el_ms": {"count": 3, "mean": 0.0, "std": 0.0, "min": 0.0, "p50": 0.0, "p90": 0.0, "p99": 0.0, "max": 0.0},
                "engine": null, "errors": [], "samples": []
            }))
            .unwrap();
            result.ttft_ms.p99 = ttft;
            result
        };
        let (chosen, value, met) =
            choose_level(&objective, &[level(100.0, 200.0), level(70.0, 90.0)]).unwrap();
        assert_eq!(
            (chosen.output_throughput, value, met),
            (70.0, Some(70.0), true)
        );
        let (chosen, _, met) = choose_level(&objective, &[level(100.0, 200.0)]).unwrap();
        assert_eq!((chosen.output_throughput, met), (100.0, false));
    }
}
