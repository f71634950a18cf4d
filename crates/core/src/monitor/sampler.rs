use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use super::attribution::attribute;
use super::disks::model_folders;
use super::gpu::{AmdBackend, FirstVendor, GpuBackend, NvidiaBackend};
use super::processes::ProcessProbe;
use super::snapshot::SystemSnapshot;
use super::system::SystemProbe;
use crate::config::CoreConfig;
use crate::supervisor::InstanceInfo;
use crate::time::now_ms;

/// What a sample needs from the other services.
#[derive(Debug, Clone, Default)]
pub struct SampleContext {
    pub instances: Vec<InstanceInfo>,
    pub model_paths: Vec<String>,
}

struct Probes {
    system: SystemProbe,
    processes: ProcessProbe,
    gpu: Box<dyn GpuBackend>,
}

/// The one sampler of the app: one `sysinfo` state and one NVML handle, shared. Cheap to clone.
#[derive(Clone)]
pub struct SystemMonitor {
    probes: Arc<Mutex<Probes>>,
    latest: Arc<Mutex<Option<SystemSnapshot>>>,
    models_dir: PathBuf,
    /// `/proc`, where a GPU process's cgroup tells its container (another root in tests).
    proc_root: PathBuf,
}

impl SystemMonitor {
    pub fn new(config: &CoreConfig) -> Self {
        Self::with_gpu_backend(
            config,
            Box::new(FirstVendor {
                nvidia: NvidiaBackend::new(config.nvml_lib.clone()),
                amd: AmdBackend::new(config.amd_smi_lib.clone()),
            }),
        )
    }

    pub fn with_gpu_backend(config: &CoreConfig, gpu: Box<dyn GpuBackend>) -> Self {
        SystemMonitor {
            probes: Arc::new(Mutex::new(Probes {
                system: SystemProbe::new(),
                processes: ProcessProbe::new(config.paths.clone()),
                gpu,
            })),
            latest: Arc::new(Mutex::new(None)),
            models_dir: config.paths.models_dir(),
            proc_root: PathBuf::from("/proc"),
        }
    }

    /// Reads processes' cgroups under `root` instead of `/proc`: for tests of container
    /// attribution, where a process cannot be put in a container's cgroup.
    pub fn with_proc_root(mut self, root: PathBuf) -> Self {
        self.proc_root = root;
        self
    }

    /// Takes a fresh sample now. Blocking (NVML and /proc reads): call from a blocking thread.
    pub fn sample(&self, context: &SampleContext) -> SystemSnapshot {
        let mut probes = self.probes.lock().unwrap_or_else(|p| p.into_inner());
        let (cpu, memory) = probes.system.cpu_and_memory();
        let network = probes.system.network();
        let mut instances = probes.processes.measure(&context.instances);
        let mut gpu = probes.gpu.sample();
        drop(probes);
        attribute(&mut gpu, &mut instances, &self.proc_root);
        let mut snapshot = SystemSnapshot {
            at: now_ms(),
            hostname: sysinfo::System::host_name().unwrap_or_default(),
            cpu,
            memory,
            disks: model_folders(&context.model_paths, &self.models_dir),
            network,
            gpu,
            instances,
            series: Default::default(),
        };
        snapshot.series = super::series::extract(&snapshot).into_iter().collect();
        *self.latest.lock().unwrap_or_else(|p| p.into_inner()) = Some(snapshot.clone());
        snapshot
    }

    /// The latest sample, if the sampler has run.
    pub fn latest(&self) -> Option<SystemSnapshot> {
        self.latest
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}
