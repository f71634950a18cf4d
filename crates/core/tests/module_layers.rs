//! Dependencies inside `llmops-core` run one way: a module imports only modules of lower layers.
//! Each module's layer is declared below; a new module must be placed, and an import that runs
//! upward fails this test. One exception is named here and nowhere else:
//! - `events`: the bus carries every service's events, and every service publishes on it.
//!
//! Engines build a launch from a `LaunchTarget`, the view of a model that `library` gives them,
//! so `engine` sits below `library`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// (module, layer): lower layers know nothing of higher ones.
const LAYERS: &[(&str, u8)] = &[
    ("error", 0),
    ("time", 0),
    ("secure_fs", 0),
    ("bounded_lines", 0),
    ("lazy_client", 0),
    ("paths", 0),
    ("platform", 0),
    ("logging", 1),
    ("secrets", 1),
    ("store", 1),
    ("preferences", 1),
    ("config", 2),
    ("access", 2),
    ("engine", 3),
    ("library", 4),
    ("runtimes", 4),
    ("supervisor", 5),
    ("hub", 5),
    ("monitor", 6),
    ("chat", 6),
    ("history", 7),
    ("gateway", 7),
    ("alerts", 7),
    ("bench", 8),
    ("runs", 9),
    ("sweeps", 10),
    ("events", 11),
    ("prometheus", 12),
    ("core_handle", 13),
    ("core_engines", 14),
    ("core_placement", 12),
    ("operations", 14),
    ("bindings", 15),
    ("lib", 15),
];

/// Imports between modules of the same layer that are allowed (both directions): none today.
const SAME_LAYER: &[(&str, &str)] = &[];

/// The modules of `crates/core/src` and the `crate::x` modules each one's code names.
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut graph = BTreeMap::new();
    for entry in std::fs::read_dir(&src).unwrap().flatten() {
        let path = entry.path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let mut files = Vec::new();
        collect(&path, &mut files);
        let mut deps = BTreeSet::new();
        for file in files {
            for line in std::fs::read_to_string(&file).unwrap().lines() {
                let code = line.trim_start();
                if code.starts_with("//") {
                    continue;
                }
                for (i, _) in code.match_indices("crate::") {
                    let dep: String = code[i + 7..]
                        .chars()
                        .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                        .collect();
                    if !dep.is_empty() && dep != name {
                        deps.insert(dep);
                    }
                }
            }
        }
        graph.insert(name, deps);
    }
    graph
}

fn collect(path: &Path, files: &mut Vec<std::path::PathBuf>) {
    if path.is_dir() {
        for entry in std::fs::read_dir(path).unwrap().flatten() {
            collect(&entry.path(), files);
        }
    } else if path.extension().is_some_and(|e| e == "rs") {
        files.push(path.to_path_buf());
    }
}

#[test]
fn imports_run_from_higher_layers_to_lower_ones_only() {
    let layer: BTreeMap<&str, u8> = LAYERS.iter().copied().collect();
    let graph = imports();
    let mut problems = Vec::new();
    for (module, deps) in &graph {
        let Some(&own) = layer.get(module.as_str()) else {
            problems.push(format!("{module} has no layer: add it to LAYERS"));
            continue;
        };
        for dep in deps {
            let Some(&theirs) = layer.get(dep.as_str()) else {
                continue; // a name that is not a module of this crate (e.g. a macro path)
            };
            let same_ok = own == theirs
                && SAME_LAYER
                    .iter()
                    .any(|&(a, b)| (a, b) == (module, dep) || (b, a) == (module, dep));
            if theirs < own || same_ok || dep == "events" {
                continue;
            }
            problems.push(format!(
                "{module} (layer {own}) imports {dep} (layer {theirs})"
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "upward imports:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_store_knows_no_service() {
    let graph = imports();
    let allowed: BTreeSet<&str> = ["error", "secure_fs", "time"].into();
    let store = &graph["store"];
    let extra: Vec<_> = store
        .iter()
        .filter(|d| !allowed.contains(d.as_str()))
        .collect();
    assert!(
        extra.is_empty(),
        "store imports {extra:?}: keep a service's SQL beside it"
    );
}
