//! The HTTP application: `/api/*` over the core's services, Prometheus `/metrics`, everything
//! else from the built UI, all behind the security guard (Host, Origin, caller, scope).

use std::sync::Arc;
use std::time::Duration;

use axum::extract::FromRef;
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, MethodRouter};
use axum::Router;
use llmops_core::access::{Caller, Scope};
use llmops_core::Core;
use tower_http::timeout::TimeoutLayer;

use crate::openapi;
use crate::operations::http_operations;
use crate::routes::{auth, system, v1};
use crate::security::{guard, login_page, NeedsScope, Security};
use crate::ui_files::{self, UiSource};

/// What every handler can reach: the core and the security settings.
#[derive(Clone)]
pub struct AppState {
    pub core: Core,
    pub security: Arc<Security>,
}

impl FromRef<AppState> for Core {
    fn from_ref(state: &AppState) -> Core {
        state.core.clone()
    }
}

impl FromRef<AppState> for Arc<Security> {
    fn from_ref(state: &AppState) -> Arc<Security> {
        state.security.clone()
    }
}

/// How long a request that is not a stream may take before it is answered 408.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

// The routes, their handlers and their description in the API document, from the operation
// table (`llmops_core::operations!`, see `crate::operations`).
llmops_core::operations!(http_operations);

/// `GET /api/openapi.json`: this API, described from the operation table.
pub async fn openapi_document() -> axum::Json<serde_json::Value> {
    axum::Json(api_document())
}

/// The API document (OpenAPI 3.1).
pub fn api_document() -> serde_json::Value {
    let mut generator = openapi::generator();
    let operations = api_operations(&mut generator);
    let login_body = generator.subschema_for::<auth::LoginRequest>();
    let caller = generator.subschema_for::<Caller>();
    let error = generator.subschema_for::<llmops_core::error::ErrorBody>();
    let login = serde_json::json!({
        "operationId": "auth_login",
        "summary": "Log a browser in with the server token or an API key (no credential needed)",
        "x-llmops-scope": "none",
        "requestBody": {"required": true, "content": {"application/json": {"schema": login_body}}},
        "responses": {
            "200": {"description": "Logged in; `Set-Cookie: llmops_session=…; HttpOnly; SameSite=Strict`", "content": {"application/json": {"schema": caller}}},
            "400": {"description": "The body is not valid", "content": {"application/json": {"schema": error.clone()}}},
            "401": {"description": "Not a valid token or key", "content": {"application/json": {"schema": error.clone()}}},
            "403": {"description": "Foreign Host or Origin", "content": {"application/json": {"schema": error}}}
        }
    });
    openapi::document(
        operations,
        vec![("post", "/api/auth/login", login)],
        generator,
    )
}

fn with_timeout(router: MethodRouter<AppState>) -> MethodRouter<AppState> {
    router.layer(TimeoutLayer::with_status_code(
        StatusCode::REQUEST_TIMEOUT,
        REQUEST_TIMEOUT,
    ))
}

pub fn router(core: Core, security: Arc<Security>, ui: UiSource) -> Router {
    let state = AppState { core, security };
    routes(ui)
        .layer(from_fn_with_state(state.clone(), guard::guard))
        .with_state(state)
}

/// The same application without the guard (no Host, Origin or credential check; every request
/// acts as the local user). Only for measuring what the guard costs, side by side
/// (`examples/guard_bench.rs`); never served.
#[doc(hidden)]
pub fn unguarded_router_for_benchmarks(
    core: Core,
    security: Arc<Security>,
    ui: UiSource,
) -> Router {
    let state = AppState { core, security };
    routes(ui)
        .layer(axum::middleware::from_fn(
            |mut request: axum::extract::Request, next: axum::middleware::Next| async move {
                request
                    .extensions_mut()
                    .insert(llmops_core::access::Caller::local());
                next.run(request).await
            },
        ))
        .with_state(state)
}

fn routes(ui: UiSource) -> Router<AppState> {
    let api = api_router()
        .route("/auth/login", axum::routing::post(auth::login))
        .fallback(system::unknown_route);
    let login = Router::new()
        .route(
            "/login",
            get(|| async { guard::public_body("text/html; charset=utf-8", login_page::HTML) }),
        )
        .route(
            "/login.js",
            get(|| async {
                guard::public_body("text/javascript; charset=utf-8", login_page::SCRIPT)
            }),
        );
    Router::new()
        .route(
            "/metrics",
            with_timeout(get(system::metrics)).needs(Scope::Read),
        )
        .merge(login)
        .nest("/api", api)
        .nest("/v1", v1::router())
        .fallback_service(ui_files::service(ui))
}

#[cfg(test)]
mod tests {
    //! Every route of [`api_routes`], called by a client that must log in (here: loopback with
    //! `--require-auth-on-loopback`), without a credential, with a `read` key and with the token.

    use std::net::SocketAddr;

    use llmops_core::access::NewApiKey;
    use llmops_core::config::CoreConfig;
    use llmops_core::paths::AppPaths;
    use reqwest::Method;

    use super::*;
    use crate::security::listener::{LimitedListener, PeerAddr};

    /// Serves the app that `app_for(its address)` builds on a loopback port that needs a login.
    async fn serve_with(app_for: impl FnOnce(SocketAddr) -> Router) -> SocketAddr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = app_for(addr);
        tokio::spawn(async move {
            axum::serve(
                LimitedListener::new(listener, 64),
                app.into_make_service_with_connect_info::<PeerAddr>(),
            )
            .await
            .unwrap();
        });
        addr
    }

    fn login_required(addr: SocketAddr) -> Arc<Security> {
        Arc::new(Security::new(addr, vec![], vec![], true, true))
    }

    /// A core in `dir`, a `read` API key and the server token.
    async fn core_with_credentials(dir: &std::path::Path) -> (Core, String, String) {
        let config = CoreConfig::new(AppPaths::new(dir.join("data"), dir.join("cache")));
        let core = Core::open(config).await.unwrap();
        let read_key = core
            .access
            .create_key(NewApiKey {
                name: "r".into(),
                scope: Scope::Read,
            })
            .await
            .unwrap()
            .secret;
        let token = core.access.server_token();
        (core, read_key, token)
    }

    fn concrete(path: &str) -> String {
        path.replace("{message_id}", "1")
            .replace("{id}", "0b6c1d2e-8f7a-4c3b-9d1e-2f3a4b5c6d7e")
    }

    #[tokio::test]
    async fn every_route_needs_a_credential_and_its_scope() {
        let dir = tempfile::tempdir().unwrap();
        let (core, read_key, token) = core_with_credentials(dir.path()).await;
        let addr = serve_with(|addr| {
            router(
                core,
                login_required(addr),
                UiSource::Dir("/nonexistent/ui".into()),
            )
        })
        .await;
        let http = reqwest::Client::new();
        let routes = api_routes();
        for route in &routes {
            let (path, scope) = (route.path, route.scope);
            let method = Method::from_bytes(route.method.to_uppercase().as_bytes()).unwrap();
            let url = format!("http://{addr}/api{}", concrete(path));
            let status = |bearer: Option<String>| {
                let mut request = http.request(method.clone(), &url);
                if let Some(secret) = bearer {
                    request = request.bearer_auth(secret);
                }
                async move { request.send().await.unwrap().status().as_u16() }
            };
            assert_eq!(
                status(None).await,
                401,
                "{method} {path} without a credential"
            );
            let as_read = status(Some(read_key.clone())).await;
            if scope == Scope::Read {
                assert!(
                    ![401, 403].contains(&as_read),
                    "{method} {path} with read: {as_read}"
                );
            } else {
                assert_eq!(as_read, 403, "{method} {path} needs {scope:?}");
            }
            if path != "/auth/logout" && path != "/access/rotate-token" {
                let as_admin = status(Some(token.clone())).await;
                assert!(
                    ![401, 403].contains(&as_admin),
                    "{method} {path} with the token: {as_admin}"
                );
            }
        }
        // Everything that runs a program or changes what runs is admin-only.
        for (method, path) in [
            ("post", "/models"),
            ("post", "/models/deploy"),
            ("delete", "/models/{id}"),
            ("post", "/access/keys"),
        ] {
            assert!(
                routes
                    .iter()
                    .any(|r| (r.method, r.path, r.scope) == (method, path, Scope::Admin)),
                "{method} {path} must be admin"
            );
        }
    }

    /// "Add an operation": one entry in a table gives a routed, scope-checked, documented
    /// operation whose handler reads its path and body and runs the entry's core call.
    mod test_only_operation {
        use super::super::*;
        use super::*;

        macro_rules! test_table {
            ($callback:path) => {
                $callback! {
                    /// Echoes the path's id and the body's title back.
                    echo_text [both post "/test/echo/{id}" Operate quick]
                        (id: path String, text: body llmops_core::chat::NewConversation) -> Created Vec<String>
                        => { |core| Ok(vec![id, text.title.unwrap_or_default(), core.access.list_keys().len().to_string()]) };
                }
            };
        }
        test_table!(http_operations);

        #[tokio::test]
        async fn is_routed_checked_and_documented() {
            let dir = tempfile::tempdir().unwrap();
            let (core, read_key, token) = core_with_credentials(dir.path()).await;
            let addr = serve_with(|addr| {
                let state = AppState {
                    core,
                    security: login_required(addr),
                };
                Router::new()
                    .nest("/api", api_router())
                    .layer(from_fn_with_state(state.clone(), guard::guard))
                    .with_state(state)
            })
            .await;
            let url = format!("http://{addr}/api/test/echo/a%20b");
            let http = reqwest::Client::new();
            let send = |secret: &str, body: &str| {
                http.post(&url)
                    .bearer_auth(secret)
                    .header("content-type", "application/json")
                    .body(body.to_string())
                    .send()
            };
            let created = send(
                &token,
                r#"{"target":{"kind":"model","model_id":"m"},"title":"hi"}"#,
            )
            .await
            .unwrap();
            assert_eq!(created.status(), 201);
            let echoed: Vec<String> = created.json().await.unwrap();
            assert_eq!(echoed, ["a b", "hi", "1"]);
            assert_eq!(send(&read_key, "{}").await.unwrap().status(), 403);
            let invalid = send(&token, r#"{"title": 3}"#).await.unwrap();
            assert_eq!(invalid.status(), 400);
            let body: serde_json::Value = invalid.json().await.unwrap();
            assert!(body["code"].is_string(), "{body}");

            assert_eq!(
                api_routes(),
                vec![crate::operations::ApiRoute {
                    method: "post",
                    path: "/test/echo/{id}",
                    name: "echo_text",
                    scope: Scope::Operate,
                }]
            );
            let mut generator = openapi::generator();
            let documented = api_operations(&mut generator);
            assert_eq!(documented.len(), 1);
            assert_eq!(
                documented[0].summary,
                "Echoes the path's id and the body's title back."
            );
            assert!(documented[0].input.body.is_some() && documented[0].input.query.is_none());
        }
    }
}
