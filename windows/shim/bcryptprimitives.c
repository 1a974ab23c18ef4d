/*
 * bcryptprimitives.dll for the Wine test prefix only, never shipped.
 *
 * Go programs for Windows (Go 1.22 and later) call ProcessPrng from
 * bcryptprimitives.dll at start-up and abort without it. Wine 8.0, the
 * version Debian 12 has, does not provide the DLL (Wine 8.13 does), so the
 * Windows end-to-end test puts this one in the prefix's system32. It fills
 * the buffer from RtlGenRandom (advapi32's SystemFunction036), which Wine
 * has, in chunks that fit its ULONG length.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    const SIZE_T chunk = 1u << 30;
    while (length > 0) {
        ULONG n = (ULONG)(length < chunk ? length : chunk);
        if (!SystemFunction036(data, n)) {
            return FALSE;
        }
        data += n;
        length -= n;
    }
    return TRUE;
}

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved)
{
    (void)instance;
    (void)reason;
    (void)reserved;
    return TRUE;
}
