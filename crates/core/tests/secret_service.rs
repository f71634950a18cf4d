//! The secret store against a real Secret Service: GNOME Keyring in a private D-Bus session, with
//! its keyring files in a temp dir (never the user's). Under CI=true a missing daemon fails.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use llmops_core::secrets::{SecretBackend, SecretPreference, SecretStore};

struct Daemons {
    children: Vec<Child>,
}

impl Drop for Daemons {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn available(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A session bus and an unlocked GNOME Keyring on it; sets DBUS_SESSION_BUS_ADDRESS for this
/// process (this test binary has one test).
fn start_keyring(home: &std::path::Path) -> Option<Daemons> {
    if !available("dbus-daemon") || !available("gnome-keyring-daemon") {
        let message = "dbus-daemon and gnome-keyring-daemon are needed; run scripts/setup.sh";
        assert!(std::env::var("CI").as_deref() != Ok("true"), "{message}");
        eprintln!("SKIPPED (not CI): {message}");
        return None;
    }
    let runtime = home.join("run");
    std::fs::create_dir_all(&runtime).unwrap();
    let mut bus = Command::new("dbus-daemon")
        .args(["--session", "--nofork", "--print-address=1"])
        .arg(format!(
            "--address=unix:path={}",
            runtime.join("bus").display()
        ))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut address = String::new();
    BufReader::new(bus.stdout.take().unwrap())
        .read_line(&mut address)
        .unwrap();
    let address = address.trim().to_string();
    std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &address);
    let mut keyring = Command::new("gnome-keyring-daemon")
        .args(["--foreground", "--unlock", "--components=secrets"])
        .env("DBUS_SESSION_BUS_ADDRESS", &address)
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_RUNTIME_DIR", &runtime)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // The login keyring is created with this password, and unlocked.
    keyring
        .stdin
        .take()
        .unwrap()
        .write_all(b"test-password")
        .unwrap();
    Some(Daemons {
        children: vec![keyring, bus],
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_round_trip_through_a_real_secret_service() {
    let home = tempfile::tempdir().unwrap();
    let Some(_daemons) = start_keyring(home.path()) else {
        return;
    };
    let data = home.path().join("llmops-data");
    std::fs::create_dir_all(&data).unwrap();
    // The daemon registers on the bus, and creates its login collection, a moment after it
    // starts; on a machine busy with a parallel build that moment can take many seconds.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let mut store = SecretStore::open(&data, SecretPreference::Keyring).await;
    while store.info().backend != SecretBackend::Keyring && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(200)).await;
        store = SecretStore::open(&data, SecretPreference::Keyring).await;
    }
    assert_eq!(
        store.info().backend,
        SecretBackend::Keyring,
        "{}",
        store.info().detail
    );

    store
        .set("endpoint/e1/api_key", "sk-REAL-KEYRING")
        .await
        .unwrap();
    assert_eq!(
        store.get("endpoint/e1/api_key").await.unwrap().as_deref(),
        Some("sk-REAL-KEYRING")
    );
    // Nothing of it in llmops' own data dir: the keyring daemon keeps it (encrypted).
    assert!(!data.join(llmops_core::secrets::SECRETS_FILE).exists());
    // Another data dir is another service: no collision between two installs.
    let other = home.path().join("other-data");
    std::fs::create_dir_all(&other).unwrap();
    let other = SecretStore::open(&other, SecretPreference::Keyring).await;
    assert_eq!(other.get("endpoint/e1/api_key").await.unwrap(), None);

    store.delete("endpoint/e1/api_key").await.unwrap();
    store.delete("endpoint/e1/api_key").await.unwrap();
    assert_eq!(store.get("endpoint/e1/api_key").await.unwrap(), None);
}
