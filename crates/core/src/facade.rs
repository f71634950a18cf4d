//! [`Core`]: every service, wired once, for an adapter to hold.

use thiserror::Error;
use tokio::task::JoinHandle;

use crate::chat::ChatService;
use crate::config::CoreConfig;
use crate::error::{CodedError, ErrorKind};
use crate::events::EventBus;
use crate::library::{LibraryError, ModelLibrary};
use crate::monitor::SystemMonitor;
use crate::store::{Store, StoreError};
use crate::supervisor::Supervisor;

#[derive(Debug, Error)]
pub enum CoreError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Library(#[from] LibraryError),
}

impl CodedError for CoreError {
    fn code(&self) -> &'static str {
        match self {
            CoreError::Store(e) => e.code(),
            CoreError::Library(e) => e.code(),
        }
    }

    fn kind(&self) -> ErrorKind {
        ErrorKind::Internal
    }
}

#[derive(Clone)]
pub struct Core {
    pub config: CoreConfig,
    pub bus: EventBus,
    pub store: Store,
    pub library: ModelLibrary,
    pub supervisor: Supervisor,
    pub monitor: SystemMonitor,
    pub chat: ChatService,
}

impl Core {
    /// Opens the store, registers the starter model if it is cached, reaps engines a crashed
    /// previous run left behind. Call [`Core::spawn_background`] to start sampling.
    pub async fn open(config: CoreConfig) -> Result<Core, CoreError> {
        let bus = EventBus::default();
        let store = Store::open(&config.paths.database()).await?;
        let library = ModelLibrary::new(store.clone(), bus.clone());
        if let Some(starter) = library.ensure_starter(&config.paths).await? {
            tracing::info!(path = %starter.path, "starter model available");
        }
        let supervisor =
            Supervisor::new(config.clone(), library.clone(), store.clone(), bus.clone()).await;
        let monitor = SystemMonitor::new(&config);
        let chat = ChatService::new(supervisor.clone());
        Ok(Core {
            config,
            bus,
            store,
            library,
            supervisor,
            monitor,
            chat,
        })
    }

    pub fn spawn_background(&self) -> JoinHandle<()> {
        self.monitor
            .spawn_sampler(self.bus.clone(), self.config.sample_interval)
    }

    /// Stops everything this process started. Adapters call it on quit.
    pub async fn shutdown(&self) {
        self.supervisor.stop_all().await;
    }
}
