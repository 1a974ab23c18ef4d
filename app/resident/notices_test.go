package resident

import (
	"strings"
	"testing"

	"ucontact-tray/internal/settings"
	"ucontact-tray/session"
	"ucontact-tray/session/shutdown"
)

// Going to sleep ends the session (the default), and lets the OS go on
// only once the server has confirmed; on waking up, the session is offered
// again.
func TestSuspendEndsTheSession(t *testing.T) {
	h := newHarness(t)
	r := h.start(nil)
	r.login(false)

	released := r.notice(shutdown.Suspending)
	if open := received(t, released, "release of the OS"); open != 0 {
		t.Errorf("the OS was let go with %d sessions open on the server", open)
	}
	r.awaitState(session.LoggedOut)

	r.notice(shutdown.Resumed)
	note := received(t, h.notes.added, "notification on waking up")
	if !strings.Contains(note, testUser) {
		t.Errorf("notification on waking up %q does not offer the session again", note)
	}
}

// With logout_on_suspend off, going to sleep leaves the session open, and
// the OS goes on at once.
func TestSuspendKeepsTheSessionWhenSetSo(t *testing.T) {
	h := newHarness(t)
	off := false
	if err := settings.Save(h.stateDir(), settings.Settings{LogoutOnSuspend: &off}); err != nil {
		t.Fatal(err)
	}
	r := h.start(nil)
	r.login(false)

	if open := received(t, r.notice(shutdown.Suspending), "release of the OS"); open != 1 {
		t.Errorf("the OS was let go with %d sessions open on the server; want the one kept", open)
	}
	if st := r.status(); st.State != session.LoggedIn.String() {
		t.Errorf("after the suspend: %+v", st)
	}
}

// The OS session ending (shutdown, reboot, logoff) ends the uContact
// session before the OS is let go, and stops the resident.
func TestShutdownEndsTheSessionAndStops(t *testing.T) {
	h := newHarness(t)
	r := h.start(nil)
	r.login(false)

	if open := received(t, r.notice(shutdown.SessionEnding), "release of the OS"); open != 0 {
		t.Errorf("the OS was let go with %d sessions open on the server", open)
	}
	if err := r.wait(); err != nil {
		t.Fatalf("Run = %v", err)
	}
	if ended := h.srv.Sessions(); len(ended) != 1 || len(h.srv.OpenSessions()) != 0 {
		t.Errorf("sessions on the server: %+v", ended)
	}
}
