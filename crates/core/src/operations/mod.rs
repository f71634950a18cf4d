//! Every operation of llmops, declared once in [`table.rs`](table.rs) (`operations!`). From that
//! one declaration come:
//!
//! - here, [`specs`]: each operation as data (name, surface, method, path, scope, arguments and
//!   output with their TypeScript types), from which the tests generate the UI's typed client
//!   (`ui/src/generated/operations.ts`) and check the table's own rules;
//! - in `llmops-server`, the axum routes (each running the entry's core call), the scope each
//!   route needs and the API document;
//! - in `llmops-desktop`, the Tauri commands (the same core calls), their handler list and their
//!   permissions.
//!
//! The core has no Tauri or axum dependency: each adapter expands the table with a macro of its
//! own (`operations!(its_macro)`), so an entry's `{ |core| … }` is compiled in each adapter, with
//! `core: &Core`, and returns `Result<Output, AppError>`.

mod constants;
mod table;
mod typescript;

pub use constants::typescript_constants;
pub use typescript::{camel_case, typescript_client};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A desktop notification's text. Longer texts are cut (title 120, body 1,000 characters).
#[derive(Debug, Clone, Deserialize, TS, schemars::JsonSchema)]
pub struct DesktopNotification {
    pub title: String,
    pub body: String,
}

impl DesktopNotification {
    pub const MAX_TITLE_CHARS: usize = 120;
    pub const MAX_BODY_CHARS: usize = 1000;

    /// The title and body, cut to their limits.
    pub fn bounded(&self) -> (String, String) {
        let cut = |text: &str, max: usize| text.chars().take(max).collect::<String>();
        (
            cut(&self.title, Self::MAX_TITLE_CHARS),
            cut(&self.body, Self::MAX_BODY_CHARS),
        )
    }
}

/// `GET /api/health`: the server answers, and which build it is (the About box shows it).
#[derive(Debug, Clone, Serialize, TS, schemars::JsonSchema)]
pub struct Health {
    /// Always `ok`.
    pub status: String,
    pub version: String,
    /// The git commit it was built from (12 hex digits), or `unknown`.
    pub commit: String,
    /// The day of that commit (UTC, `YYYY-MM-DD`), or `unknown`.
    pub commit_date: String,
    /// `debug` or `release`.
    pub profile: String,
}

impl Health {
    pub fn current() -> Health {
        Health {
            status: "ok".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            commit: env!("LLMOPS_BUILD_COMMIT").into(),
            commit_date: env!("LLMOPS_BUILD_DATE").into(),
            profile: env!("LLMOPS_BUILD_PROFILE").into(),
        }
    }
}

/// What `llmops --version` prints after the program's name.
pub const VERSION_LINE: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("LLMOPS_BUILD_COMMIT"),
    " ",
    env!("LLMOPS_BUILD_DATE"),
    ", ",
    env!("LLMOPS_BUILD_PROFILE"),
    ")"
);

/// Which adapters offer an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Surface {
    Both,
    Http,
    Tauri,
}

/// Where an argument travels over HTTP (the desktop app passes every argument by name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Place {
    Path,
    Query,
    Body,
}

/// What a successful call answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputKind {
    Json,
    Created,
    Empty,
    Sse,
    Ws,
    File,
}

/// One argument of an operation.
#[derive(Debug, Clone)]
pub struct ArgSpec {
    pub name: &'static str,
    pub place: Place,
    /// Its TypeScript type, as the generated bindings name it.
    pub ts_type: String,
}

/// One operation as data.
#[derive(Debug, Clone)]
pub struct OperationSpec {
    pub name: &'static str,
    pub doc: String,
    pub surface: Surface,
    /// HTTP method (lower case) and path below `/api`; `None` for desktop-only operations.
    pub http: Option<(&'static str, &'static str)>,
    /// The scope an HTTP caller needs (`read`, `operate`, `admin`).
    pub scope: Option<&'static str>,
    pub stream: bool,
    pub args: Vec<ArgSpec>,
    pub output: OutputKind,
    pub output_ts: String,
    /// Whether the entry's core call answers it, or each adapter does.
    pub core_runs: bool,
}

/// Builds [`specs`] from the table.
macro_rules! expand_core {
    ( $( $(#[doc = $doc:literal])* $name:ident $surface:tt
         ( $( $arg:ident : $place:ident $arg_ty:ty ),* ) -> $kind:ident $out:ty => $run:tt ; )* ) => {
        /// Every operation, in table order.
        pub fn specs() -> Vec<OperationSpec> {
            vec![ $( {
                let output_ts = <$out as TS>::name();
                let (surface, http, scope, stream) = expand_core!(@surface $surface);
                OperationSpec {
                    name: stringify!($name),
                    doc: [$($doc),*].iter().map(|line: &&str| line.trim()).collect::<Vec<_>>().join(" "),
                    surface,
                    http,
                    scope,
                    stream,
                    args: vec![ $( ArgSpec {
                        name: stringify!($arg),
                        place: expand_core!(@place $place),
                        ts_type: <$arg_ty as TS>::name(),
                    } ),* ],
                    output: OutputKind::$kind,
                    output_ts,
                    core_runs: expand_core!(@runs $run),
                }
            } ),* ]
        }
    };
    (@surface [tauri]) => { (Surface::Tauri, None, None, false) };
    (@surface [$surface:ident $method:ident $path:literal $scope:ident $timing:ident]) => {
        (
            expand_core!(@surface_kind $surface),
            Some((stringify!($method), $path)),
            Some($crate::access::Scope::$scope.as_str()),
            expand_core!(@stream $timing),
        )
    };
    (@surface_kind both) => { Surface::Both };
    (@surface_kind http) => { Surface::Http };
    (@stream quick) => { false };
    (@stream upload) => { false };
    (@stream stream) => { true };
    (@place path) => { Place::Path };
    (@place query) => { Place::Query };
    (@place body) => { Place::Body };
    (@runs adapter) => { false };
    (@runs { $($closure:tt)* }) => { true };
}

crate::operations!(expand_core);

#[cfg(test)]
mod tests;
