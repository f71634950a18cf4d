//! `llmops service install | uninstall | status | print`: `llmops serve` as a systemd user
//! service, so the dashboard and the `/v1` gateway are there after login without a terminal.
//!
//! The unit runs this very binary by its absolute path (the dashboard is built into it, or an
//! absolute `--ui-dir` when one was given) and holds no secret: the server token and keys stay in the data dir
//! and the keyring. `KillMode=mixed` sends the stop signal to `llmops` alone, which stops its
//! engines itself (their graceful stop), and only then does systemd kill what is left.

use std::path::{Path, PathBuf};
use std::process::Command;

pub const UNIT_NAME: &str = "llmops.service";

/// What the service serves.
pub struct UnitOptions {
    pub exe: PathBuf,
    pub host: String,
    pub port: u16,
    /// A dashboard folder to serve instead of the built-in one.
    pub ui_dir: Option<PathBuf>,
}

/// One word of `ExecStart=`, quoted for systemd: inside double quotes `\` and `"` are escaped,
/// `%` is a specifier everywhere (`%%`), and `$` an environment variable in the arguments (`$$`)
/// but not in the command itself, which systemd takes as it is.
fn exec_word(word: &str, command: bool) -> String {
    let mut quoted = String::with_capacity(word.len() + 2);
    quoted.push('"');
    for c in word.chars() {
        match c {
            '\\' => quoted.push_str("\\\\"),
            '"' => quoted.push_str("\\\""),
            '%' => quoted.push_str("%%"),
            '$' if !command => quoted.push_str("$$"),
            _ => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

/// A path as one line's value; a newline would end the setting early.
fn checked(path: &Path) -> Result<String, String> {
    let text = path.to_str().ok_or_else(|| {
        format!(
            "{} is not valid UTF-8; move llmops to a plain path",
            path.display()
        )
    })?;
    if text.contains(['\n', '\r']) {
        return Err(format!(
            "{text:?} holds a line break; move llmops to a plain path"
        ));
    }
    Ok(text.to_string())
}

/// The unit file's text.
pub fn unit_text(options: &UnitOptions) -> Result<String, String> {
    if options.host.is_empty() || options.host.contains(char::is_whitespace) {
        return Err(format!("{:?} is not a host address", options.host));
    }
    let mut words = vec![
        checked(&options.exe)?,
        "serve".into(),
        "--host".into(),
        options.host.clone(),
        "--port".into(),
        options.port.to_string(),
    ];
    if let Some(dir) = &options.ui_dir {
        words.extend(["--ui-dir".into(), checked(dir)?]);
    }
    let exec = words
        .iter()
        .enumerate()
        .map(|(i, w)| exec_word(w, i == 0))
        .collect::<Vec<_>>()
        .join(" ");
    Ok(format!(
        "# Written by `llmops service install`; `llmops service uninstall` removes it.\n\
[Unit]\n\
Description=LLM Local Ops Center (llmops serve: dashboard, API and /v1 gateway)\n\
After=network-online.target\n\
Wants=network-online.target\n\
\n\
[Service]\n\
Type=simple\n\
ExecStart={exec}\n\
Restart=on-failure\n\
RestartSec=5\n\
KillMode=mixed\n\
TimeoutStopSec=60\n\
\n\
[Install]\n\
WantedBy=default.target\n"
    ))
}

/// `$XDG_CONFIG_HOME/systemd/user/llmops.service` (`~/.config` when unset).
pub fn unit_path() -> Result<PathBuf, String> {
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| dirs::home_dir().map(|h| h.join(".config")))
        .ok_or("there is no home folder to install a user service in")?;
    Ok(config.join("systemd/user").join(UNIT_NAME))
}

/// Runs `systemctl --user …`; the error says what failed and how to do it by hand.
fn systemctl(args: &[&str]) -> Result<(), String> {
    let output = Command::new("systemctl")
        .arg("--user")
        .args(args)
        .output()
        .map_err(|e| format!("systemctl could not be run ({e}); is this a systemd system?"))?;
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    Err(format!(
        "`systemctl --user {}` failed: {}",
        args.join(" "),
        stderr.trim()
    ))
}

/// Writes the unit (atomically) and, unless `start` is false, enables and starts it.
pub fn install(options: &UnitOptions, start: bool) -> Result<String, String> {
    let text = unit_text(options)?;
    let path = unit_path()?;
    let dir = path.parent().expect("the unit path has a folder");
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let partial = path.with_extension("service.partial");
    std::fs::write(&partial, text)
        .and_then(|()| std::fs::rename(&partial, &path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&partial);
            format!("cannot write {}: {e}", path.display())
        })?;
    let mut report = format!("wrote {}\n", path.display());
    if !start {
        report += &format!("start it with: systemctl --user enable --now {UNIT_NAME}\n");
        return Ok(report);
    }
    let manual = format!(
        "the unit is written to {}; in your login session run `systemctl --user daemon-reload && systemctl --user enable --now {UNIT_NAME}`",
        path.display()
    );
    systemctl(&["daemon-reload"]).map_err(|e| format!("{e}. {manual}"))?;
    systemctl(&["enable", "--now", UNIT_NAME]).map_err(|e| format!("{e}. {manual}"))?;
    report += &format!(
        "enabled and started {UNIT_NAME}: http://{}:{}/ (it starts at each login; `loginctl enable-linger` keeps it running without one)\n",
        options.host, options.port
    );
    Ok(report)
}

/// Stops and disables the service (best effort: a user manager that is not running has nothing
/// to stop) and removes the unit.
pub fn uninstall() -> Result<String, String> {
    let path = unit_path()?;
    if !path.exists() {
        return Err(format!(
            "no llmops service is installed ({} does not exist)",
            path.display()
        ));
    }
    let mut report = String::new();
    if let Err(problem) = systemctl(&["disable", "--now", UNIT_NAME]) {
        report += &format!("note: {problem}\n");
    }
    std::fs::remove_file(&path).map_err(|e| format!("cannot remove {}: {e}", path.display()))?;
    report += &format!("removed {}\n", path.display());
    if let Err(problem) = systemctl(&["daemon-reload"]) {
        report += &format!("note: {problem}\n");
    }
    Ok(report)
}

/// Whether the unit is installed, and what systemd says of it.
pub fn status() -> Result<String, String> {
    let path = unit_path()?;
    if !path.exists() {
        return Ok(format!(
            "not installed ({} does not exist); `llmops service install` installs it\n",
            path.display()
        ));
    }
    let state = Command::new("systemctl")
        .args(["--user", "is-active", UNIT_NAME])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    let state = if state.is_empty() {
        "unknown (no user manager)".to_string()
    } else {
        state
    };
    Ok(format!("installed: {}\nstate: {state}\n", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exec_words_are_quoted_for_systemd() {
        assert_eq!(
            exec_word("/opt/my apps/llmops", true),
            "\"/opt/my apps/llmops\""
        );
        assert_eq!(exec_word("a%b$c\"d\\e", false), "\"a%%b$$c\\\"d\\\\e\"");
        assert_eq!(exec_word("/a$b", true), "\"/a$b\"");
        let options = UnitOptions {
            exe: "/x/llmops".into(),
            host: "127.0.0.1".into(),
            port: 8765,
            ui_dir: Some("/x/ui\nExecStartPre=/bin/evil".into()),
        };
        assert!(unit_text(&options).unwrap_err().contains("line break"));
        let bad_host = UnitOptions {
            host: "0.0.0.0 --insecure-no-auth".into(),
            ui_dir: None,
            ..options
        };
        assert!(unit_text(&bad_host).is_err());
    }
}
