/*
 * A small stand-in for NVIDIA's libnvidia-ml.so, for tests and benchmarks: simulated GPUs,
 * implementing the NVML calls llmops makes, with the real C ABI, so that nvml-wrapper loads and
 * calls it exactly as it would the driver's library.
 *
 * Behaviour comes from files next to this library (so that each test can load its own copy and
 * change it while running). They are read again at nvmlInit and at every nvmlDeviceGetCount_v2,
 * which starts each of llmops's samples; between those, the calls answer from memory, so that
 * the fake costs no more CPU than a driver call does.
 *   fake_nvml_mode      "ok" (default), "init_fail" (driver not loaded), "unsupported"
 *                       (optional readings answer NOT_SUPPORTED), "lost" (the driver went away)
 *   fake_nvml_processes lines "<gpu index> <pid> <MiB>": compute processes to report; a line
 *                       "no_permission" makes the process list answer NO_PERMISSION, as for an
 *                       unprivileged user on some drivers
 *   fake_nvml_options   lines "<key> <values...>":
 *                         gpus N              how many GPUs (default 2, at most 16)
 *                         latency_us N        time every device call takes (default 0)
 *                         pcie_latency_us N   time nvmlDeviceGetPcieThroughput takes, per
 *                                             direction (the real call measures over a 20 ms
 *                                             window: 20000)
 *                         lost I [I...]       these GPUs fell off the bus: GPU_IS_LOST
 *                         mig I [I...]        these GPUs are in MIG mode (no utilization)
 *                         free_mib I M        GPU I reports M MiB free (others: 80 GiB total)
 *                         xid I CODE          an Xid error CODE on GPU I, delivered once (in
 *                                             file order) to an event set that registered
 *                                             critical Xid events for GPU I
 *                         replays I N         GPU I reports N PCIe replays (others: 0)
 * Build with -DOMIT_PCIE_THROUGHPUT to leave one symbol out, as older drivers do.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <libgen.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../fake_common/beside.h"

typedef int nvmlReturn_t;
enum {
    NVML_SUCCESS = 0,
    NVML_ERROR_UNINITIALIZED = 1,
    NVML_ERROR_INVALID_ARGUMENT = 2,
    NVML_ERROR_NOT_SUPPORTED = 3,
    NVML_ERROR_NO_PERMISSION = 4,
    NVML_ERROR_INSUFFICIENT_SIZE = 7,
    NVML_ERROR_DRIVER_NOT_LOADED = 9,
    NVML_ERROR_TIMEOUT = 10,
    NVML_ERROR_GPU_IS_LOST = 15,
};

#define MAX_GPUS 16
#define MAX_PROCESSES 64
#define MAX_XIDS 64
#define MIB (1024ULL * 1024ULL)
#define GIB (1024ULL * MIB)

struct fake_device { unsigned index; };
typedef struct fake_device *nvmlDevice_t;
static struct fake_device devices[MAX_GPUS] = {
    {0}, {1}, {2}, {3}, {4}, {5}, {6}, {7}, {8}, {9}, {10}, {11}, {12}, {13}, {14}, {15}};
/* Initialisations not yet shut down: NVML counts them, and only the last nvmlShutdown unloads. */
static int initialized = 0;

typedef struct { char busIdLegacy[16]; unsigned domain, bus, device, pciDeviceId, pciSubSystemId; char busId[32]; } nvmlPciInfo_t;
typedef struct { unsigned version; unsigned long long total, reserved, free, used; } nvmlMemory_v2_t;
typedef struct { unsigned gpu, memory; } nvmlUtilization_t;
typedef struct { unsigned pid; unsigned long long usedGpuMemory; unsigned gpuInstanceId, computeInstanceId; } nvmlProcessInfo_t;
typedef struct { unsigned long long referenceTime, violationTime; } nvmlViolationTime_t;

struct fake_process { unsigned gpu, pid; unsigned long long mib; };
struct fake_xid { unsigned gpu; unsigned long long code; };

/* What the files say, read at nvmlInit and nvmlDeviceGetCount_v2. */
struct fake_config {
    char mode[32];
    unsigned gpus;
    unsigned latency_us, pcie_latency_us;
    unsigned lost, mig;                       /* bit i: GPU i */
    unsigned long long free_mib[MAX_GPUS];    /* 0: not set */
    unsigned replays[MAX_GPUS];
    unsigned xid_count;
    struct fake_xid xids[MAX_XIDS];
    int processes_denied;
    unsigned process_count;
    struct fake_process processes[MAX_PROCESSES];
};

/* The sampler and its slow-metrics thread call at the same time: the config is swapped under
 * this lock and read under it. */
static pthread_mutex_t config_lock = PTHREAD_MUTEX_INITIALIZER;
static struct fake_config config = {.mode = "ok", .gpus = 2};
/* Signalled when the files are read again, so that an event wait blocks without polling, as the
 * driver's does. */
static pthread_cond_t config_changed = PTHREAD_COND_INITIALIZER;
static struct timespec started;

static unsigned read_index_mask(char *rest) {
    unsigned mask = 0;
    for (char *token = strtok(rest, " \t\n"); token; token = strtok(NULL, " \t\n")) {
        unsigned i = (unsigned)strtoul(token, NULL, 10);
        if (i < MAX_GPUS) mask |= 1u << i;
    }
    return mask;
}

static void read_options(struct fake_config *c) {
    FILE *f = open_beside("fake_nvml_options");
    if (!f) return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        char key[32];
        int used = 0;
        if (sscanf(line, "%31s %n", key, &used) != 1) continue;
        char *rest = line + used;
        if (!strcmp(key, "gpus")) {
            c->gpus = (unsigned)strtoul(rest, NULL, 10);
            if (c->gpus > MAX_GPUS) c->gpus = MAX_GPUS;
        } else if (!strcmp(key, "latency_us")) c->latency_us = (unsigned)strtoul(rest, NULL, 10);
        else if (!strcmp(key, "pcie_latency_us")) c->pcie_latency_us = (unsigned)strtoul(rest, NULL, 10);
        else if (!strcmp(key, "lost")) c->lost = read_index_mask(rest);
        else if (!strcmp(key, "mig")) c->mig = read_index_mask(rest);
        else if (!strcmp(key, "xid")) {
            struct fake_xid x;
            if (sscanf(rest, "%u %llu", &x.gpu, &x.code) == 2 && c->xid_count < MAX_XIDS) c->xids[c->xid_count++] = x;
        } else if (!strcmp(key, "replays")) {
            unsigned i, n;
            if (sscanf(rest, "%u %u", &i, &n) == 2 && i < MAX_GPUS) c->replays[i] = n;
        } else if (!strcmp(key, "free_mib")) {
            unsigned i; unsigned long long mib;
            if (sscanf(rest, "%u %llu", &i, &mib) == 2 && i < MAX_GPUS) c->free_mib[i] = mib;
        }
    }
    fclose(f);
}

static void read_processes(struct fake_config *c) {
    FILE *f = open_beside("fake_nvml_processes");
    if (!f) return;
    char line[256];
    while (fgets(line, sizeof line, f)) {
        struct fake_process p;
        if (!strncmp(line, "no_permission", 13)) c->processes_denied = 1;
        else if (sscanf(line, "%u %u %llu", &p.gpu, &p.pid, &p.mib) == 3 && c->process_count < MAX_PROCESSES)
            c->processes[c->process_count++] = p;
    }
    fclose(f);
}

static void reload(void) {
    struct fake_config fresh;
    memset(&fresh, 0, sizeof fresh);
    strcpy(fresh.mode, "ok");
    fresh.gpus = 2;
    FILE *f = open_beside("fake_nvml_mode");
    if (f) {
        if (fscanf(f, "%31s", fresh.mode) != 1) strcpy(fresh.mode, "ok");
        fclose(f);
    }
    read_options(&fresh);
    read_processes(&fresh);
    pthread_mutex_lock(&config_lock);
    config = fresh;
    pthread_cond_broadcast(&config_changed);
    pthread_mutex_unlock(&config_lock);
}

static struct fake_config current(void) {
    pthread_mutex_lock(&config_lock);
    struct fake_config c = config;
    pthread_mutex_unlock(&config_lock);
    return c;
}

static int mode_is(const char *wanted) {
    pthread_mutex_lock(&config_lock);
    int same = strcmp(config.mode, wanted) == 0;
    pthread_mutex_unlock(&config_lock);
    return same;
}

static void take_time(unsigned us) {
    if (us) usleep(us);
}

/* Every device call goes through this: initialised, not lost, a known handle, its latency. It
 * reads the few fields it needs under the lock rather than copying the whole config, so that the
 * fake's own cost stays out of what the benchmark measures. */
static nvmlReturn_t check(nvmlDevice_t device) {
    if (!initialized) return NVML_ERROR_UNINITIALIZED;
    pthread_mutex_lock(&config_lock);
    unsigned latency_us = config.latency_us, gpus = config.gpus, lost = config.lost;
    int driver_lost = !strcmp(config.mode, "lost");
    pthread_mutex_unlock(&config_lock);
    take_time(latency_us);
    if (driver_lost) return NVML_ERROR_GPU_IS_LOST;
    if (device < &devices[0] || device >= &devices[gpus]) return NVML_ERROR_INVALID_ARGUMENT;
    if (lost & (1u << device->index)) return NVML_ERROR_GPU_IS_LOST;
    return NVML_SUCCESS;
}

/* One field of the config, read under the lock. */
#define CONFIG_FIELD(expr) ({ pthread_mutex_lock(&config_lock); __typeof__(config.expr) v_ = config.expr; pthread_mutex_unlock(&config_lock); v_; })

#define CHECK(device) do { nvmlReturn_t r_ = check(device); if (r_ != NVML_SUCCESS) return r_; } while (0)
#define OPTIONAL() do { if (mode_is("unsupported")) return NVML_ERROR_NOT_SUPPORTED; } while (0)

static double seconds_since_init(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - started.tv_sec) + (now.tv_nsec - started.tv_nsec) / 1e9;
}

nvmlReturn_t nvmlInit_v2(void) {
    reload();
    if (mode_is("init_fail") || mode_is("lost")) return NVML_ERROR_DRIVER_NOT_LOADED;
    if (!initialized) clock_gettime(CLOCK_MONOTONIC, &started);
    initialized++;
    return NVML_SUCCESS;
}
nvmlReturn_t nvmlInitWithFlags(unsigned flags) { (void)flags; return nvmlInit_v2(); }
nvmlReturn_t nvmlShutdown(void) {
    if (!initialized) return NVML_ERROR_UNINITIALIZED;
    initialized--;
    return NVML_SUCCESS;
}

const char *nvmlErrorString(nvmlReturn_t result) {
    switch (result) {
    case NVML_SUCCESS: return "Success";
    case NVML_ERROR_NOT_SUPPORTED: return "Not Supported";
    case NVML_ERROR_NO_PERMISSION: return "Insufficient Permissions";
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
    reload();
    struct fake_config c = current();
    take_time(c.latency_us);
    if (!strcmp(c.mode, "lost")) return NVML_ERROR_DRIVER_NOT_LOADED;
    *count = c.gpus;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned index, nvmlDevice_t *device) {
    if (!initialized) return NVML_ERROR_UNINITIALIZED;
    if (index >= CONFIG_FIELD(gpus)) return NVML_ERROR_INVALID_ARGUMENT;
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
    snprintf(uuid, length, "GPU-fa4e0000-0000-0000-0000-0000000000%02u", d->index);
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

/* Compute processes of one GPU; the count of them, of which at most `capacity` are written. */
static unsigned gpu_processes(const struct fake_config *c, unsigned gpu, nvmlProcessInfo_t *out, unsigned capacity) {
    unsigned n = 0;
    for (unsigned i = 0; i < c->process_count; i++) {
        const struct fake_process *p = &c->processes[i];
        if (p->gpu != gpu) continue;
        if (out && n < capacity) {
            out[n].pid = p->pid;
            out[n].usedGpuMemory = p->mib * MIB;
            /* In MIG mode a process runs in a GPU instance; otherwise "none" (all ones). */
            out[n].gpuInstanceId = c->mig & (1u << gpu) ? 1 : 0xFFFFFFFF;
            out[n].computeInstanceId = c->mig & (1u << gpu) ? 0 : 0xFFFFFFFF;
        }
        n++;
    }
    return n;
}

nvmlReturn_t nvmlDeviceGetMemoryInfo_v2(nvmlDevice_t d, nvmlMemory_v2_t *memory) {
    CHECK(d);
    struct fake_config c = current();
    nvmlProcessInfo_t procs[MAX_PROCESSES];
    unsigned n = gpu_processes(&c, d->index, procs, MAX_PROCESSES);
    unsigned long long used = 512 * MIB;
    for (unsigned i = 0; i < n && i < MAX_PROCESSES; i++) used += procs[i].usedGpuMemory;
    memory->total = 80 * GIB;
    memory->reserved = 0;
    if (c.free_mib[d->index] && c.free_mib[d->index] * MIB <= memory->total)
        used = memory->total - c.free_mib[d->index] * MIB;
    memory->used = used;
    memory->free = memory->total - used;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v3(nvmlDevice_t d, unsigned *count, nvmlProcessInfo_t *infos) {
    CHECK(d);
    struct fake_config c = current();
    if (c.processes_denied) return NVML_ERROR_NO_PERMISSION;
    unsigned n = gpu_processes(&c, d->index, NULL, 0);
    if (*count < n || !infos) {
        *count = n;
        return n == 0 ? NVML_SUCCESS : NVML_ERROR_INSUFFICIENT_SIZE;
    }
    *count = gpu_processes(&c, d->index, infos, *count);
    return NVML_SUCCESS;
}

/* Modes: 0 disabled, 1 enabled. */
nvmlReturn_t nvmlDeviceGetMigMode(nvmlDevice_t d, unsigned *current_mode, unsigned *pending_mode) {
    CHECK(d);
    *current_mode = *pending_mode = CONFIG_FIELD(mig) & (1u << d->index) ? 1 : 0;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetUtilizationRates(nvmlDevice_t d, nvmlUtilization_t *u) {
    CHECK(d);
    OPTIONAL();
    /* A MIG-enabled GPU has no whole-GPU utilization. */
    if (CONFIG_FIELD(mig) & (1u << d->index)) return NVML_ERROR_NOT_SUPPORTED;
    u->gpu = 37 + d->index;
    u->memory = 12 + d->index;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetTemperature(nvmlDevice_t d, int sensor, unsigned *temp) {
    CHECK(d);
    OPTIONAL();
    (void)sensor;
    *temp = 45 + 10 * (d->index % 2);
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetPowerUsage(nvmlDevice_t d, unsigned *milliwatts) {
    CHECK(d);
    OPTIONAL();
    *milliwatts = 123456 + 1000 * d->index;
    return NVML_SUCCESS;
}

/* Millijoules since the driver loaded: the power draw above, times the time since init, plus a
 * start value that differs per GPU. */
nvmlReturn_t nvmlDeviceGetTotalEnergyConsumption(nvmlDevice_t d, unsigned long long *millijoules) {
    CHECK(d);
    OPTIONAL();
    *millijoules = 1000000ULL * (d->index + 1) + (unsigned long long)((123456 + 1000 * d->index) * seconds_since_init());
    return NVML_SUCCESS;
}

/* Policies: 0 power, 1 thermal. Nanoseconds held down: a quarter of the time by power, none by
 * heat. */
nvmlReturn_t nvmlDeviceGetViolationStatus(nvmlDevice_t d, int policy, nvmlViolationTime_t *time) {
    CHECK(d);
    OPTIONAL();
    unsigned long long ns = (unsigned long long)(seconds_since_init() * 1e9);
    time->referenceTime = ns;
    time->violationTime = policy == 0 ? ns / 4 : 0;
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
/* Counters: 0 TX, 1 RX; KB/s. The driver measures over a window before it answers. */
nvmlReturn_t nvmlDeviceGetPcieThroughput(nvmlDevice_t d, int counter, unsigned *kbps) {
    CHECK(d);
    OPTIONAL();
    take_time(CONFIG_FIELD(pcie_latency_us));
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

nvmlReturn_t nvmlDeviceGetPcieReplayCounter(nvmlDevice_t d, unsigned *value) {
    CHECK(d);
    OPTIONAL();
    *value = CONFIG_FIELD(replays[d->index]);
    return NVML_SUCCESS;
}

/* Events: only critical Xid errors (nvmlEventTypeXidCriticalError). A set remembers which GPUs
 * registered; Xid lines of the options file are delivered once each, in order, across sets. */
#define XID_CRITICAL_ERROR 0x8ULL
typedef struct fake_event_set { unsigned registered; } *nvmlEventSet_t;
typedef struct {
    nvmlDevice_t device;
    unsigned long long eventType, eventData;
    unsigned gpuInstanceId, computeInstanceId;
} nvmlEventData_t;
static unsigned xids_delivered = 0;

nvmlReturn_t nvmlDeviceGetSupportedEventTypes(nvmlDevice_t d, unsigned long long *types) {
    CHECK(d);
    OPTIONAL();
    *types = XID_CRITICAL_ERROR;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlEventSetCreate(nvmlEventSet_t *set) {
    if (!initialized) return NVML_ERROR_UNINITIALIZED;
    *set = calloc(1, sizeof **set);
    return *set ? NVML_SUCCESS : NVML_ERROR_INVALID_ARGUMENT;
}

nvmlReturn_t nvmlDeviceRegisterEvents(nvmlDevice_t d, unsigned long long types, nvmlEventSet_t set) {
    CHECK(d);
    OPTIONAL();
    if (!set || types & ~XID_CRITICAL_ERROR) return NVML_ERROR_NOT_SUPPORTED;
    pthread_mutex_lock(&config_lock);
    set->registered |= 1u << d->index;
    pthread_mutex_unlock(&config_lock);
    return NVML_SUCCESS;
}

/* The next undelivered Xid of a registered GPU, else NVML_ERROR_TIMEOUT after the timeout. The
 * wait blocks until the files are read again (at each sample) or the time is up. */
nvmlReturn_t nvmlEventSetWait_v2(nvmlEventSet_t set, nvmlEventData_t *data, unsigned timeout_ms) {
    if (!initialized) return NVML_ERROR_UNINITIALIZED;
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += timeout_ms / 1000;
    deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) { deadline.tv_sec++; deadline.tv_nsec -= 1000000000L; }
    pthread_mutex_lock(&config_lock);
    nvmlReturn_t result = NVML_ERROR_TIMEOUT;
    for (;;) {
        if (xids_delivered < config.xid_count) {
            struct fake_xid x = config.xids[xids_delivered];
            if (x.gpu < config.gpus && set->registered & (1u << x.gpu)) {
                memset(data, 0, sizeof *data);
                data->device = &devices[x.gpu];
                data->eventType = XID_CRITICAL_ERROR;
                data->eventData = x.code;
                xids_delivered++;
                result = NVML_SUCCESS;
                break;
            }
        }
        if (pthread_cond_timedwait(&config_changed, &config_lock, &deadline) != 0) break;
    }
    pthread_mutex_unlock(&config_lock);
    return result;
}

nvmlReturn_t nvmlEventSetFree(nvmlEventSet_t set) {
    free(set);
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetIndex(nvmlDevice_t d, unsigned *index) {
    CHECK(d);
    *index = d->index;
    return NVML_SUCCESS;
}
