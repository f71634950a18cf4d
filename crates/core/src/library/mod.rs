//! The model library: the models the user has configured, persisted in the store.

mod model;
mod service;
mod store;

pub use model::{
    Model, ModelEdited, NewModel, RestartPolicy, STARTER_MODEL_FILE, STARTER_MODEL_NAME,
};
pub use service::{managed_flags, LibraryError, ModelLibrary};
