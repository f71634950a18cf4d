//! Which GPU memory belongs to which model instance: a compute process counts for an instance
//! when its pid is in the instance's process tree; anything else is "other".

use std::collections::HashMap;

use super::processes::process_name;
use super::snapshot::{GpuStatus, InstanceResources};

pub(super) fn attribute(gpu: &mut GpuStatus, instances: &mut [InstanceResources]) {
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
        let Some(&index) = owner.get(&process.pid) else {
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
