//! Which GPU memory belongs to which model instance: a compute process counts for an instance
//! when its pid is in the instance's process tree, or, for an engine in Docker, when its cgroup
//! is the instance's container (NVML reports the container's processes by their host pids,
//! which are children of the container runtime, not of `docker run`); anything else is "other".

use std::collections::HashMap;
use std::path::Path;

use super::processes::{container_of_cgroup, process_name};
use super::snapshot::{GpuStatus, InstanceResources};

/// `proc_root` is `/proc` (another root in tests).
pub(super) fn attribute(
    gpu: &mut GpuStatus,
    instances: &mut [InstanceResources],
    proc_root: &Path,
) {
    let GpuStatus::Available { gpus, .. } = gpu else {
        return;
    };
    let owner: HashMap<u32, usize> = instances
        .iter()
        .enumerate()
        .flat_map(|(i, inst)| inst.pids.iter().map(move |&pid| (pid, i)))
        .collect();
    for instance in instances.iter_mut() {
        instance.gpu_memory_bytes = Some(0);
    }
    for process in gpus
        .iter_mut()
        .filter_map(|g| g.processes.as_mut())
        .flatten()
    {
        process.name = process_name(process.pid);
        let Some(index) = owner
            .get(&process.pid)
            .copied()
            .or_else(|| in_container(instances, proc_root, process.pid))
        else {
            continue;
        };
        let instance = &mut instances[index];
        process.instance_id = Some(instance.instance_id.clone());
        process.model_name = Some(instance.model_name.clone());
        if let (Some(total), Some(used)) = (
            instance.gpu_memory_bytes.as_mut(),
            process.used_memory_bytes,
        ) {
            *total += used;
        }
    }
}

/// The instance whose container holds `pid`, if an instance runs in a container.
fn in_container(instances: &[InstanceResources], proc_root: &Path, pid: u32) -> Option<usize> {
    if instances.iter().all(|i| i.container_id.is_none()) {
        return None;
    }
    let cgroup = std::fs::read_to_string(proc_root.join(pid.to_string()).join("cgroup")).ok()?;
    let container = container_of_cgroup(&cgroup)?;
    instances
        .iter()
        .position(|i| i.container_id.as_deref() == Some(container.as_str()))
}
