//! The Tauri commands, derived from the core's operation table (`llmops_core::operations!`): one
//! command per `both` or `tauri` entry, named after it, taking its arguments by name (the window
//! sends them camelCased). An entry that the core answers runs its core call here; the others
//! (`=> adapter`) are written in [`crate::adapter_commands`] (the window's own settings in
//! [`crate::desktop`]). [`handler`] lists them all.

use llmops_core::error::AppError;
use llmops_core::Core;
use tauri::State;

#[allow(unused_imports)]
use crate::adapter_commands::*;
#[allow(unused_imports)]
use crate::desktop::*;

macro_rules! tauri_operations {
    ( $( $(#[doc = $doc:literal])* $name:ident $surface:tt
         ( $( $arg:ident : $place:ident $arg_ty:ty ),* ) -> $kind:ident $out:ty => $run:tt ; )* ) => {
        $( tauri_operations!(@command $name $surface ( $( $arg : $arg_ty ),* ) -> $out => $run); )*

        /// The invoke handler of every desktop command of the table.
        pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
            tauri_operations!(@handler [] $( $name $surface )*)
        }
    };

    (@command $name:ident [http $($route:tt)*] $($rest:tt)*) => {};
    (@command $name:ident $surface:tt $args:tt -> $out:ty => adapter) => {};
    (@command $name:ident $surface:tt ( $( $arg:ident : $arg_ty:ty ),* ) -> $out:ty
        => { |$core:ident| $body:expr }) => {
        #[tauri::command]
        async fn $name(state: State<'_, Core>, $( $arg: $arg_ty ),*) -> Result<$out, AppError> {
            #[allow(unused_variables)]
            async fn run($core: &Core, $( $arg: $arg_ty ),*) -> Result<$out, AppError> {
                $body
            }
            run(&state, $( $arg ),*).await
        }
    };

    // Collects the names of the desktop's commands (not the `http` ones) into one handler list.
    (@handler [$($listed:ident)*]) => {
        tauri::generate_handler![$($listed),*]
    };
    (@handler [$($listed:ident)*] $name:ident [http $($route:tt)*] $($rest:tt)*) => {
        tauri_operations!(@handler [$($listed)*] $($rest)*)
    };
    (@handler [$($listed:ident)*] $name:ident $surface:tt $($rest:tt)*) => {
        tauri_operations!(@handler [$($listed)* $name] $($rest)*)
    };
}

llmops_core::operations!(tauri_operations);
