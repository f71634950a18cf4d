/* Wine 8 (Debian 12's wine64) has no bcryptprimitives.dll, whose ProcessPrng Rust's standard
 * library imports on Windows (Windows 10 and later ship it). This stand-in, used only by the
 * Wine test step (scripts/test-windows.sh), fills the buffer from RtlGenRandom, which Wine has.
 * Real Windows never loads it. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk)) return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
