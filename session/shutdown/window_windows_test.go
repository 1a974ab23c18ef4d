package shutdown

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"testing"

	"ucontact-tray/internal/testenv"
)

// The screen's lock and unlock come as WM_WTSSESSION_CHANGE to the hidden
// window, each told once. Wine registers the window but never sends the
// message: the test posts it, as Windows would send it, to this process's
// window of the class.
func TestSessionChangeMessagesLockAndUnlock(t *testing.T) {
	log := &testenv.Buffer{}
	w := Watch(context.Background(), slog.New(slog.NewTextHandler(log, nil)))
	t.Cleanup(w.Close)
	testenv.WaitFor(t, wait, "the end-session window", func() bool {
		return strings.Contains(log.String(), "end-session window ready")
	})
	if strings.Contains(log.String(), "no screen lock notices") {
		t.Errorf("not registered for session changes:\n%s", log)
	}
	post := func(event uintptr) {
		t.Helper()
		const sessionID = 1
		n, err := testenv.PostToWindows(EndSessionWindowClass, uint32(os.Getpid()), WMWTSSessionChange, event, sessionID)
		if err != nil || n != 1 {
			t.Fatalf("posted to %d windows: %v", n, err)
		}
	}
	const wtsSessionLogon = 0x5 // another session change: no lock notice

	post(WTSSessionLock)
	expect(t, w, Locked, "WTS_SESSION_LOCK")
	// Messages keep their order: an unlock next proves the repeated lock
	// made no notice.
	post(WTSSessionLock)
	post(wtsSessionLogon)
	post(WTSSessionUnlock)
	expect(t, w, Unlocked, "WTS_SESSION_UNLOCK")
	post(WTSSessionUnlock)
	post(WTSSessionLock)
	expect(t, w, Locked, "WTS_SESSION_LOCK")
}
