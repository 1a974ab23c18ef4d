/*
 * runlogged.dll: the installer's one custom action. It runs the command
 * line in CustomActionData (the installed ucontact-tray.exe with an
 * "admin" command), copies what the program prints into the installer's
 * log, one line at a time, and fails the action if the program fails, with
 * its words as the error. An EXE custom action would do the rest, but
 * Windows Installer keeps nothing of what such a program prints: an
 * administrator reading the log of a failed install would see only
 * "error 1722", not which property was wrong.
 *
 * Built with mingw by scripts/package.sh and stored in the MSI's Binary
 * table; it is never installed.
 */
#include <windows.h>
#include <msi.h>
#include <msiquery.h>

/* How long the program may take: it writes one small file. */
#define DEADLINE_MS (2 * 60 * 1000)
/* What is kept of its output: its messages are a few lines. */
#define MAX_OUTPUT (64 * 1024)

/* say sends text to the installer, as a record whose template "[1]" keeps
 * brackets in the text from being read as properties. */
static void say(MSIHANDLE install, INSTALLMESSAGE kind, const WCHAR *text)
{
    MSIHANDLE rec = MsiCreateRecord(1);
    if (!rec)
        return;
    MsiRecordSetStringW(rec, 0, L"[1]");
    MsiRecordSetStringW(rec, 1, text);
    MsiProcessMessage(install, kind, rec);
    MsiCloseHandle(rec);
}

/* sayUTF8 is say for the program's output, which is UTF-8. */
static void sayUTF8(MSIHANDLE install, INSTALLMESSAGE kind, const char *text, int len)
{
    int n = MultiByteToWideChar(CP_UTF8, 0, text, len, NULL, 0);
    WCHAR *w = HeapAlloc(GetProcessHeap(), 0, (n + 1) * sizeof(WCHAR));
    if (!w)
        return;
    MultiByteToWideChar(CP_UTF8, 0, text, len, w, n);
    w[n] = 0;
    say(install, kind, w);
    HeapFree(GetProcessHeap(), 0, w);
}

/* customActionData returns the action's CustomActionData, to free with
 * HeapFree, or NULL. */
static WCHAR *customActionData(MSIHANDLE install)
{
    WCHAR empty[1];
    DWORD n = 0;
    if (MsiGetPropertyW(install, L"CustomActionData", empty, &n) != ERROR_MORE_DATA)
        return NULL;
    n++;
    WCHAR *data = HeapAlloc(GetProcessHeap(), 0, n * sizeof(WCHAR));
    if (data && MsiGetPropertyW(install, L"CustomActionData", data, &n) != ERROR_SUCCESS) {
        HeapFree(GetProcessHeap(), 0, data);
        data = NULL;
    }
    return data;
}

/* drain appends what the pipe holds now to out, up to MAX_OUTPUT, without
 * waiting. */
static void drain(HANDLE pipe, char *out, DWORD *used)
{
    DWORD avail, got;
    char scrap[4096];
    while (PeekNamedPipe(pipe, NULL, 0, NULL, &avail, NULL) && avail > 0) {
        char *to = scrap;
        DWORD room = sizeof scrap;
        if (*used < MAX_OUTPUT) {
            to = out + *used;
            room = MAX_OUTPUT - *used;
        }
        if (!ReadFile(pipe, to, avail < room ? avail : room, &got, NULL) || got == 0)
            return;
        if (to != scrap)
            *used += got;
    }
}

/* RunLogged is the custom action's entry point. */
__declspec(dllexport) UINT __stdcall RunLogged(MSIHANDLE install)
{
    UINT result = ERROR_INSTALL_FAILURE;
    WCHAR *command = customActionData(install);
    char *out = HeapAlloc(GetProcessHeap(), 0, MAX_OUTPUT);
    HANDLE readEnd = NULL, writeEnd = NULL, nul = INVALID_HANDLE_VALUE;
    PROCESS_INFORMATION pi = {0};
    DWORD used = 0;

    if (!command || !*command || !out) {
        say(install, INSTALLMESSAGE_ERROR, L"ucontact-tray: the custom action has no command to run (CustomActionData).");
        goto done;
    }
    say(install, INSTALLMESSAGE_INFO, command);

    SECURITY_ATTRIBUTES inherit = {sizeof inherit, NULL, TRUE};
    if (!CreatePipe(&readEnd, &writeEnd, &inherit, 0) || !SetHandleInformation(readEnd, HANDLE_FLAG_INHERIT, 0)) {
        say(install, INSTALLMESSAGE_ERROR, L"ucontact-tray: cannot make a pipe for the program's output.");
        goto done;
    }
    nul = CreateFileW(L"NUL", GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, &inherit, OPEN_EXISTING, 0, NULL);
    STARTUPINFOW si;
    ZeroMemory(&si, sizeof si);
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = nul;
    si.hStdOutput = writeEnd;
    si.hStdError = writeEnd;
    if (!CreateProcessW(NULL, command, NULL, NULL, TRUE, CREATE_NO_WINDOW, NULL, NULL, &si, &pi)) {
        say(install, INSTALLMESSAGE_ERROR, L"ucontact-tray: cannot start the program; is it installed?");
        goto done;
    }
    /* Only the child holds the write end now: its exit ends the output. */
    CloseHandle(writeEnd);
    writeEnd = NULL;

    DWORD waited = 0, wait;
    while ((wait = WaitForSingleObject(pi.hProcess, 100)) == WAIT_TIMEOUT) {
        drain(readEnd, out, &used);
        waited += 100;
        if (waited >= DEADLINE_MS) {
            TerminateProcess(pi.hProcess, 1);
            WaitForSingleObject(pi.hProcess, 5000);
            break;
        }
    }
    drain(readEnd, out, &used);

    /* Every line into the log. */
    for (DWORD start = 0, i = 0; i <= used; i++) {
        if (i == used || out[i] == '\n') {
            DWORD end = i;
            if (end > start && out[end - 1] == '\r')
                end--;
            if (end > start)
                sayUTF8(install, INSTALLMESSAGE_INFO, out + start, end - start);
            start = i + 1;
        }
    }

    DWORD code = 1;
    GetExitCodeProcess(pi.hProcess, &code);
    if (waited >= DEADLINE_MS) {
        say(install, INSTALLMESSAGE_ERROR, L"ucontact-tray: the program did not finish within 2 minutes; stopped.");
    } else if (code != 0) {
        /* The program's own words, for a dialog in an install with a UI. */
        if (used > 0)
            sayUTF8(install, (INSTALLMESSAGE)(INSTALLMESSAGE_ERROR | MB_OK | MB_ICONERROR), out, used);
        else
            say(install, (INSTALLMESSAGE)(INSTALLMESSAGE_ERROR | MB_OK | MB_ICONERROR), L"ucontact-tray: the program failed and said nothing.");
    } else {
        result = ERROR_SUCCESS;
    }

done:
    if (pi.hProcess)
        CloseHandle(pi.hProcess);
    if (pi.hThread)
        CloseHandle(pi.hThread);
    if (nul != INVALID_HANDLE_VALUE)
        CloseHandle(nul);
    if (writeEnd)
        CloseHandle(writeEnd);
    if (readEnd)
        CloseHandle(readEnd);
    if (out)
        HeapFree(GetProcessHeap(), 0, out);
    if (command)
        HeapFree(GetProcessHeap(), 0, command);
    return result;
}
