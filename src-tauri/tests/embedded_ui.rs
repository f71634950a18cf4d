//! The desktop binary embeds the dashboard (`ui/dist`) at compile time. This test makes
//! `cargo test` build that binary (the desktop E2E drives it) and checks that it carries the UI as
//! built now, not an older build left in the shared target directory.

use std::path::Path;

#[test]
fn the_desktop_binary_embeds_the_current_ui_build() {
    let index = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/dist/index.html");
    let Ok(html) = std::fs::read_to_string(&index) else {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!(
                "{} is missing: run `npm run ui:build` first",
                index.display()
            );
        }
        eprintln!(
            "SKIPPED (not CI): the UI is not built ({})",
            index.display()
        );
        return;
    };
    let entry = html
        .split('"')
        .find(|part| part.contains("assets/index-") && part.ends_with(".js"))
        .expect("index.html names its entry script")
        .trim_start_matches("./");
    let binary = std::fs::read(env!("CARGO_BIN_EXE_llmops-desktop")).unwrap();
    let embedded = binary
        .windows(entry.len())
        .any(|window| window == entry.as_bytes());
    assert!(
        embedded,
        "llmops-desktop does not embed {entry}: it was built from an older ui/dist"
    );
}
