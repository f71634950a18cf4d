/*
 * A small stand-in for AMD's libamd_smi.so, for tests: one socket with two simulated MI300X GPUs
 * and one CPU, implementing the AMD SMI calls llmops makes with the structures of amdsmi.h
 * (AMD SMI 24.7), so that llmops loads and calls it as it would the real library.
 *
 * Behaviour comes from files next to this library, read at every amdsmi_get_socket_handles
 * (which starts each of llmops's samples):
 *   fake_amd_smi_mode       "ok" (default), "init_fail" (amdsmi_init fails), "stopped" (the
 *                           library stops answering)
 *   fake_amd_smi_processes  lines "<gpu index> <pid> <MiB>": processes to report
 * Build with -DOMIT_POWER to leave amdsmi_get_power_info out, as an older library might.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../fake_common/beside.h"

typedef uint32_t amdsmi_status_t;
/* Status values of amdsmi.h. */
enum { SUCCESS = 0, INVAL = 1, NOT_SUPPORTED = 2, OUT_OF_RESOURCES = 15, NOT_INIT = 32 };
enum { TYPE_AMD_GPU = 1, TYPE_AMD_CPU = 2 };

typedef struct {
    char market_name[256];
    uint32_t vendor_id;
    char vendor_name[64];
    uint32_t subvendor_id;
    uint64_t device_id;
    uint32_t rev_id;
    char asic_serial[32];
    uint32_t oam_id;
    uint32_t num_of_compute_units;
    uint64_t target_graphics_version;
    uint32_t reserved[15];
} amdsmi_asic_info_t;

typedef struct { uint32_t gfx_activity, umc_activity, mm_activity, reserved[13]; } amdsmi_engine_usage_t;

typedef struct {
    uint32_t current_socket_power, average_socket_power, gfx_voltage, soc_voltage, mem_voltage, power_limit;
    uint32_t reserved[11];
} amdsmi_power_info_t;

typedef struct {
    char name[32];
    uint32_t pid;
    uint64_t mem;
    struct { uint64_t gfx, enc; uint32_t reserved[12]; } engine_usage;
    struct { uint64_t gtt_mem, cpu_mem, vram_mem; uint32_t reserved[10]; } memory_usage;
    char container_name[32];
    uint32_t reserved[4];
} amdsmi_proc_info_t;

struct processor { int index; uint32_t type; };
static struct processor processors[3] = {{0, TYPE_AMD_GPU}, {-1, TYPE_AMD_CPU}, {1, TYPE_AMD_GPU}};
static int socket_0;
static int initialized;
static char mode[32] = "ok";

static void read_mode(void) {
    strcpy(mode, "ok");
    FILE *f = open_beside("fake_amd_smi_mode");
    if (f) {
        if (fscanf(f, "%31s", mode) != 1) strcpy(mode, "ok");
        fclose(f);
    }
}

static int gpu_of(void *handle) {
    for (int i = 0; i < 3; i++)
        if (handle == &processors[i]) return processors[i].type == TYPE_AMD_GPU ? processors[i].index : -2;
    return -1;
}

#define GPU(handle, var) \
    if (!initialized) return NOT_INIT; \
    int var = gpu_of(handle); \
    if (var < 0) return INVAL

amdsmi_status_t amdsmi_init(uint64_t flags) {
    (void)flags;
    read_mode();
    if (!strcmp(mode, "init_fail")) return NOT_INIT;
    initialized++;
    return SUCCESS;
}

amdsmi_status_t amdsmi_shut_down(void) {
    if (!initialized) return NOT_INIT;
    initialized--;
    return SUCCESS;
}

amdsmi_status_t amdsmi_get_socket_handles(uint32_t *count, void **handles) {
    if (!initialized) return NOT_INIT;
    read_mode();
    if (!strcmp(mode, "stopped")) return NOT_INIT;
    if (!handles) { *count = 1; return SUCCESS; }
    if (*count < 1) return OUT_OF_RESOURCES;
    handles[0] = &socket_0;
    *count = 1;
    return SUCCESS;
}

amdsmi_status_t amdsmi_get_processor_handles(void *socket, uint32_t *count, void **handles) {
    if (!initialized) return NOT_INIT;
    if (socket != &socket_0) return INVAL;
    if (!handles) { *count = 3; return SUCCESS; }
    uint32_t n = *count < 3 ? *count : 3;
    for (uint32_t i = 0; i < n; i++) handles[i] = &processors[i];
    *count = n;
    return SUCCESS;
}

amdsmi_status_t amdsmi_get_processor_type(void *handle, uint32_t *type) {
    if (!initialized) return NOT_INIT;
    for (int i = 0; i < 3; i++)
        if (handle == &processors[i]) { *type = processors[i].type; return SUCCESS; }
    return INVAL;
}

amdsmi_status_t amdsmi_get_gpu_asic_info(void *handle, amdsmi_asic_info_t *info) {
    GPU(handle, gpu);
    memset(info, 0, sizeof *info);
    snprintf(info->market_name, sizeof info->market_name, "AMD Instinct MI300X #%d", gpu);
    info->vendor_id = 0x1002;
    info->device_id = 0x74a1;
    info->target_graphics_version = 0x942;
    return SUCCESS;
}

amdsmi_status_t amdsmi_get_gpu_device_uuid(void *handle, unsigned int *length, char *uuid) {
    GPU(handle, gpu);
    if (*length < 37) return INVAL;
    snprintf(uuid, *length + 1, "a3ff74a1-0000-1000-80b5-00000000000%d", gpu);
    *length = 36;
    return SUCCESS;
}

amdsmi_status_t amdsmi_get_gpu_device_bdf(void *handle, uint64_t *bdf) {
    GPU(handle, gpu);
    *bdf = (uint64_t)(0x0c + 0x10 * gpu) << 8; /* domain 0, bus 0c / 1c, device 0, function 0 */
    return SUCCESS;
}

static uint64_t process_mib(int gpu, amdsmi_proc_info_t *out, uint32_t capacity, uint32_t *listed) {
    uint64_t total = 0;
    uint32_t n = 0;
    FILE *f = open_beside("fake_amd_smi_processes");
    if (f) {
        int index; uint32_t pid; uint64_t mib;
        while (fscanf(f, "%d %u %lu", &index, &pid, &mib) == 3) {
            if (index != gpu) continue;
            total += mib;
            if (out && n < capacity) {
                memset(&out[n], 0, sizeof out[n]);
                out[n].pid = pid;
                snprintf(out[n].name, sizeof out[n].name, "llama-server");
                out[n].mem = mib << 20;
                out[n].memory_usage.vram_mem = mib << 20;
            }
            n++;
        }
        fclose(f);
    }
    if (listed) *listed = n;
    return total;
}

/* Memory type 0: VRAM. */
amdsmi_status_t amdsmi_get_gpu_memory_total(void *handle, uint32_t type, uint64_t *total) {
    GPU(handle, gpu);
    if (type != 0) return NOT_SUPPORTED;
    *total = 192ULL << 30;
    return SUCCESS;
}

amdsmi_status_t amdsmi_get_gpu_memory_usage(void *handle, uint32_t type, uint64_t *used) {
    GPU(handle, gpu);
    if (type != 0) return NOT_SUPPORTED;
    *used = (300ULL + process_mib(gpu, NULL, 0, NULL)) << 20;
    return SUCCESS;
}

amdsmi_status_t amdsmi_get_gpu_activity(void *handle, amdsmi_engine_usage_t *usage) {
    GPU(handle, gpu);
    memset(usage, 0, sizeof *usage);
    usage->gfx_activity = 61 + gpu;
    usage->umc_activity = 22 + gpu;
    return SUCCESS;
}

/* Sensor 0 edge, 1 hotspot; metric 0 current. The MI300X reports no edge temperature. */
amdsmi_status_t amdsmi_get_temp_metric(void *handle, uint32_t sensor, uint32_t metric, int64_t *celsius) {
    GPU(handle, gpu);
    if (metric != 0 || sensor != 1) return NOT_SUPPORTED;
    *celsius = 58 + gpu;
    return SUCCESS;
}

#ifndef OMIT_POWER
/* Watts. */
amdsmi_status_t amdsmi_get_power_info(void *handle, amdsmi_power_info_t *info) {
    GPU(handle, gpu);
    memset(info, 0, sizeof *info);
    info->current_socket_power = 0; /* MI300X reports the average only */
    info->average_socket_power = 412 + gpu;
    info->power_limit = 750;
    return SUCCESS;
}
#endif

/* Microjoules in units of the resolution (15.3 µJ on MI300X). */
amdsmi_status_t amdsmi_get_energy_count(void *handle, uint64_t *accumulator, float *resolution, uint64_t *timestamp) {
    GPU(handle, gpu);
    *accumulator = 1000000ULL * (gpu + 1);
    *resolution = 15.3f;
    *timestamp = 0;
    return SUCCESS;
}

amdsmi_status_t amdsmi_get_gpu_process_list(void *handle, uint32_t *max, amdsmi_proc_info_t *list) {
    GPU(handle, gpu);
    uint32_t listed = 0;
    process_mib(gpu, list, *max, &listed);
    amdsmi_status_t status = listed > *max ? OUT_OF_RESOURCES : SUCCESS;
    *max = listed;
    return status;
}
