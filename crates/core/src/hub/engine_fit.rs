//! llama.cpp's own answer to "does it fit": `llama-fit-params`, shipped beside `llama-server`,
//! run with the exact flags the deploy will use. It prints the arguments it would set
//! (`-c 4096 -ngl -1`, exit status 1 when nothing fits) and, with `--fit-print on`, each device's
//! projected memory in MiB (`<device> <model> <context> <compute>`).

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::io::AsyncReadExt;
use ts_rs::TS;

/// How long one run may take (it loads only metadata, well under a second here).
const TIMEOUT: Duration = Duration::from_secs(60);
/// At most this much of its output is read.
const MAX_OUTPUT: u64 = 256 * 1024;
pub const FIT_PARAMS_BINARY: &str = "llama-fit-params";

/// One device's memory as llama.cpp projects it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct DeviceMemory {
    /// `Host` for system memory, else the backend's device name (`CUDA0`).
    pub device: String,
    #[ts(type = "number")]
    pub model_mib: u64,
    #[ts(type = "number")]
    pub context_mib: u64,
    #[ts(type = "number")]
    pub compute_mib: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct EngineFit {
    /// Whether llama.cpp found settings that fit.
    pub fits: bool,
    /// The arguments it would add (`-c 4096 -ngl -1`), as it printed them.
    pub arguments: String,
    pub context_size: Option<u32>,
    /// -1 = all layers.
    pub gpu_layers: Option<i32>,
    pub devices: Vec<DeviceMemory>,
    /// The command that was run (without the model's folder), to repeat it by hand.
    pub command: String,
    /// Its last lines of output when it did not fit or failed.
    pub detail: Option<String>,
}

/// Runs `llama-fit-params` from `bin_dir` for `model` with `flags` (the deploy's own).
pub async fn run_fit_params(
    bin_dir: &Path,
    model: &Path,
    flags: &[String],
) -> Result<EngineFit, String> {
    let binary = bin_dir.join(FIT_PARAMS_BINARY);
    if !binary.is_file() {
        return Err(format!(
            "{} is not next to llama-server in {}; reinstall the engine (scripts/setup.sh)",
            FIT_PARAMS_BINARY,
            bin_dir.display()
        ));
    }
    let mut args = vec!["-m".to_string(), model.display().to_string()];
    args.extend(flags.iter().cloned());
    let (fitted, status, log) = run(&binary, &args).await?;
    let mut printed = args.clone();
    printed.extend(["--fit-print".into(), "on".into()]);
    let (memory, _, _) = run(&binary, &printed).await?;
    let arguments = fitted
        .lines()
        .map(str::trim)
        .rfind(|line| line.starts_with('-'))
        .unwrap_or_default()
        .to_string();
    let fits = status == Some(0) && !arguments.is_empty();
    Ok(EngineFit {
        fits,
        context_size: flag_value(&arguments, "-c").and_then(|v| v.parse().ok()),
        gpu_layers: flag_value(&arguments, "-ngl").and_then(|v| v.parse().ok()),
        arguments,
        devices: memory.lines().filter_map(device_line).collect(),
        command: format!(
            "{} {}",
            FIT_PARAMS_BINARY,
            args.iter()
                .map(|a| shell_word(a))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        detail: (!fits).then(|| last_lines(&log, 6)),
    })
}

/// Runs the binary; its stdout, exit status and stderr, each bounded.
async fn run(binary: &Path, args: &[String]) -> Result<(String, Option<i32>, String), String> {
    let mut child = tokio::process::Command::new(binary)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|error| format!("{} could not run: {error}", binary.display()))?;
    let mut stdout = child.stdout.take().expect("piped").take(MAX_OUTPUT);
    let mut stderr = child.stderr.take().expect("piped").take(MAX_OUTPUT);
    let work = async {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let _ = tokio::join!(stdout.read_to_end(&mut out), stderr.read_to_end(&mut err));
        let status = child.wait().await.ok().and_then(|s| s.code());
        (out, err, status)
    };
    let (out, err, status) = tokio::time::timeout(TIMEOUT, work)
        .await
        .map_err(|_| format!("{FIT_PARAMS_BINARY} took longer than {TIMEOUT:?}"))?;
    Ok((
        String::from_utf8_lossy(&out).into_owned(),
        status,
        String::from_utf8_lossy(&err).into_owned(),
    ))
}

fn flag_value<'a>(arguments: &'a str, flag: &str) -> Option<&'a str> {
    let mut words = arguments.split_whitespace();
    words.find(|word| *word == flag)?;
    words.next()
}

/// `Host 92 90 106` → Host: model 92, context 90, compute 106 MiB.
fn device_line(line: &str) -> Option<DeviceMemory> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let [device @ .., model, context, compute] = words.as_slice() else {
        return None;
    };
    if device.is_empty() {
        return None;
    }
    Some(DeviceMemory {
        device: device.join(" "),
        model_mib: model.parse().ok()?,
        context_mib: context.parse().ok()?,
        compute_mib: compute.parse().ok()?,
    })
}

fn last_lines(text: &str, count: usize) -> String {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(count)..].join("\n")
}

fn shell_word(word: &str) -> String {
    if !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=,:".contains(c))
    {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_device_lines_and_flags() {
        assert_eq!(
            device_line("Host 92 90 106"),
            Some(DeviceMemory {
                device: "Host".into(),
                model_mib: 92,
                context_mib: 90,
                compute_mib: 106
            })
        );
        assert_eq!(device_line("0.00.1 I llama_fit_params: printing"), None);
        assert_eq!(flag_value("-c 4096 -ngl -1", "-ngl"), Some("-1"));
        assert_eq!(flag_value("-c 4096", "-ngl"), None);
        assert_eq!(shell_word("a b"), "'a b'");
    }
}
