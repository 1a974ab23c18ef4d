package resident

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ucontact-tray/app/control"
	"ucontact-tray/internal/settings"
	"ucontact-tray/session"
	"ucontact-tray/session/secrets"
	"ucontact-tray/session/ucontact"
)

// A client logs in, sees the session, and logs out, through the control
// socket: the session is opened and ended on the server, and the password
// kept in the keyring when asked to.
func TestControlLoginStatusLogout(t *testing.T) {
	h := newHarness(t)
	r := h.start(nil)
	if st := r.status(); st.State != session.LoggedOut.String() {
		t.Fatalf("at start: %+v", st)
	}

	st, err := r.client.Login(context.Background(), control.LoginRequest{Server: h.srv.URL(), User: testUser, Password: "wrong"})
	if !errors.Is(err, ucontact.ErrWrongCredentials) || st.State != session.LoggedOut.String() {
		t.Errorf("Login with a wrong password = %+v, %v", st, err)
	}

	r.login(true)
	st = r.status()
	if st.State != session.LoggedIn.String() || st.User != testUser || st.Server != h.srv.URL() || st.SecretStore != "keyring" {
		t.Errorf("Status after login: %+v", st)
	}
	if open := h.srv.OpenSessions(); len(open) != 1 || open[0].User != testUser {
		t.Errorf("sessions on the server: %+v", open)
	}
	if !keeps(h, "password/") {
		t.Errorf("password not kept in the keyring: %v", keys(h))
	}

	st, err = r.client.Logout(context.Background())
	if err != nil || st.State != session.LoggedOut.String() {
		t.Errorf("Logout = %+v, %v", st, err)
	}
	if open := h.srv.OpenSessions(); len(open) != 0 {
		t.Errorf("sessions still open on the server: %+v", open)
	}
	if _, err := r.client.Logout(context.Background()); !errors.Is(err, session.ErrNotLoggedIn) {
		t.Errorf("second Logout = %v, want ErrNotLoggedIn", err)
	}
	if st := r.status(); st.State != session.LoggedOut.String() {
		t.Errorf("Status after logout: %+v", st)
	}
}

// The window's form is prefilled with the last login's choices, and says
// whether its password is kept, and whether one can be: the session
// manager asks the keyring.
func TestControlInfo(t *testing.T) {
	h := newHarness(t)
	r := h.start(nil)
	r.login(true)
	r.client.Quit(context.Background()) //nolint:errcheck // Run's return is what counts
	if err := r.wait(); err != nil {
		t.Fatalf("Run = %v", err)
	}

	r = h.start(nil)
	info, err := r.client.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if info.Server != h.srv.URL() || info.User != testUser || !info.Remember || !info.SavedPassword || info.KeyringError != "" {
		t.Errorf("Info = %+v; want the last login's choices, a saved password and a keyring", info)
	}

	h.keyring.SetAvailable(false)
	info, err = r.client.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if want := session.ErrorCode(secrets.ErrUnavailable); info.KeyringError != want || info.SavedPassword {
		t.Errorf("Info without a keyring: KeyringError %q, SavedPassword %v; want %q, false", info.KeyringError, info.SavedPassword, want)
	}
}

func keeps(h *harness, prefix string) bool {
	for k := range h.keyring.Items() {
		if strings.HasPrefix(strings.TrimPrefix(k, secrets.Service+"/"), prefix) {
			return true
		}
	}
	return false
}

func keys(h *harness) []string {
	var ks []string
	for k := range h.keyring.Items() {
		ks = append(ks, k)
	}
	return ks
}

// An agent goes on a break and comes back through the control socket: the
// resident's session makes the calls, the server sees them, and the status
// follows; a refusal crosses as its error and changes nothing.
func TestControlBreak(t *testing.T) {
	h := newHarness(t)
	h.srv.AddAgent(testUser, testPassword)
	r := h.start(nil)
	ctx := context.Background()
	if _, err := r.client.StartBreak(ctx, "Almuerzo"); !errors.Is(err, session.ErrNotLoggedIn) {
		t.Errorf("StartBreak without a session = %v, want ErrNotLoggedIn", err)
	}
	st, err := r.client.Login(ctx, control.LoginRequest{Server: h.srv.URL(), User: testUser, Password: testPassword, Kind: session.KindAgent})
	if err != nil || st.Kind != session.KindAgent {
		t.Fatalf("agent Login = %+v, %v", st, err)
	}

	st, err = r.client.StartBreak(ctx, "Almuerzo")
	if err != nil || st.Break == nil || st.Break.Motive != "Almuerzo" {
		t.Fatalf("StartBreak = %+v, %v", st, err)
	}
	if motive, _, ok := h.srv.Break(testUser); !ok || motive != "Almuerzo" {
		t.Fatalf("the server has the agent on break %q (%v)", motive, ok)
	}
	if st := r.status(); st.Break == nil || st.Break.Motive != "Almuerzo" {
		t.Errorf("Status on a break: %+v", st)
	}

	st, err = r.client.EndBreak(ctx)
	if err != nil || st.Break != nil {
		t.Fatalf("EndBreak = %+v, %v", st, err)
	}
	if _, _, ok := h.srv.Break(testUser); ok {
		t.Error("the server still has the agent on a break")
	}
	if _, err := r.client.EndBreak(ctx); !errors.Is(err, session.ErrNotOnBreak) {
		t.Errorf("second EndBreak = %v, want ErrNotOnBreak", err)
	}

	st, err = r.client.StartBreak(ctx, "Inexistente")
	if be, ok := errors.AsType[*session.BreakRefusedError](err); !ok || be.Motive != "Inexistente" || st.Break != nil {
		t.Errorf("StartBreak with a motive the tenant lacks = %+v, %v; want its refusal and no break", st, err)
	}
	if st := r.status(); st.State != session.LoggedIn.String() || st.Break != nil {
		t.Errorf("Status after the refusal: %+v", st)
	}
}

// In demo mode the form offers the demo's server and user, not the user's
// own last choices, and a demo login leaves the user's settings file as it
// was: the normal app still offers the user's own server next time.
func TestDemoLeavesTheUsersChoices(t *testing.T) {
	h := newHarness(t)
	if err := settings.Save(h.stateDir(), settings.Settings{Server: "https://acme.example", User: "ana", Kind: session.KindAgent, Remember: true}); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(filepath.Join(h.stateDir(), "settings.json"))
	if err != nil {
		t.Fatal(err)
	}
	demo := &control.DemoAccount{Server: h.srv.URL(), User: testUser, Password: testPassword}
	r := h.start(func(c *Config) { c.Demo = demo })
	ctx := context.Background()
	info, err := r.client.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.Server != demo.Server || info.User != demo.User || info.Kind != "" || info.Remember {
		t.Errorf("demo Info before a login = server %q, user %q, kind %q, remember %v; want the demo account's", info.Server, info.User, info.Kind, info.Remember)
	}

	r.login(false)
	if _, err := r.client.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	r.client.Quit(ctx) //nolint:errcheck // Run's return is what counts
	if err := r.wait(); err != nil {
		t.Fatalf("Run = %v", err)
	}
	after, err := os.ReadFile(filepath.Join(h.stateDir(), "settings.json"))
	if err != nil {
		t.Fatal(err)
	}
	if string(after) != string(before) {
		t.Errorf("the demo changed the user's settings:\nbefore %s\nafter  %s", before, after)
	}
}

// Within one demo run, the form offers the demo's last login again.
func TestDemoRemembersItsOwnLogin(t *testing.T) {
	h := newHarness(t)
	h.srv.AddUser("otra", "clave-otra")
	demo := &control.DemoAccount{Server: h.srv.URL(), User: testUser, Password: testPassword}
	r := h.start(func(c *Config) { c.Demo = demo })
	ctx := context.Background()
	if _, err := r.client.Login(ctx, control.LoginRequest{Server: h.srv.URL(), User: "otra", Password: "clave-otra", Kind: session.KindUser}); err != nil {
		t.Fatal(err)
	}
	info, err := r.client.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.Server != demo.Server || info.User != "otra" || info.Kind != session.KindUser {
		t.Errorf("demo Info after a login = server %q, user %q, kind %q; want that login's", info.Server, info.User, info.Kind)
	}
	if _, err := r.client.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(h.stateDir(), "settings.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the demo wrote a settings file: %v", err)
	}
}

// A normal quit, with a session open and a window watching, ends the
// session, tells the window the tray app quits, and logs no problem.
func TestQuitIsQuiet(t *testing.T) {
	h := newHarness(t)
	r := h.start(nil)
	r.login(false)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events, err := r.client.Watch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if first := received(t, events, "the first event"); first.Status == nil {
		t.Fatalf("first event %+v", first)
	}
	if err := r.client.Quit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := r.wait(); err != nil {
		t.Fatalf("Run = %v", err)
	}
	var last control.Event
	for e := range events {
		last = e
	}
	if !last.Quitting {
		t.Errorf("the watch stream's last event %+v, want Quitting", last)
	}
	if open := h.srv.OpenSessions(); len(open) != 0 {
		t.Errorf("sessions still open on the server: %+v", open)
	}
	if log := h.log.String(); strings.Contains(log, "level=ERROR") || strings.Contains(log, "level=WARN") {
		t.Errorf("the resident's log on a normal quit:\n%s", log)
	}
}
