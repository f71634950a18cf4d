//! The HTTP side of the operation table (`llmops_core::operations!`): for every operation served
//! over HTTP, a route with its method, path, scope and timeout; a handler that reads the
//! arguments (path, query, JSON body), runs the entry's core call and answers; and its
//! description in the API document. Operations that the transport itself must answer
//! (`=> adapter`) are routed to the function of the same name in [`crate::routes::by_adapter`].

use axum::body::Body;
use axum::extract::{FromRequest, FromRequestParts, RawPathParams, Request};
use axum::http::request::Parts;
use axum::Json;
use llmops_core::access::Scope;

use crate::api_error::ApiError;

/// One `/api` route: method (lower case), path below `/api`, the operation and the scope it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiRoute {
    pub method: &'static str,
    pub path: &'static str,
    pub name: &'static str,
    pub scope: Scope,
}

/// The path parameter `name` (percent-decoded).
pub async fn path_param(parts: &mut Parts, name: &str) -> Result<String, ApiError> {
    let params = RawPathParams::from_request_parts(parts, &())
        .await
        .map_err(|rejection| ApiError::bad_request(rejection.body_text()))?;
    params
        .iter()
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_string())
        .ok_or_else(|| ApiError::bad_request(format!("The path has no {{{name}}}")))
}

/// The JSON body; what is wrong with it (type, syntax, fields) as an [`ApiError`].
pub async fn json_body<T: serde::de::DeserializeOwned>(
    parts: Parts,
    body: Body,
) -> Result<T, ApiError> {
    Json::<T>::from_request(Request::from_parts(parts, body), &())
        .await
        .map(|Json(value)| value)
        .map_err(ApiError::from_json)
}

/// Expands the operation table into the HTTP adapter; invoked once, in `app.rs`.
macro_rules! http_operations {
    ( $( $(#[doc = $doc:literal])* $name:ident $surface:tt
         ( $( $arg:ident : $place:ident $arg_ty:ty ),* ) -> $kind:ident $out:ty => $run:tt ; )* ) => {
        /// One handler per operation that the core answers.
        mod handlers {
            #[allow(unused_imports)]
            use super::*;
            $( http_operations!(@handler $name $surface ( $( $arg : $place $arg_ty ),* ) -> $kind $out => $run); )*
        }

        /// Every `/api` route of the table, in table order.
        pub fn api_routes() -> Vec<$crate::operations::ApiRoute> {
            #[allow(unused_mut)]
            let mut routes = Vec::new();
            $( http_operations!(@describe routes $name $surface); )*
            routes
        }

        fn api_router() -> axum::Router<AppState> {
            let router = axum::Router::new();
            $( let router = http_operations!(@route router $name $surface $run); )*
            router
        }

        /// Every `/api` operation as the API document describes it.
        pub fn api_operations(generator: &mut schemars::SchemaGenerator) -> Vec<$crate::openapi::Operation> {
            #[allow(unused_mut)]
            let mut operations = Vec::new();
            $( http_operations!(@document operations generator $name $surface
                [$($doc),*] ( $( $arg : $place $arg_ty ),* ) -> $kind $out); )*
            operations
        }
    };

    // A handler runs the entry's core call; `adapter` entries have theirs in `routes::by_adapter`.
    (@handler $name:ident [tauri] $($rest:tt)*) => {};
    (@handler $name:ident $surface:tt $args:tt -> $kind:ident $out:ty => adapter) => {};
    (@handler $name:ident $surface:tt ( $( $arg:ident : $place:ident $arg_ty:ty ),* )
        -> $kind:ident $out:ty => { |$core:ident| $body:expr }) => {
        pub async fn $name(
            axum::extract::State(state): axum::extract::State<llmops_core::Core>,
            request: axum::extract::Request,
        ) -> Result<axum::response::Response, $crate::api_error::ApiError> {
            #[allow(unused_mut, unused_variables)]
            let (mut parts, body) = request.into_parts();
            $( let $arg: $arg_ty = http_operations!(@extract $place $arg_ty, parts, body, $arg); )*
            #[allow(unused_variables)]
            async fn run(
                $core: &llmops_core::Core,
                $( $arg: $arg_ty ),*
            ) -> Result<$out, llmops_core::error::AppError> {
                $body
            }
            let output = run(&state, $( $arg ),*).await?;
            Ok(http_operations!(@respond $kind output))
        }
    };

    (@extract path $ty:ty, $parts:ident, $body:ident, $arg:ident) => {
        $crate::operations::path_param(&mut $parts, stringify!($arg)).await?
    };
    (@extract query $ty:ty, $parts:ident, $body:ident, $arg:ident) => {
        <$crate::api_error::ApiQuery<$ty> as axum::extract::FromRequestParts<()>>::from_request_parts(&mut $parts, &()).await?.0
    };
    (@extract body $ty:ty, $parts:ident, $body:ident, $arg:ident) => {
        $crate::operations::json_body::<$ty>($parts, $body).await?
    };

    (@respond Json $output:ident) => {
        axum::response::IntoResponse::into_response(axum::Json($output))
    };
    (@respond Created $output:ident) => {
        axum::response::IntoResponse::into_response((axum::http::StatusCode::CREATED, axum::Json($output)))
    };
    (@respond Empty $output:ident) => {{
        let () = $output;
        axum::response::IntoResponse::into_response(axum::http::StatusCode::NO_CONTENT)
    }};

    (@describe $routes:ident $name:ident [tauri]) => {};
    (@describe $routes:ident $name:ident [$surface:ident $method:ident $path:literal $scope:ident $timing:ident]) => {
        $routes.push($crate::operations::ApiRoute {
            method: stringify!($method),
            path: $path,
            name: stringify!($name),
            scope: llmops_core::access::Scope::$scope,
        });
    };

    (@route $router:ident $name:ident [tauri] $run:tt) => { $router };
    (@route $router:ident $name:ident [$surface:ident $method:ident $path:literal $scope:ident $timing:ident] adapter) => {
        $router.route($path, http_operations!(@$timing axum::routing::$method($crate::routes::by_adapter::$name))
            .needs(llmops_core::access::Scope::$scope))
    };
    (@route $router:ident $name:ident [$surface:ident $method:ident $path:literal $scope:ident $timing:ident] $run:tt) => {
        $router.route($path, http_operations!(@$timing axum::routing::$method(handlers::$name))
            .needs(llmops_core::access::Scope::$scope))
    };
    (@quick $method_router:expr) => { with_timeout($method_router) };
    (@upload $method_router:expr) => {
        // The file travels as a JSON string, where escaping may double it; the core checks the
        // file's own size.
        with_timeout($method_router).layer(axum::extract::DefaultBodyLimit::max(
            2 * llmops_core::chat::MAX_IMPORT_BYTES + 64 * 1024,
        ))
    };
    (@stream $method_router:expr) => { $method_router };

    (@document $operations:ident $generator:ident $name:ident [tauri] $($rest:tt)*) => {};
    (@document $operations:ident $generator:ident $name:ident
        [$surface:ident $method:ident $path:literal $scope:ident $timing:ident] [$($doc:literal),*]
        ( $( $arg:ident : $place:ident $arg_ty:ty ),* ) -> $kind:ident $out:ty) => {{
            #[allow(unused_mut)]
            let mut input = $crate::openapi::Input::default();
            $( http_operations!(@input input $generator $place $arg_ty); )*
            $operations.push($crate::openapi::Operation {
                method: stringify!($method),
                path: $path,
                scope: llmops_core::access::Scope::$scope,
                name: stringify!($name),
                summary: [$($doc),*].iter().map(|line: &&str| line.trim()).collect::<Vec<_>>().join(" "),
                input,
                output: $crate::openapi::Output::$kind($generator.subschema_for::<$out>()),
            });
    }};
    (@input $input:ident $generator:ident path $ty:ty) => {};
    (@input $input:ident $generator:ident query $ty:ty) => {
        $input.query = Some(<$ty as schemars::JsonSchema>::json_schema($generator));
    };
    (@input $input:ident $generator:ident body $ty:ty) => {
        $input.body = Some($generator.subschema_for::<$ty>());
    };
}

pub(crate) use http_operations;
