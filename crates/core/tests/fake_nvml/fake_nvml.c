/*
 * A small stand-in for NVIDIA's libnvidia-ml.so, for tests: two simulated GPUs, implementing the
 * NVML calls llmops makes, with the real C ABI, so that nvml-wrapper loads and calls it exactly
 * as it would the driver's library.
 *
 * Behaviour is read at every call from files next to this library (so that each test can load
 * its own copy and change it while running):
 *   fake_nvml_mode      "ok" (default), "init_fail" (driver not loaded), "unsupported"
 *                       (optional readings answer NOT_SUPPORTED), "lost" (the driver went away)
 *   fake_nvml_processes lines "<gpu index> <pid> <MiB>": compute processes to report
 * Build with -DOMIT_PCIE_THROUGHPUT to leave one symbol out, as older drivers do.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>

typedef int nvmlReturn_t;
enum {
    NVML_SUCCESS = 0,
    NVML_ERROR_UNINITIALIZED = 1,
    NVML_ERROR_INVALID_ARGUMENT = 2,
    NVML_ERROR_NOT_SUPPORTED = 3,
    NVML_ERROR_INSUFFICIENT_SIZE = 7,
    NVML_ERROR_DRIVER_NOT_LOADED = 9,
    NVML_ERROR_GPU_IS_LOST = 15,
};

#define GPU_COUNT 2
#define MIB (1024ULL * 1024ULL)
#define GIB (1024ULL * MIB)

struct fake_device { unsigned index; };
typedef struct fake_device *nvmlDevice_t;
static struct fake_device devices[GPU_COUNT] = {{0}, {1}};
static int initialized = 0;

typedef struct { char busIdLegacy[16]; unsigned domain, bus, device, pciDeviceId, pciSubSystemId; char busId[32]; } nvmlPciInfo_t;
typedef struct { unsigned version; unsigned long long total, reserved, free, used; } nvmlMemory_v2_t;
typedef struct { unsigned gpu, memory; } nvmlUtilization_t;
typedef struct { unsigned pid; unsigned long long usedGpuMemory; unsigned gpuInstanceId, computeInstanceId; } nvmlProcessInfo_t;

/* A file next to this library, e.g. "fake_nvml_mode". */
static FILE *open_beside(const char *name) {
    Dl_info info;
    if (!dladdr((void *)open_beside, &info) || !info.dli_fname) return NULL;
    char path[4096];
    snprintf(path, sizeof path, "%s", info.dli_fname);
    char file[4200];
    snprintf(file, sizeof file, "%s/%s", dirname(path), name);
    return fopen(file, "r");
}

static int mode_is(const char *wanted) {
    char mode[32] = "ok";
    FILE *f = open_beside("fake_nvml_mode");
    if (f) {
        if (fscanf(f, "%31s", mode) != 1) strcpy(mode, "ok");
        fclose(f);
    }
    return strcmp(mode, wanted) == 0;
}

/* Every device call goes through this: initialised, not lost, a known handle. */
static nvmlReturn_t check(nvmlDevice_t device) {
    if (!initialized) return NVML_ERROR_UNINITIALIZED;
    if (mode_is("lost")) return NVML_ERROR_GPU_IS_LOST;
    if (device != &devices[0] && device != &devices[1]) return NVML_ERROR_INVALID_ARGUMENT;
    return NVML_SUCCESS;
}

#define CHECK(device) do { nvmlReturn_t r_ = check(device); if (r_ != NVML_SUCCESS) return r_; } while (0)
#define OPTIONAL() do { if (mode_is("unsupported")) return NVML_ERROR_NOT_SUPPORTED; } while (0)

nvmlReturn_t nvmlInit_v2(void) {
    if (mode_is("init_fail") || mode_is("lost")) return NVML_ERROR_DRIVER_NOT_LOADED;
    initialized = 1;
    return NVML_SUCCESS;
}
nvmlReturn_t nvmlInitWithFlags(unsigned flags) { (void)flags; return nvmlInit_v2(); }
nvmlReturn_t nvmlShutdown(void) { initialized = 0; return NVML_SUCCESS; }

const char *nvmlErrorString(nvmlReturn_t result) {
    switch (result) {
    case NVML_SUCCESS: return "Success";
    case NVML_ERROR_NOT_SUPPORTED: return "Not Supported";
    case NVML_ERROR_DRIVER_NOT_LOADED: return "Driver Not Loaded";
    case NVML_ERROR_GPU_IS_LOST: return "GPU is lost";
    default: return "Unknown Error";
    }
}

nvmlReturn_t nvmlSystemGetDriverVersion(char *version, unsigned length) {
    if (!initialized) return NVML_ERROR_UNINITIALIZED;
    snprintf(version, length, "550.54.15");
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlSystemGetCudaDriverVersion_v2(int *version) {
    if (!initialized) return NVML_ERROR_UNINITIALIZED;
    *version = 12040;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetCount_v2(unsigned *count) {
    if (!initialized) return NVML_ERROR_UNINITIALIZED;
    if (mode_is("lost")) return NVML_ERROR_DRIVER_NOT_LOADED;
    *count = GPU_COUNT;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned index, nvmlDevice_t *device) {
    if (!initialized) return NVML_ERROR_UNINITIALIZED;
    if (index >= GPU_COUNT) return NVML_ERROR_INVALID_ARGUMENT;
    *device = &devices[index];
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t d, char *name, unsigned length) {
    CHECK(d);
    snprintf(name, length, "Fake H100 #%u", d->index);
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t d, char *uuid, unsigned length) {
    CHECK(d);
    snprintf(uuid, length, "GPU-fa4e0000-0000-0000-0000-00000000000%u", d->index);
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetPciInfo_v3(nvmlDevice_t d, nvmlPciInfo_t *pci) {
    CHECK(d);
    memset(pci, 0, sizeof *pci);
    pci->bus = 0x17 + d->index;
    pci->pciDeviceId = 0x233010de;
    snprintf(pci->busId, sizeof pci->busId, "00000000:%02X:00.0", pci->bus);
    snprintf(pci->busIdLegacy, sizeof pci->busIdLegacy, "0000:%02X:00.0", pci->bus);
    return NVML_SUCCESS;
}

/* Reported compute processes of one GPU, from fake_nvml_processes. */
static unsigned read_processes(unsigned gpu, nvmlProcessInfo_t *out, unsigned capacity) {
    FILE *f = open_beside("fake_nvml_processes");
    if (!f) return 0;
    unsigned n = 0, index, pid;
    unsigned long long mib;
    while (fscanf(f, "%u %u %llu", &index, &pid, &mib) == 3) {
        if (index != gpu) continue;
        if (out && n < capacity) {
            out[n].pid = pid;
            out[n].usedGpuMemory = mib * MIB;
            out[n].gpuInstanceId = 0xFFFFFFFF;
            out[n].computeInstanceId = 0xFFFFFFFF;
        }
        n++;
    }
    fclose(f);
    return n;
}

nvmlReturn_t nvmlDeviceGetMemoryInfo_v2(nvmlDevice_t d, nvmlMemory_v2_t *memory) {
    CHECK(d);
    nvmlProcessInfo_t procs[64];
    unsigned n = read_processes(d->index, procs, 64);
    unsigned long long used = 512 * MIB;
    for (unsigned i = 0; i < n && i < 64; i++) used += procs[i].usedGpuMemory;
    memory->total = 80 * GIB;
    memory->reserved = 0;
    memory->used = used;
    memory->free = memory->total - used;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v3(nvmlDevice_t d, unsigned *count, nvmlProcessInfo_t *infos) {
    CHECK(d);
    unsigned n = read_processes(d->index, NULL, 0);
    if (*count < n || !infos) {
        *count = n;
        return n == 0 ? NVML_SUCCESS : NVML_ERROR_INSUFFICIENT_SIZE;
    }
    *count = read_processes(d->index, infos, *count);
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetUtilizationRates(nvmlDevice_t d, nvmlUtilization_t *u) {
    CHECK(d);
    OPTIONAL();
    u->gpu = 37 + d->index;
    u->memory = 12 + d->index;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetTemperature(nvmlDevice_t d, int sensor, unsigned *temp) {
    CHECK(d);
    OPTIONAL();
    (void)sensor;
    *temp = 45 + 10 * d->index;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetPowerUsage(nvmlDevice_t d, unsigned *milliwatts) {
    CHECK(d);
    OPTIONAL();
    *milliwatts = 123456 + 1000 * d->index;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetEnforcedPowerLimit(nvmlDevice_t d, unsigned *milliwatts) {
    CHECK(d);
    *milliwatts = 700000;
    return NVML_SUCCESS;
}

/* Data-centre boards have no fan: GPU 0 answers NOT_SUPPORTED, GPU 1 has one. */
nvmlReturn_t nvmlDeviceGetFanSpeed_v2(nvmlDevice_t d, unsigned fan, unsigned *speed) {
    CHECK(d);
    if (d->index == 0 || fan != 0) return NVML_ERROR_NOT_SUPPORTED;
    *speed = 41;
    return NVML_SUCCESS;
}

/* Clock types: 0 graphics, 1 SM, 2 memory. */
nvmlReturn_t nvmlDeviceGetClockInfo(nvmlDevice_t d, int type, unsigned *mhz) {
    CHECK(d);
    OPTIONAL();
    *mhz = type == 2 ? 2619 : 1755;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetMaxClockInfo(nvmlDevice_t d, int type, unsigned *mhz) {
    CHECK(d);
    *mhz = type == 2 ? 2619 : 1980;
    return NVML_SUCCESS;
}

#ifndef OMIT_PCIE_THROUGHPUT
/* Counters: 0 TX, 1 RX; KB/s. */
nvmlReturn_t nvmlDeviceGetPcieThroughput(nvmlDevice_t d, int counter, unsigned *kbps) {
    CHECK(d);
    OPTIONAL();
    *kbps = counter == 0 ? 1000 : 2000;
    return NVML_SUCCESS;
}
#endif

/* Bit 0x4: software power cap. */
nvmlReturn_t nvmlDeviceGetCurrentClocksThrottleReasons(nvmlDevice_t d, unsigned long long *reasons) {
    CHECK(d);
    OPTIONAL();
    *reasons = 0x4ULL;
    return NVML_SUCCESS;
}
