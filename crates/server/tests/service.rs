//! `llmops service`: the systemd user unit is valid for systemd itself (`systemd-analyze verify`),
//! quotes any path, is written and removed where systemd looks for user units, and the
//! `systemctl --user` calls are made (a recording fake stands in for systemctl here: the tests'
//! machine has no user manager).

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use llmops_server::service_unit::{unit_text, UnitOptions};

fn llmops(args: &[&str], config: &Path, path: Option<&Path>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_llmops"));
    command
        .args(args)
        .env("XDG_CONFIG_HOME", config)
        .env("HOME", config.join("home"));
    if let Some(dir) = path {
        let inherited = std::env::var("PATH").unwrap_or_default();
        command.env("PATH", format!("{}:{inherited}", dir.display()));
    }
    command.output().unwrap()
}

/// A `systemctl` that records its arguments and answers with `code`.
fn fake_systemctl(dir: &Path, code: i32) -> PathBuf {
    let log = dir.join("systemctl.log");
    let script = dir.join("systemctl");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\necho \"$@\" >> '{}'\necho 'Failed to connect to bus' >&2\nexit {code}\n",
            log.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    log
}

/// What `systemd-analyze verify` says of a unit file (empty: nothing wrong).
fn verify(unit: &Path) -> Option<String> {
    let Ok(output) = Command::new("systemd-analyze")
        .arg("verify")
        .arg(unit)
        .output()
    else {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("systemd-analyze is missing (scripts/setup.sh installs systemd)");
        }
        eprintln!("SKIPPED (not CI): systemd-analyze is missing");
        return None;
    };
    assert!(output.status.success(), "{output:?}");
    Some(String::from_utf8_lossy(&output.stderr).into_owned())
}

#[test]
fn the_unit_is_valid_for_systemd_and_quotes_any_path() {
    let dir = tempfile::tempdir().unwrap();
    // A program and a UI folder whose paths hold a space, a % and a $.
    let bin = dir.path().join("my apps/100% $HOME");
    std::fs::create_dir_all(&bin).unwrap();
    let exe = bin.join("llmops");
    std::fs::write(&exe, "#!/bin/sh\n").unwrap();
    std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
    let text = unit_text(&UnitOptions {
        exe: exe.clone(),
        host: "0.0.0.0".into(),
        port: 9000,
        ui_dir: Some(bin.clone()),
    })
    .unwrap();
    let unit = dir.path().join("llmops.service");
    std::fs::write(&unit, &text).unwrap();
    if let Some(problems) = verify(&unit) {
        assert!(!problems.contains("llmops.service"), "{problems}\n{text}");
    }
    // `$` is escaped in the arguments only: systemd takes the command as it is.
    assert!(text.contains("100%% $HOME/llmops\" \"serve\""), "{text}");
    assert!(text.contains("100%% $$HOME\"\n"), "{text}");
    assert!(text.contains("KillMode=mixed"));

    // The CLI prints the same for this binary and the UI folder it would serve.
    let ui = dir.path().join("ui");
    std::fs::create_dir_all(&ui).unwrap();
    let printed = llmops(
        &[
            "service",
            "print",
            "--port",
            "8799",
            "--ui-dir",
            ui.to_str().unwrap(),
        ],
        dir.path(),
        None,
    );
    assert!(printed.status.success(), "{printed:?}");
    let printed = String::from_utf8(printed.stdout).unwrap();
    let exe = std::fs::canonicalize(env!("CARGO_BIN_EXE_llmops")).unwrap();
    assert!(
        printed.contains(&format!("ExecStart=\"{}\" \"serve\"", exe.display())),
        "{printed}"
    );
    assert!(printed.contains("\"--port\" \"8799\""));
    std::fs::write(&unit, &printed).unwrap();
    if let Some(problems) = verify(&unit) {
        assert!(
            !problems.contains("llmops.service"),
            "{problems}\n{printed}"
        );
    }
    // A UI folder that is not there is refused, with what to do.
    let missing = llmops(
        &["service", "print", "--ui-dir", "/nonexistent/ui"],
        dir.path(),
        None,
    );
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("npm run ui:build"));
}

#[test]
fn install_status_and_uninstall_use_the_user_manager() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    let ui = dir.path().join("ui");
    std::fs::create_dir_all(&ui).unwrap();
    let unit = config.join("systemd/user/llmops.service");
    let ui_arg = ui.to_str().unwrap();

    // Written only.
    let written = llmops(
        &["service", "install", "--no-start", "--ui-dir", ui_arg],
        &config,
        None,
    );
    assert!(written.status.success(), "{written:?}");
    assert!(unit.is_file());
    assert!(std::fs::read_to_string(&unit)
        .unwrap()
        .contains("WantedBy=default.target"));

    // Enabled and started through `systemctl --user`.
    let bin = dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let log = fake_systemctl(&bin, 0);
    let started = llmops(
        &["service", "install", "--port", "8790", "--ui-dir", ui_arg],
        &config,
        Some(&bin),
    );
    assert!(started.status.success(), "{started:?}");
    assert!(String::from_utf8_lossy(&started.stdout).contains("enabled and started"));
    let calls = std::fs::read_to_string(&log).unwrap();
    assert_eq!(
        calls.lines().collect::<Vec<_>>(),
        ["--user daemon-reload", "--user enable --now llmops.service"]
    );
    let status = llmops(&["service", "status"], &config, Some(&bin));
    assert!(
        String::from_utf8_lossy(&status.stdout).contains(&format!("installed: {}", unit.display()))
    );

    // Uninstalled: disabled, removed; a second uninstall says there is nothing.
    let removed = llmops(&["service", "uninstall"], &config, Some(&bin));
    assert!(removed.status.success(), "{removed:?}");
    assert!(!unit.exists());
    assert!(std::fs::read_to_string(&log)
        .unwrap()
        .contains("--user disable --now llmops.service"));
    let again = llmops(&["service", "uninstall"], &config, Some(&bin));
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("no llmops service is installed"));

    // No user manager: the unit is written and the error says what to run by hand.
    let failing = dir.path().join("failing");
    std::fs::create_dir_all(&failing).unwrap();
    fake_systemctl(&failing, 1);
    let refused = llmops(
        &["service", "install", "--ui-dir", ui_arg],
        &config,
        Some(&failing),
    );
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("Failed to connect to bus") && stderr.contains("in your login session run"),
        "{stderr}"
    );
    assert!(unit.is_file(), "the unit stays written");
}
