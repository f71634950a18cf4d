//! The requests a benchmark sends: prompts with their output lengths, and when each is sent.
//! Everything random comes from one seeded generator, so a seed repeats a benchmark exactly.

use serde::Deserialize;

use super::error::BenchError;
use super::types::{TokenLength, Workload};

/// Largest dataset accepted (JSONL text in the request).
pub const MAX_DATASET_BYTES: usize = 16 * 1024 * 1024;
/// Most prompts read from a dataset.
const MAX_DATASET_PROMPTS: usize = 100_000;
pub const MAX_INPUT_TOKENS: u32 = 131_072;
pub const MAX_OUTPUT_TOKENS: u32 = 32_768;

/// SplitMix64: small, fast and good enough to pick words and arrival gaps; the same on every
/// platform (a crate's generator may change its stream between versions).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `low..=high`.
    pub fn between(&mut self, low: u32, high: u32) -> u32 {
        let span = u64::from(high.saturating_sub(low)) + 1;
        low + (self.next_u64() % span) as u32
    }

    /// An exponential gap with the given mean: Poisson arrivals.
    pub fn exponential(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.unit()).ln()
    }
}

impl TokenLength {
    fn draw(&self, rng: &mut Rng) -> u32 {
        let spread = self.spread.clamp(0.0, 1.0);
        let low = (f64::from(self.mean) * (1.0 - spread)).round().max(1.0) as u32;
        let high = (f64::from(self.mean) * (1.0 + spread)).round().max(1.0) as u32;
        rng.between(low, high)
    }
}

/// One request's prompt and how many tokens it asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct Prompt {
    pub text: String,
    pub max_tokens: u32,
}

/// Short, common English words: about one token each in the usual tokenizers (with the leading
/// space), so `n` words make a prompt of about `n` tokens. The engine's `usage` gives the real
/// count, which is what results report.
const WORDS: &[&str] = &[
    "the", "sea", "light", "house", "keeper", "walked", "along", "shore", "and", "saw", "a",
    "ship", "in", "storm", "wind", "was", "cold", "rain", "fell", "on", "old", "stone", "tower",
    "night", "long", "dark", "bright", "lamp", "turned", "slowly", "over", "water", "waves",
    "rose", "high", "boat", "came", "back", "to", "harbour", "morning", "sun", "warm", "birds",
    "sang", "town", "woke", "people", "went", "work", "market", "bread", "fish", "children",
    "played", "near", "river", "green", "hills", "far", "away", "clouds", "moved", "east",
];

/// A fixed question in front of the words, so chat models answer rather than refuse.
const PREFIX: &str = "Continue this story:";

fn synthetic_text(words: u32, rng: &mut Rng) -> String {
    let mut text = String::with_capacity(PREFIX.len() + words as usize * 6);
    text.push_str(PREFIX);
    for _ in 0..words {
        text.push(' ');
        text.push_str(WORDS[(rng.next_u64() % WORDS.len() as u64) as usize]);
    }
    text
}

/// The prompts of a workload. A request is scheduled with a [`Pick`] (a few bytes) and its
/// prompt is made only when it is sent, so a level of 100,000 long prompts does not sit in
/// memory at once.
pub enum Prompts {
    Synthetic {
        input: TokenLength,
        output: TokenLength,
    },
    Dataset {
        prompts: Vec<Prompt>,
        /// A seeded shuffle of the lines, taken round and round.
        order: Vec<usize>,
    },
}

/// Which prompt a request sends.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Pick {
    /// Drawn from its own generator.
    Synthetic(u64),
    Dataset(usize),
}

impl Prompts {
    pub fn new(workload: &Workload, rng: &mut Rng) -> Result<Prompts, BenchError> {
        match workload {
            Workload::Synthetic { input, output } => {
                check_length("input", input, MAX_INPUT_TOKENS)?;
                check_length("output", output, MAX_OUTPUT_TOKENS)?;
                Ok(Prompts::Synthetic {
                    input: *input,
                    output: *output,
                })
            }
            Workload::Dataset { jsonl, max_output } => {
                if !(1..=MAX_OUTPUT_TOKENS).contains(max_output) {
                    return Err(BenchError::invalid(format!(
                        "max_output must be 1 to {MAX_OUTPUT_TOKENS}, not {max_output}"
                    )));
                }
                let prompts = read_dataset(jsonl, *max_output)?;
                let mut order: Vec<usize> = (0..prompts.len()).collect();
                // Fisher–Yates with the benchmark's generator.
                for i in (1..order.len()).rev() {
                    order.swap(i, (rng.next_u64() % (i as u64 + 1)) as usize);
                }
                Ok(Prompts::Dataset { prompts, order })
            }
        }
    }

    /// The prompt of the `sequence`-th request (counted over the whole benchmark).
    pub fn pick(&self, rng: &mut Rng, sequence: u64) -> Pick {
        match self {
            Prompts::Synthetic { .. } => Pick::Synthetic(rng.next_u64()),
            Prompts::Dataset { order, .. } => {
                Pick::Dataset(order[(sequence % order.len() as u64) as usize])
            }
        }
    }

    pub fn prompt(&self, pick: Pick) -> Prompt {
        match (self, pick) {
            (Prompts::Synthetic { input, output }, Pick::Synthetic(seed)) => {
                let mut rng = Rng::new(seed);
                let words = input.draw(&mut rng);
                Prompt {
                    text: synthetic_text(words, &mut rng),
                    max_tokens: output.draw(&mut rng),
                }
            }
            (Prompts::Dataset { prompts, .. }, Pick::Dataset(index)) => prompts[index].clone(),
            _ => unreachable!("a pick comes from the same prompts"),
        }
    }
}

fn check_length(what: &str, length: &TokenLength, max: u32) -> Result<(), BenchError> {
    if !(1..=max).contains(&length.mean) {
        return Err(BenchError::invalid(format!(
            "the {what} length must be 1 to {max} tokens, not {}",
            length.mean
        )));
    }
    if !(0.0..=1.0).contains(&length.spread) {
        return Err(BenchError::invalid(format!(
            "the {what} spread must be between 0 and 1, not {}",
            length.spread
        )));
    }
    Ok(())
}

#[derive(Deserialize)]
struct DatasetLine {
    #[serde(default)]
    conversations: Option<Vec<ShareGptTurn>>,
    #[serde(default)]
    prompt: Option<String>,
    #[serde(default)]
    output_tokens: Option<u32>,
}

#[derive(Deserialize)]
struct ShareGptTurn {
    from: String,
    value: String,
}

/// Reads ShareGPT-style or `{"prompt": …}` lines. A line that is neither is an error naming it
/// (a dataset that is silently half-read would bias the results).
fn read_dataset(jsonl: &str, max_output: u32) -> Result<Vec<Prompt>, BenchError> {
    if jsonl.len() > MAX_DATASET_BYTES {
        return Err(BenchError::invalid(format!(
            "the dataset is {} MiB; at most {} MiB",
            jsonl.len() / (1024 * 1024),
            MAX_DATASET_BYTES / (1024 * 1024)
        )));
    }
    let mut prompts = Vec::new();
    for (index, line) in jsonl.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        if prompts.len() == MAX_DATASET_PROMPTS {
            break;
        }
        let number = index + 1;
        let parsed: DatasetLine = serde_json::from_str(line)
            .map_err(|e| BenchError::invalid(format!("dataset line {number} is not JSON: {e}")))?;
        let prompt = prompt_of(parsed, max_output).ok_or_else(|| {
            BenchError::invalid(format!(
                "dataset line {number} has neither a human turn in \"conversations\" nor a \"prompt\""
            ))
        })?;
        prompts.push(prompt);
    }
    if prompts.is_empty() {
        return Err(BenchError::invalid("the dataset has no prompts".into()));
    }
    Ok(prompts)
}

fn prompt_of(line: DatasetLine, max_output: u32) -> Option<Prompt> {
    if let Some(text) = line.prompt.filter(|p| !p.trim().is_empty()) {
        let max_tokens = line
            .output_tokens
            .unwrap_or(max_output)
            .clamp(1, max_output);
        return Some(Prompt { text, max_tokens });
    }
    let turns = line.conversations?;
    let human = turns.iter().position(|t| is_human(&t.from))?;
    let text = turns[human].value.clone();
    if text.trim().is_empty() {
        return None;
    }
    // The reference reply's length, at about four bytes a token (vLLM tokenises it; we have
    // no tokenizer for every model), is what the request asks for.
    let reply = turns[human + 1..].iter().find(|t| !is_human(&t.from));
    let max_tokens = reply
        .map(|r| u32::try_from(r.value.len().div_ceil(4)).unwrap_or(u32::MAX))
        .unwrap_or(max_output)
        .clamp(1, max_output);
    Some(Prompt { text, max_tokens })
}

fn is_human(from: &str) -> bool {
    matches!(from, "human" | "user")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_prompts() {
        let workload = Workload::Synthetic {
            input: TokenLength {
                mean: 64,
                spread: 0.5,
            },
            output: TokenLength {
                mean: 16,
                spread: 0.0,
            },
        };
        let draw = |seed| {
            let mut rng = Rng::new(seed);
            let prompts = Prompts::new(&workload, &mut rng).unwrap();
            (0..5)
                .map(|n| prompts.prompt(prompts.pick(&mut rng, n)))
                .collect::<Vec<_>>()
        };
        assert_eq!(draw(7), draw(7));
        assert_ne!(draw(7), draw(8));
        for prompt in draw(7) {
            let words = prompt.text.split(' ').count() - PREFIX.split(' ').count();
            assert!((32..=96).contains(&words), "{words} words");
            assert_eq!(prompt.max_tokens, 16);
        }
    }

    #[test]
    fn sharegpt_and_prompt_lines_are_read_and_bad_lines_named() {
        let jsonl = concat!(
            r#"{"conversations":[{"from":"human","value":"Hi there"},{"from":"gpt","value":"Hello! How can I help you today?"}]}"#,
            "\n\n",
            r#"{"prompt":"Tell me a joke","output_tokens":500}"#,
            "\n"
        );
        let prompts = read_dataset(jsonl, 100).unwrap();
        assert_eq!(prompts[0].text, "Hi there");
        assert_eq!(prompts[0].max_tokens, 8); // 32 bytes of reply
        assert_eq!(prompts[1].max_tokens, 100, "capped by max_output");
        let error = read_dataset("{\"prompt\":\"a\"}\n{\"x\":1}\n", 10).unwrap_err();
        assert!(error.to_string().contains("line 2"), "{error}");
        let error = read_dataset("not json", 10).unwrap_err();
        assert!(error.to_string().contains("line 1 is not JSON"), "{error}");
        assert!(read_dataset("\n\n", 10).is_err());
    }

    #[test]
    fn poisson_gaps_have_the_asked_mean() {
        let mut rng = Rng::new(1);
        let n = 20_000;
        let mean = (0..n).map(|_| rng.exponential(0.25)).sum::<f64>() / f64::from(n);
        assert!((mean - 0.25).abs() < 0.01, "mean gap {mean}");
    }
}
