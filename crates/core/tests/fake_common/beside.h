/* Shared by the fake driver libraries (fake_nvml, fake_amd_smi): a test steers a fake through
 * files that it writes next to the built library, so each test's copy reads only its own. */
#ifndef LLMOPS_FAKE_BESIDE_H
#define LLMOPS_FAKE_BESIDE_H

#include <dlfcn.h>
#include <libgen.h>
#include <stdio.h>

/* A file next to this library, e.g. "fake_nvml_mode"; NULL when it is not there. */
static FILE *open_beside(const char *name) {
    Dl_info info;
    if (!dladdr((void *)open_beside, &info) || !info.dli_fname) return NULL;
    char path[4096];
    snprintf(path, sizeof path, "%s", info.dli_fname);
    char file[4200];
    snprintf(file, sizeof file, "%s/%s", dirname(path), name);
    return fopen(file, "r");
}

#endif
