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

use llmops_core::access::{ApiKeyInfo, Caller, CreatedApiKey, LoginLink, NewApiKey};
use llmops_core::alerts::{Alert, AlertList, AlertRules};
use llmops_core::chat::{
    ChatEndpoint, ChatPreset, ChatRequest, ChatStreamEvent, Conversation, ConversationDetail,
    ConversationPatch, NewChatEndpoint, NewChatPreset, NewConversation, SearchHit, TurnRequest,
};
use llmops_core::engine::{DeployPreset, EngineInfo};
use llmops_core::events::Event as LlmopsEvent;
use llmops_core::history::History;
use llmops_core::library::{Model, NewModel};
use llmops_core::monitor::SystemSnapshot;
use llmops_core::secrets::SecretStoreInfo;
use llmops_core::supervisor::{InstanceInfo, LogBatch, LogLine, ModelDetail};

use crate::openapi::{self, Input, Operation, Output};
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

/// Declares each `/api` route once: method, path, handler, the scope it needs, whether it
/// streams (streams get no request timeout), what it reads and what it answers. The router,
/// [`API_ROUTES`] (read by the tests and `llmops routes`) and the API document
/// (`/api/openapi.json`, [`api_operations`]) all come from this one table.
macro_rules! api_routes {
    ($( $method:ident $path:literal => $handler:path, $scope:ident, $kind:ident,
        $in_kind:ident($in:ty) -> $out_kind:ident($out:ty); )*) => {
        /// Every `/api` route: method, path, and the scope a caller needs.
        pub const API_ROUTES: &[(&str, &str, Scope)] =
            &[ $( (stringify!($method), $path, Scope::$scope) ),* ];

        fn api_router() -> Router<AppState> {
            Router::new()
                $( .route($path, api_routes!(@$kind axum::routing::$method($handler)).needs(Scope::$scope)) )*
        }

        /// Every `/api` route as the API document describes it.
        pub fn api_operations(generator: &mut schemars::SchemaGenerator) -> Vec<Operation> {
            vec![ $( Operation {
                method: stringify!($method),
                path: $path,
                scope: Scope::$scope,
                handler: stringify!($handler),
                input: api_routes!(@in $in_kind, $in, generator),
                output: Output::$out_kind(generator.subschema_for::<$out>()),
            } ),* ]
        }
    };
    (@quick $router:expr) => { with_timeout($router) };
    (@stream $router:expr) => { $router };
    (@in Query, $in:ty, $generator:ident) => {
        Input::Query(<$in as schemars::JsonSchema>::json_schema($generator))
    };
    (@in $in_kind:ident, $in:ty, $generator:ident) => {
        Input::$in_kind($generator.subschema_for::<$in>())
    };
}

api_routes! {
    get    "/health" => system::health, Read, quick, Nothing(()) -> Json(system::Health);
    get    "/openapi.json" => openapi_document, Read, quick, Nothing(()) -> Json(serde_json::Value);
    get    "/auth/whoami" => auth::whoami, Read, quick, Nothing(()) -> Json(Caller);
    post   "/auth/logout" => auth::logout, Read, quick, Nothing(()) -> Empty(());
    get    "/access/keys" => auth::list_keys, Admin, quick, Nothing(()) -> Json(Vec<ApiKeyInfo>);
    post   "/access/keys" => auth::create_key, Admin, quick, Body(NewApiKey) -> Json(CreatedApiKey);
    delete "/access/keys/{id}" => auth::revoke_key, Admin, quick, Nothing(()) -> Empty(());
    get    "/access/login-link" => auth::login_link, Admin, quick, Nothing(()) -> Json(LoginLink);
    post   "/access/rotate-token" => auth::rotate_token, Admin, quick, Nothing(()) -> Empty(());
    get    "/access/secrets" => auth::secret_store, Admin, quick, Nothing(()) -> Json(SecretStoreInfo);
    get    "/system/status" => system::status, Read, quick, Nothing(()) -> Json(SystemSnapshot);
    get    "/system/history" => system::history, Read, quick, Query(system::HistoryQuery) -> Json(History);
    get    "/alerts" => alerts::list, Read, quick, Nothing(()) -> Json(AlertList);
    get    "/alerts/rules" => alerts::rules, Read, quick, Nothing(()) -> Json(AlertRules);
    put    "/alerts/rules" => alerts::set_rules, Admin, quick, Body(AlertRules) -> Json(AlertRules);
    post   "/alerts/{id}/acknowledge" => alerts::acknowledge, Operate, quick, Nothing(()) -> Json(Alert);
    get    "/models" => models::list, Read, quick, Nothing(()) -> Json(Vec<Model>);
    post   "/models" => models::add, Admin, quick, Body(NewModel) -> Json(Model);
    post   "/models/deploy" => models::deploy, Admin, quick, Body(NewModel) -> Json(InstanceInfo);
    get    "/engines" => models::engines, Read, quick, Nothing(()) -> Json(Vec<EngineInfo>);
    get    "/engines/presets" => models::presets, Read, quick, Nothing(()) -> Json(Vec<DeployPreset>);
    get    "/models/{id}" => models::detail, Read, quick, Nothing(()) -> Json(ModelDetail);
    delete "/models/{id}" => models::remove, Admin, quick, Nothing(()) -> Empty(());
    post   "/models/{id}/stop" => models::stop, Operate, quick, Nothing(()) -> Json(InstanceInfo);
    post   "/models/{id}/start" => models::start, Operate, quick, Nothing(()) -> Json(InstanceInfo);
    get    "/models/{id}/logs" => logs::follow, Read, stream, Nothing(()) -> Ws(LogBatch);
    get    "/instances" => instances::list, Read, quick, Nothing(()) -> Json(Vec<InstanceInfo>);
    get    "/instances/{id}" => instances::get, Read, quick, Nothing(()) -> Json(InstanceInfo);
    post   "/instances/{id}/stop" => instances::stop, Operate, quick, Nothing(()) -> Json(InstanceInfo);
    get    "/instances/{id}/logs" => instances::logs, Read, quick, Query(instances::LogQuery) -> Json(Vec<LogLine>);
    post   "/chat/completions" => chat::completions, Operate, stream, Body(ChatRequest) -> Sse(ChatStreamEvent);
    get    "/chat/search" => chat::search, Read, quick, Query(chat::SearchQuery) -> Json(Vec<SearchHit>);
    get    "/chat/endpoints" => chat::endpoints, Read, quick, Nothing(()) -> Json(Vec<ChatEndpoint>);
    post   "/chat/endpoints" => chat::add_endpoint, Admin, quick, Body(NewChatEndpoint) -> Created(ChatEndpoint);
    delete "/chat/endpoints/{id}" => chat::remove_endpoint, Admin, quick, Nothing(()) -> Empty(());
    get    "/chat/endpoints/{id}/models" => chat::endpoint_models, Operate, quick, Nothing(()) -> Json(Vec<String>);
    get    "/chat/presets" => chat::presets, Read, quick, Nothing(()) -> Json(Vec<ChatPreset>);
    post   "/chat/presets" => chat::save_preset, Operate, quick, Body(NewChatPreset) -> Json(ChatPreset);
    delete "/chat/presets/{id}" => chat::delete_preset, Operate, quick, Nothing(()) -> Empty(());
    get    "/conversations" => conversations::list, Read, quick, Nothing(()) -> Json(Vec<Conversation>);
    post   "/conversations" => conversations::create, Operate, quick, Body(NewConversation) -> Created(Conversation);
    get    "/conversations/{id}" => conversations::get, Read, quick, Nothing(()) -> Json(ConversationDetail);
    patch  "/conversations/{id}" => conversations::update, Operate, quick, Body(ConversationPatch) -> Json(Conversation);
    delete "/conversations/{id}" => conversations::delete, Operate, quick, Nothing(()) -> Empty(());
    delete "/conversations/{id}/messages/{message_id}" => conversations::delete_message, Operate, quick, Nothing(()) -> Empty(());
    post   "/conversations/{id}/turns" => conversations::turn, Operate, stream, Body(TurnRequest) -> Sse(ChatStreamEvent);
    get    "/conversations/{id}/export" => conversations::export, Read, quick, Query(conversations::ExportQuery) -> File(());
    get    "/ws" => events::websocket, Read, stream, Nothing(()) -> Ws(LlmopsEvent);
}

/// `GET /api/openapi.json`: this API, described from the route table above.
async fn openapi_document() -> axum::Json<serde_json::Value> {
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
