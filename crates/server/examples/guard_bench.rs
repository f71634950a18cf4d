//! What the security guard (Host allow-list, Origin check, caller, scope) adds to a request,
//! measured side by side in one run: the same application with and without it, and with an API
//! key (a SHA-256 and a lookup per request). Sequential keep-alive GETs of `/api/health`,
//! interleaved in rounds so that drift affects every variant alike.
//!
//! `cargo run --release -p llmops-server --example guard_bench [-- REQUESTS_PER_ROUND ROUNDS]`;
//! the report goes to `bench-output/guard.{md,json}`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use llmops_core::access::{NewApiKey, Scope};
use llmops_core::config::CoreConfig;
use llmops_core::paths::AppPaths;
use llmops_core::Core;
use llmops_server::app;
use llmops_server::security::listener::{LimitedListener, PeerAddr};
use llmops_server::security::Security;

struct Variant {
    name: &'static str,
    base: String,
    bearer: Option<String>,
    samples_us: Vec<f64>,
}

async fn serve(router: axum::Router, listener: tokio::net::TcpListener) {
    tokio::spawn(async move {
        axum::serve(
            LimitedListener::new(listener, 64),
            router.into_make_service_with_connect_info::<PeerAddr>(),
        )
        .await
        .unwrap();
    });
}

async fn listener() -> (tokio::net::TcpListener, SocketAddr) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    (listener, addr)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank]
}

#[tokio::main]
async fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let per_round = args.first().copied().unwrap_or(2000);
    let rounds = args.get(1).copied().unwrap_or(10);
    let dir = tempfile::tempdir().unwrap();
    let config = CoreConfig::new(AppPaths::new(
        dir.path().join("data"),
        dir.path().join("cache"),
    ));
    let core = Core::open(config).await.unwrap();
    let key = core
        .access
        .create_key(NewApiKey {
            name: "bench".into(),
            scope: Scope::Read,
        })
        .await
        .unwrap()
        .secret;
    let ui = llmops_server::UiSource::Dir("/nonexistent/ui".into());

    let (off_listener, off_addr) = listener().await;
    let security = Arc::new(Security::new(off_addr, vec![], vec![], true, false));
    serve(
        app::unguarded_router_for_benchmarks(core.clone(), security, ui.clone()),
        off_listener,
    )
    .await;
    let (on_listener, on_addr) = listener().await;
    let security = Arc::new(Security::new(on_addr, vec![], vec![], true, false));
    serve(app::router(core.clone(), security, ui.clone()), on_listener).await;
    let (key_listener, key_addr) = listener().await;
    // Loopback clients must log in here too, so every request is checked against its key.
    let security = Arc::new(Security::new(key_addr, vec![], vec![], true, true));
    serve(app::router(core.clone(), security, ui), key_listener).await;

    let mut variants = vec![
        Variant {
            name: "without the guard",
            base: format!("http://{off_addr}"),
            bearer: None,
            samples_us: vec![],
        },
        Variant {
            name: "guard, loopback caller",
            base: format!("http://{on_addr}"),
            bearer: None,
            samples_us: vec![],
        },
        Variant {
            name: "guard, API key",
            base: format!("http://{key_addr}"),
            bearer: Some(key),
            samples_us: vec![],
        },
    ];
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(4)
        .build()
        .unwrap();
    // Warm-up: connections, allocator, caches.
    for variant in &variants {
        for _ in 0..500 {
            get(&http, variant).await;
        }
    }
    for _ in 0..rounds {
        for variant in variants.iter_mut() {
            for _ in 0..per_round {
                let started = Instant::now();
                get(&http, variant).await;
                variant
                    .samples_us
                    .push(started.elapsed().as_secs_f64() * 1e6);
            }
        }
    }

    let mut rows = Vec::new();
    let baseline_p50 = {
        let mut s = variants[0].samples_us.clone();
        s.sort_by(f64::total_cmp);
        percentile(&s, 50.0)
    };
    for variant in &variants {
        let mut s = variant.samples_us.clone();
        s.sort_by(f64::total_cmp);
        let (p50, p90, p99) = (
            percentile(&s, 50.0),
            percentile(&s, 90.0),
            percentile(&s, 99.0),
        );
        let mean = s.iter().sum::<f64>() / s.len() as f64;
        rows.push(serde_json::json!({
            "variant": variant.name, "requests": s.len(),
            "p50_us": round(p50), "p90_us": round(p90), "p99_us": round(p99), "mean_us": round(mean),
            "added_p50_us": round(p50 - baseline_p50), "ratio_p50": round(p50 / baseline_p50),
        }));
    }
    let mut md = String::from(
        "# Security guard overhead\n\nSequential keep-alive `GET /api/health` on loopback, same process, \
         rounds interleaved. Latency per request in µs.\n\n\
         | variant | requests | p50 | p90 | p99 | mean | added at p50 | ratio at p50 |\n|---|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for row in &rows {
        md.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
            row["variant"].as_str().unwrap(),
            row["requests"],
            row["p50_us"],
            row["p90_us"],
            row["p99_us"],
            row["mean_us"],
            row["added_p50_us"],
            row["ratio_p50"]
        ));
    }
    let out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../bench-output");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("guard.md"), &md).unwrap();
    std::fs::write(
        out.join("guard.json"),
        serde_json::to_string_pretty(&rows).unwrap(),
    )
    .unwrap();
    println!("{md}");
}

async fn get(http: &reqwest::Client, variant: &Variant) {
    let mut request = http.get(format!("{}/api/health", variant.base));
    if let Some(key) = &variant.bearer {
        request = request.bearer_auth(key);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 200, "{}", variant.name);
    response.bytes().await.unwrap();
}

fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}
