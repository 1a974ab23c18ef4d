package resident

import (
	"context"
	"net/url"
	"testing"

	"ucontact-tray/app/control"
	"ucontact-tray/app/tray"
	"ucontact-tray/session"
	"ucontact-tray/session/secrets"
	"ucontact-tray/session/ucontact"
	"ucontact-tray/session/ucontact/fake"
)

// leaveSession opens a session as holder would and leaves it open: a tray
// app killed while logged in leaves the record and the token so, and a
// login command on purpose.
func (h *harness) leaveSession(holder session.Holder) {
	h.t.Helper()
	m, err := session.Open(context.Background(), session.Config{
		Dir:     h.stateDir(),
		Secrets: secrets.NewStore(h.keyring, h.stateDir()),
		Client:  func(u *url.URL) *ucontact.Client { return ucontact.NewClient(u, ucontact.Options{}) },
		Holder:  holder,
		Retry:   session.DefaultBackoff,
	})
	if err != nil {
		h.t.Fatal(err)
	}
	defer m.Close()
	err = m.Login(context.Background(), session.LoginRequest{Server: h.srv.URL(), User: testUser, Password: testPassword, Kind: session.KindUser})
	if err != nil {
		h.t.Fatal(err)
	}
}

// awaitWindow waits for a window to be started.
func (r *running) awaitWindow() {
	r.t.Helper()
	received(r.t, r.windows.starts, "window started")
}

// A start that ends a session a crash left open opens the window, which
// says so above its form until a new session is opened; the notification
// is sent too.
func TestRecoveryOpensTheWindow(t *testing.T) {
	h := newHarness(t)
	h.leaveSession(session.HolderResident)
	r := h.start(nil)
	received(t, h.notes.added, "notification of the ended session")
	r.awaitWindow()
	if open := h.srv.OpenSessions(); len(open) != 0 {
		t.Fatalf("sessions left open: %+v", open)
	}
	info, err := r.client.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if want := (control.RecoveredSession{User: testUser, Server: h.srv.URL()}); info.Recovered == nil || *info.Recovered != want {
		t.Errorf("Info.Recovered = %+v, want %+v", info.Recovered, want)
	}
	r.login(false)
	if info, _ := r.client.Info(context.Background()); info.Recovered != nil {
		t.Errorf("Info.Recovered after a new login = %+v, want none", info.Recovered)
	}
	r.tray.choose(tray.ActionQuit)
	if err := r.wait(); err != nil {
		t.Fatal(err)
	}
}

// A start whose logout of the session a crash left cannot be confirmed
// opens the window on the pending logout.
func TestPendingRecoveryOpensTheWindow(t *testing.T) {
	h := newHarness(t)
	h.leaveSession(session.HolderResident)
	h.srv.Inject(ucontact.PathEndSession, fake.Fault{Status: 503, Times: 1})
	r := h.start(nil)
	r.awaitState(session.LogoutPending)
	r.awaitWindow()
	if info, _ := r.client.Info(context.Background()); info.Recovered != nil {
		t.Errorf("Info.Recovered = %+v while the logout is pending", info.Recovered)
	}
}

// A start that finds a session opened by a command adopts it and opens no
// window: nothing happened that the agent must be told of, and the tray
// shows the session.
func TestStartWithACommandsSessionOpensNoWindow(t *testing.T) {
	h := newHarness(t)
	h.leaveSession(session.HolderCommand)
	r := h.start(nil)
	r.tray.choose(tray.ActionQuit) // a logout first: Run returns once recover has run
	if err := r.wait(); err != nil {
		t.Fatal(err)
	}
	if n := r.windows.count(); n != 0 {
		t.Errorf("%d windows started", n)
	}
	h.notes.mu.Lock()
	defer h.notes.mu.Unlock()
	if len(h.notes.seen) != 0 {
		t.Errorf("notifications: %q", h.notes.seen)
	}
}
