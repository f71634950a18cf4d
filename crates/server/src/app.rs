//! The HTTP application: `/api/*` over the core's services, Prometheus `/metrics`, everything
//! else from the built UI, all behind the security guard (Host, Origin, caller, scope).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::FromRef;
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, MethodRouter};
use axum::Router;
use llmops_core::access::Scope;
use llmops_core::Core;
use tower_http::timeout::TimeoutLayer;

use crate::routes::{alerts, auth, chat, conversations, events, instances, logs, models, system};
use crate::security::{guard, login_page, NeedsScope, Security};
use crate::ui_files;

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

/// Declares each `/api` route once, with the scope it needs and whether it streams (streams get
/// no request timeout). Both the router and [`API_ROUTES`] (read by the tests) come from it.
macro_rules! api_routes {
    ($( $method:ident $path:literal => $handler:path, $scope:ident, $kind:ident; )*) => {
        /// Every `/api` route: method, path, and the scope a caller needs.
        pub const API_ROUTES: &[(&str, &str, Scope)] =
            &[ $( (stringify!($method), $path, Scope::$scope) ),* ];

        fn api_router() -> Router<AppState> {
            Router::new()
                $( .route($path, api_routes!(@$kind axum::routing::$method($handler)).needs(Scope::$scope)) )*
        }
    };
    (@quick $router:expr) => { with_timeout($router) };
    (@stream $router:expr) => { $router };
}

api_routes! {
    get    "/health" => system::health, Read, quick;
    get    "/auth/whoami" => auth::whoami, Read, quick;
    post   "/auth/logout" => auth::logout, Read, quick;
    get    "/access/keys" => auth::list_keys, Admin, quick;
    post   "/access/keys" => auth::create_key, Admin, quick;
    delete "/access/keys/{id}" => auth::revoke_key, Admin, quick;
    get    "/access/login-link" => auth::login_link, Admin, quick;
    post   "/access/rotate-token" => auth::rotate_token, Admin, quick;
    get    "/access/secrets" => auth::secret_store, Admin, quick;
    get    "/system/status" => system::status, Read, quick;
    get    "/system/history" => system::history, Read, quick;
    get    "/alerts" => alerts::list, Read, quick;
    get    "/alerts/rules" => alerts::rules, Read, quick;
    put    "/alerts/rules" => alerts::set_rules, Admin, quick;
    get    "/models" => models::list, Read, quick;
    post   "/models" => models::add, Admin, quick;
    post   "/models/deploy" => models::deploy, Admin, quick;
    get    "/engines" => models::engines, Read, quick;
    get    "/engines/presets" => models::presets, Read, quick;
    get    "/models/{id}" => models::detail, Read, quick;
    delete "/models/{id}" => models::remove, Admin, quick;
    post   "/models/{id}/stop" => models::stop, Operate, quick;
    post   "/models/{id}/start" => models::start, Operate, quick;
    get    "/models/{id}/logs" => logs::follow, Read, stream;
    get    "/instances" => instances::list, Read, quick;
    get    "/instances/{id}" => instances::get, Read, quick;
    post   "/instances/{id}/stop" => instances::stop, Operate, quick;
    get    "/instances/{id}/logs" => instances::logs, Read, quick;
    post   "/chat/completions" => chat::completions, Operate, stream;
    get    "/chat/search" => chat::search, Read, quick;
    get    "/chat/endpoints" => chat::endpoints, Read, quick;
    post   "/chat/endpoints" => chat::add_endpoint, Admin, quick;
    delete "/chat/endpoints/{id}" => chat::remove_endpoint, Admin, quick;
    get    "/chat/endpoints/{id}/models" => chat::endpoint_models, Operate, quick;
    get    "/chat/presets" => chat::presets, Read, quick;
    post   "/chat/presets" => chat::save_preset, Operate, quick;
    delete "/chat/presets/{id}" => chat::delete_preset, Operate, quick;
    get    "/conversations" => conversations::list, Read, quick;
    post   "/conversations" => conversations::create, Operate, quick;
    get    "/conversations/{id}" => conversations::get, Read, quick;
    patch  "/conversations/{id}" => conversations::update, Operate, quick;
    delete "/conversations/{id}" => conversations::delete, Operate, quick;
    delete "/conversations/{id}/messages/{message_id}" => conversations::delete_message, Operate, quick;
    post   "/conversations/{id}/turns" => conversations::turn, Operate, stream;
    get    "/conversations/{id}/export" => conversations::export, Read, quick;
    get    "/ws" => events::websocket, Read, stream;
}

fn with_timeout(router: MethodRouter<AppState>) -> MethodRouter<AppState> {
    router.layer(TimeoutLayer::with_status_code(
        StatusCode::REQUEST_TIMEOUT,
        REQUEST_TIMEOUT,
    ))
}

pub fn router(core: Core, security: Arc<Security>, ui_dir: PathBuf) -> Router {
    let state = AppState { core, security };
    routes(ui_dir)
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
    ui_dir: PathBuf,
) -> Router {
    let state = AppState { core, security };
    routes(ui_dir)
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

fn routes(ui_dir: PathBuf) -> Router<AppState> {
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
        .fallback_service(ui_files::service(ui_dir))
}

#[cfg(test)]
mod tests {
    //! Every route in [`API_ROUTES`], called by a client that must log in (here: loopback with
    //! `--require-auth-on-loopback`), without a credential, with a `read` key and with the token.

    use std::net::SocketAddr;

    use llmops_core::access::NewApiKey;
    use llmops_core::config::CoreConfig;
    use llmops_core::paths::AppPaths;
    use reqwest::Method;

    use super::*;
    use crate::security::listener::{LimitedListener, PeerAddr};

    async fn serve(core: Core) -> SocketAddr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let security = Arc::new(Security::new(addr, vec![], vec![], true, true));
        let app = router(core, security, PathBuf::from("/nonexistent/ui"));
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

    fn concrete(path: &str) -> String {
        path.replace("{message_id}", "1")
            .replace("{id}", "0b6c1d2e-8f7a-4c3b-9d1e-2f3a4b5c6d7e")
    }

    #[tokio::test]
    async fn every_route_needs_a_credential_and_its_scope() {
        let dir = tempfile::tempdir().unwrap();
        let config = CoreConfig::new(AppPaths::new(
            dir.path().join("data"),
            dir.path().join("cache"),
        ));
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
        let addr = serve(core).await;
        let http = reqwest::Client::new();
        for (method, path, scope) in API_ROUTES {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
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
            if *scope == Scope::Read {
                assert!(
                    ![401, 403].contains(&as_read),
                    "{method} {path} with read: {as_read}"
                );
            } else {
                assert_eq!(as_read, 403, "{method} {path} needs {scope:?}");
            }
            if *path != "/auth/logout" && *path != "/access/rotate-token" {
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
                API_ROUTES.contains(&(method, path, Scope::Admin)),
                "{method} {path} must be admin"
            );
        }
    }
}
