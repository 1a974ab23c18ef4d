package resident

import (
	"context"
	"strings"
	"testing"

	"ucontact-tray/app/control"
	"ucontact-tray/app/tray"
	"ucontact-tray/internal/settings"
	"ucontact-tray/session"
	"ucontact-tray/session/shutdown"
	"ucontact-tray/session/ucontact"
)

// awaitStatus waits for a status that ok accepts, as the window learns of
// it: by watching.
func (r *running) awaitStatus(what string, ok func(control.Status) bool) {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	events, err := r.client.Watch(ctx)
	if err != nil {
		r.t.Fatalf("Watch: %v", err)
	}
	var last *control.Status
	for e := range events {
		if e.Status != nil {
			if last = e.Status; ok(*last) {
				return
			}
		}
	}
	r.t.Fatalf("never %s; last %+v", what, last)
}

func (r *running) loginAgent(remember bool) {
	r.t.Helper()
	st, err := r.client.Login(context.Background(), control.LoginRequest{
		Server: r.h.srv.URL(), User: testUser, Password: testPassword, Kind: session.KindAgent, Remember: remember,
	})
	if err != nil || st.State != session.LoggedIn.String() {
		r.t.Fatalf("agent Login = %+v, %v", st, err)
	}
}

// The screen locked puts the agent on the lock_break, on the server, and
// unlocked takes the agent off it: one call each.
func TestResidentLockBreak(t *testing.T) {
	h := newHarness(t)
	h.srv.AddAgent(testUser, testPassword)
	if err := settings.Save(h.stateDir(), settings.Settings{LockBreak: "Almuerzo"}); err != nil {
		t.Fatal(err)
	}
	r := h.start(nil)
	r.loginAgent(false)

	r.notice(shutdown.Locked)
	r.awaitStatus("on the lock break", func(st control.Status) bool { return st.Break != nil && st.Break.Motive == "Almuerzo" })
	if motive, _, ok := h.srv.Break(testUser); !ok || motive != "Almuerzo" {
		t.Errorf("the server has the agent on break %q (%v)", motive, ok)
	}
	r.notice(shutdown.Unlocked)
	r.awaitStatus("back from the break", func(st control.Status) bool { return st.Break == nil })
	if n, m := len(h.srv.RequestsTo(ucontact.PathAgentBreak)), len(h.srv.RequestsTo(ucontact.PathAgentUnBreak)); n != 1 || m != 1 {
		t.Errorf("%d AgentBreak and %d AgentUnBreak calls, want one each", n, m)
	}
}

// The screen locked for logout_when_locked_after ends the session as a
// suspend does: on unlocking, a notification says when and why, and the
// tray's "Volver a iniciar sesión" logs in again with the remembered
// password.
func TestResidentLockedTooLong(t *testing.T) {
	h := newHarness(t)
	if err := settings.Save(h.stateDir(), settings.Settings{LogoutWhenLockedAfter: "10ms"}); err != nil {
		t.Fatal(err)
	}
	r := h.start(nil)
	r.login(true)

	r.notice(shutdown.Locked)
	r.awaitState(session.LoggedOut)
	if open := h.srv.OpenSessions(); len(open) != 0 {
		t.Errorf("sessions still open on the server: %+v", open)
	}
	r.notice(shutdown.Unlocked)
	note := received(t, h.notes.added, "notification on unlocking")
	if !strings.Contains(note, "porque la pantalla estuvo bloqueada") || !strings.Contains(note, testUser) {
		t.Errorf("notification on unlocking: %q", note)
	}
	r.tray.choose(tray.ActionRelogin)
	r.awaitState(session.LoggedIn)
}
