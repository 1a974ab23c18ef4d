package session

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"ucontact-tray/internal/testenv"
	"ucontact-tray/session/secrets"
	"ucontact-tray/session/secrets/secretstest"
	"ucontact-tray/session/ucontact"
	"ucontact-tray/session/ucontact/fake"
)

const (
	user     = "ana"
	password = "pw-de-ana"
)

type harness struct {
	t       *testing.T
	srv     *fake.Server
	keyring *secretstest.Memory
	// secrets, if set, stands between the managers and keyring.
	secrets secrets.Backend
	dir     string
	log     *testenv.Buffer // every manager's log
}

func newHarness(t *testing.T, v fake.Variant) *harness {
	t.Helper()
	srv := fake.New(v)
	srv.AddUser(user, password)
	srv.AddAgent(user, password)
	if _, err := srv.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return &harness{t: t, srv: srv, keyring: &secretstest.Memory{}, dir: filepath.Join(testenv.TempDir(t), "state"), log: &testenv.Buffer{}}
}

func (h *harness) open(holder Holder, retry Backoff) *Manager {
	h.t.Helper()
	m, err := Open(context.Background(), Config{
		Dir:     h.dir,
		Secrets: secrets.NewStore(h.secretsBackend(), h.dir).WithTimeout(time.Second),
		Client: func(u *url.URL) *ucontact.Client {
			return ucontact.NewClient(u, ucontact.Options{CallTimeout: 2 * time.Second})
		},
		Holder:        holder,
		Retry:         retry,
		LogoffMessage: "fin de turno",
		Log:           slog.New(slog.NewTextHandler(h.log, nil)),
	})
	if err != nil {
		h.t.Fatalf("Open: %v", err)
	}
	h.t.Cleanup(m.Close)
	return m
}

func (h *harness) secretsBackend() secrets.Backend {
	if h.secrets != nil {
		return h.secrets
	}
	return h.keyring
}

func (h *harness) request(kind Kind) LoginRequest {
	return LoginRequest{Server: h.srv.URL(), User: user, Password: password, Kind: kind}
}

func (h *harness) endPath(kind Kind) string {
	if kind == KindAgent {
		return ucontact.PathAgentLogoff
	}
	return ucontact.PathEndSession
}

func (h *harness) loginPath(kind Kind) string {
	if kind == KindAgent {
		return ucontact.PathAgentLogin
	}
	return ucontact.PathGetUserToken
}

// assertEndedOnce checks that every session the server opened was ended
// exactly once, with the token it issued.
func (h *harness) assertEndedOnce(kind Kind) {
	h.t.Helper()
	sessions := h.srv.Sessions()
	if len(sessions) == 0 {
		h.t.Fatal("the server opened no session")
	}
	for _, s := range sessions {
		if s.Ended != 1 {
			h.t.Errorf("session %s of %s ended %d times, want 1", s.Kind, s.User, s.Ended)
		}
	}
	var ok int
	for _, r := range h.srv.RequestsTo(h.endPath(kind)) {
		if r.Header.Get("Authorization") == "Basic "+sessions[len(sessions)-1].Token {
			ok++
		}
	}
	if ok == 0 {
		h.t.Errorf("no end-of-session request carried the session's token")
	}
}

// assertClean checks that nothing of a session is left: no record, no token.
func (h *harness) assertClean() {
	h.t.Helper()
	if _, err := os.Stat(recordPath(h.dir)); !os.IsNotExist(err) {
		h.t.Errorf("record still on disk: %v", err)
	}
	for k := range h.keyring.Items() {
		if strings.Contains(k, "token/") || strings.Contains(k, "session/") {
			h.t.Errorf("token left in the keyring: %s", k)
		}
	}
	for _, pattern := range []string{"*.token", journalFile, ".*"} {
		if matches, _ := filepath.Glob(filepath.Join(h.dir, pattern)); len(matches) > 0 {
			h.t.Errorf("files left: %v", matches)
		}
	}
}

// assertNoSecretOnDisk checks every file below the state directory for the
// password and the tokens the server issued, except the documented fallback.
func (h *harness) assertNoSecretOnDisk() {
	h.t.Helper()
	secrets := append(h.srv.Tokens(), password)
	filepath.WalkDir(h.dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(path, ".token") {
			return nil
		}
		b, _ := os.ReadFile(path)
		for _, s := range secrets {
			if strings.Contains(string(b), s) {
				h.t.Errorf("%s contains a secret", path)
			}
		}
		return nil
	})
}

var bothKinds = []Kind{KindUser, KindAgent}

func TestLoginLogout(t *testing.T) {
	for _, kind := range bothKinds {
		for _, v := range []struct {
			name    string
			variant fake.Variant
		}{
			{"array token", fake.Variant{}},
			{"string token", fake.Variant{TokenStyle: fake.TokenString}},
			{"UserLogin fallback", fake.Variant{NoGetUserToken: true}},
		} {
			t.Run(fmt.Sprintf("%s/%s", kind, v.name), func(t *testing.T) {
				h := newHarness(t, v.variant)
				m := h.open(HolderResident, Backoff{})
				ctx := context.Background()
				if err := m.Login(ctx, h.request(kind)); err != nil {
					t.Fatalf("Login: %v", err)
				}
				s := m.Snapshot()
				if s.State != LoggedIn || s.User != user || s.Kind != kind || s.Server != h.srv.URL() || s.Since.IsZero() {
					t.Fatalf("snapshot %+v", s)
				}
				if kind == KindAgent && s.Extension == "" {
					t.Error("agent snapshot without extension")
				}
				if s.TokenFile != "" || s.Warning != nil {
					t.Errorf("with a keyring: TokenFile %q, Warning %v", s.TokenFile, s.Warning)
				}
				rec, err := loadRecord(h.dir)
				if err != nil || rec == nil || rec.User != user || rec.Kind != kind || rec.Holder != HolderResident {
					t.Fatalf("record %+v, %v", rec, err)
				}
				h.assertNoSecretOnDisk()

				if err := m.Login(ctx, h.request(kind)); !errors.Is(err, ErrAlreadyLoggedIn) {
					t.Errorf("second Login = %v, want ErrAlreadyLoggedIn", err)
				}
				if err := m.Logout(ctx); err != nil {
					t.Fatalf("Logout: %v", err)
				}
				if s := m.Snapshot(); s.State != LoggedOut || s.User != "" {
					t.Errorf("after logout: %+v", s)
				}
				h.assertEndedOnce(kind)
				h.assertClean()
				if err := m.Logout(ctx); !errors.Is(err, ErrNotLoggedIn) {
					t.Errorf("Logout when logged out = %v, want ErrNotLoggedIn", err)
				}
				if kind == KindAgent {
					r := h.srv.RequestsTo(ucontact.PathAgentLogoff)[0]
					if r.Form.Get("message") != "fin de turno" {
						t.Errorf("logoff message %q", r.Form.Get("message"))
					}
				}
			})
		}
	}
}

func TestLoginFailures(t *testing.T) {
	for _, kind := range bothKinds {
		for _, tc := range []struct {
			name   string
			fault  *fake.Fault
			mutate func(*LoginRequest)
			check  func(error) bool
		}{
			{name: "wrong password", mutate: func(r *LoginRequest) { r.Password = "nope" }, check: isErr(ucontact.ErrWrongCredentials)},
			{name: "empty user", mutate: func(r *LoginRequest) { r.User = "  " }, check: isErr(ErrEmptyUser)},
			{name: "empty password", mutate: func(r *LoginRequest) { r.Password = "" }, check: isErr(ErrEmptyPassword)},
			{name: "bad server", mutate: func(r *LoginRequest) { r.Server = "evil.com/x" }, check: isErr(ucontact.ErrInvalidServer)},
			{name: "bad kind", mutate: func(r *LoginRequest) { r.Kind = "admin" }, check: isErr(ErrInvalidKind)},
			{name: "500", fault: &fake.Fault{Status: 500}, check: asErr[*ucontact.StatusError]},
			{name: "401", fault: &fake.Fault{Status: 401}, check: asErr[*ucontact.StatusError]},
			{name: "dropped", fault: &fake.Fault{Drop: true}, check: asErr[*ucontact.NetworkError]},
			{name: "slow", fault: &fake.Fault{Latency: 3 * time.Second}, check: asErr[*ucontact.NetworkError]},
			{name: "oversized", fault: &fake.Fault{Oversize: 2 << 20}, check: asErr[*ucontact.ProtocolError]},
			{name: "malformed", fault: &fake.Fault{Body: "{"}, check: asErr[*ucontact.ProtocolError]},
			{name: "zero", fault: &fake.Fault{Body: "0"}, check: isErr(ucontact.ErrWrongCredentials)},
		} {
			t.Run(fmt.Sprintf("%s/%s", kind, tc.name), func(t *testing.T) {
				h := newHarness(t, fake.Variant{})
				m := h.open(HolderResident, Backoff{})
				if tc.fault != nil {
					h.srv.Inject(h.loginPath(kind), *tc.fault)
				}
				req := h.request(kind)
				if tc.mutate != nil {
					tc.mutate(&req)
				}
				ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
				defer cancel()
				err := m.Login(ctx, req)
				if !tc.check(err) {
					t.Fatalf("Login = %v", err)
				}
				s := m.Snapshot()
				if s.State != LoggedOut {
					t.Errorf("state %v after a failed login", s.State)
				}
				h.assertClean()
				if tc.fault == nil && tc.name != "wrong password" && len(h.srv.Requests()) != 0 {
					t.Errorf("invalid input reached the server")
				}
			})
		}
	}
}

func TestLogoutFaultsKeepSessionPending(t *testing.T) {
	for _, kind := range bothKinds {
		for _, tc := range []struct {
			name    string
			fault   fake.Fault
			pending bool
		}{
			{"401 means already over", fake.Fault{Status: 401}, false},
			{"500", fake.Fault{Status: 500}, true},
			{"503", fake.Fault{Status: 503}, true},
			{"zero", fake.Fault{Body: "0"}, true},
			{"dropped", fake.Fault{Drop: true}, true},
			{"slow", fake.Fault{Latency: 2 * time.Second}, true},
			{"malformed answer is still a 2xx", fake.Fault{Body: "<html>ok</html>"}, false},
		} {
			t.Run(fmt.Sprintf("%s/%s", kind, tc.name), func(t *testing.T) {
				h := newHarness(t, fake.Variant{})
				m := h.open(HolderResident, Backoff{})
				ctx := context.Background()
				if err := m.Login(ctx, h.request(kind)); err != nil {
					t.Fatal(err)
				}
				fault := tc.fault
				fault.Times = 1
				h.srv.Inject(h.endPath(kind), fault)
				short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
				defer cancel()
				err := m.Logout(short)
				if !tc.pending {
					if err != nil {
						t.Fatalf("Logout = %v", err)
					}
					h.assertClean()
					return
				}
				if err == nil {
					t.Fatal("Logout succeeded against a failing server")
				}
				s := m.Snapshot()
				if s.State != LogoutPending || s.LastError == nil || s.PendingSince.IsZero() || s.Attempts != 1 {
					t.Fatalf("snapshot %+v", s)
				}
				rec, _ := loadRecord(h.dir)
				if rec == nil || rec.PendingSince == nil || rec.LastError == "" {
					t.Fatalf("record %+v: want it kept, marked pending", rec)
				}
				if err := m.Login(ctx, h.request(kind)); !errors.Is(err, ErrLogoutPending) {
					t.Errorf("Login while pending = %v", err)
				}
				h.assertNoSecretOnDisk()
				// The server is back: the next try ends it.
				if err := m.Logout(ctx); err != nil {
					t.Fatalf("second Logout: %v", err)
				}
				h.assertEndedOnce(kind)
				h.assertClean()
			})
		}
	}
}

func TestConcurrentLogoutsReachServerOnce(t *testing.T) {
	for _, kind := range bothKinds {
		t.Run(string(kind), func(t *testing.T) {
			h := newHarness(t, fake.Variant{})
			m := h.open(HolderResident, Backoff{})
			if err := m.Login(context.Background(), h.request(kind)); err != nil {
				t.Fatal(err)
			}
			h.srv.Inject(h.endPath(kind), fake.Fault{Latency: 100 * time.Millisecond, Times: 1})
			errs := runConcurrently(10, func() error { return m.Logout(context.Background()) })
			for i, err := range errs {
				if err != nil && !errors.Is(err, ErrNotLoggedIn) {
					t.Errorf("caller %d: %v", i, err)
				}
			}
			if n := len(h.srv.RequestsTo(h.endPath(kind))); n != 1 {
				t.Errorf("%d end-of-session requests, want 1", n)
			}
			h.assertEndedOnce(kind)
			h.assertClean()
		})
	}
}

func TestConcurrentLoginsOpenOneSession(t *testing.T) {
	h := newHarness(t, fake.Variant{})
	m := h.open(HolderResident, Backoff{})
	h.srv.Inject(ucontact.PathGetUserToken, fake.Fault{Latency: 100 * time.Millisecond, Times: 1})
	errs := runConcurrently(5, func() error { return m.Login(context.Background(), h.request(KindUser)) })
	for i, err := range errs {
		if err != nil && !errors.Is(err, ErrAlreadyLoggedIn) {
			t.Errorf("caller %d: %v", i, err)
		}
	}
	if n := len(h.srv.Sessions()); n != 1 {
		t.Fatalf("%d sessions opened, want 1", n)
	}
	if m.Snapshot().State != LoggedIn {
		t.Fatalf("state %v", m.Snapshot().State)
	}
}

// A shutdown during a login must end what the login opens.
func TestLogoutDuringLoginEndsTheNewSession(t *testing.T) {
	for _, kind := range bothKinds {
		t.Run(string(kind), func(t *testing.T) {
			h := newHarness(t, fake.Variant{})
			m := h.open(HolderResident, Backoff{})
			h.srv.Inject(h.loginPath(kind), fake.Fault{Latency: 150 * time.Millisecond, Times: 1, AfterOpen: false})
			loginErr := make(chan error, 1)
			go func() { loginErr <- m.Login(context.Background(), h.request(kind)) }()
			waitState(t, m, LoggingIn)
			if err := m.Logout(context.Background()); err != nil {
				t.Fatalf("Logout: %v", err)
			}
			if err := <-loginErr; err != nil {
				t.Fatalf("Login: %v", err)
			}
			if s := m.Snapshot(); s.State != LoggedOut {
				t.Errorf("state %v", s.State)
			}
			h.assertEndedOnce(kind)
			h.assertClean()
		})
	}
}

// The process dies between the login and anything after it: the next
// resident to start ends the session with the token it left.
func TestCrashAfterLoginIsRecovered(t *testing.T) {
	for _, kind := range bothKinds {
		t.Run(string(kind), func(t *testing.T) {
			h := newHarness(t, fake.Variant{})
			crashed := h.open(HolderResident, Backoff{})
			if err := crashed.Login(context.Background(), h.request(kind)); err != nil {
				t.Fatal(err)
			}
			// No Logout, no Close: the process is gone.

			next := h.open(HolderResident, Backoff{})
			if s := next.Snapshot(); s.State != LoggedIn || s.User != user {
				t.Fatalf("reopened snapshot %+v", s)
			}
			ended, err := next.Recover(context.Background())
			if err != nil || !ended {
				t.Fatalf("Recover = %v, %v; want the session ended", ended, err)
			}
			h.assertEndedOnce(kind)
			h.assertClean()
		})
	}
}

func TestRecoverWithServerDownKeepsPending(t *testing.T) {
	h := newHarness(t, fake.Variant{})
	if err := h.open(HolderResident, Backoff{}).Login(context.Background(), h.request(KindAgent)); err != nil {
		t.Fatal(err)
	}
	h.srv.Inject(ucontact.PathAgentLogoff, fake.Fault{Status: 503, Times: 1})
	next := h.open(HolderResident, Backoff{})
	if ended, err := next.Recover(context.Background()); ended || err == nil {
		t.Fatalf("Recover = %v, %v; want a failure", ended, err)
	}
	if next.Snapshot().State != LogoutPending {
		t.Fatalf("state %v", next.Snapshot().State)
	}
	// And the start after that.
	last := h.open(HolderCommand, Backoff{})
	if ended, err := last.Recover(context.Background()); !ended || err != nil {
		t.Fatalf("Recover = %v, %v", ended, err)
	}
	h.assertEndedOnce(KindAgent)
	h.assertClean()
}

// A session opened by `ucontact-tray login` is the user's to keep: the
// resident adopts it instead of ending it.
func TestResidentAdoptsCommandSession(t *testing.T) {
	h := newHarness(t, fake.Variant{})
	if err := h.open(HolderCommand, Backoff{}).Login(context.Background(), h.request(KindUser)); err != nil {
		t.Fatal(err)
	}
	resident := h.open(HolderResident, Backoff{})
	if ended, err := resident.Recover(context.Background()); ended || err != nil {
		t.Fatalf("Recover = %v, %v; want adoption", ended, err)
	}
	if n := len(h.srv.OpenSessions()); n != 1 {
		t.Fatalf("%d open sessions, want 1", n)
	}
	rec, _ := loadRecord(h.dir)
	if rec.Holder != HolderResident {
		t.Errorf("holder %q after adoption", rec.Holder)
	}
	if err := resident.Logout(context.Background()); err != nil {
		t.Fatal(err)
	}
	h.assertEndedOnce(KindUser)
}

func TestPendingLogoutIsRetriedWithBackoff(t *testing.T) {
	for _, kind := range bothKinds {
		t.Run(string(kind), func(t *testing.T) {
			h := newHarness(t, fake.Variant{})
			m := h.open(HolderResident, Backoff{Initial: 10 * time.Millisecond, Max: 40 * time.Millisecond})
			updates, cancel := m.Subscribe()
			defer cancel()
			if err := m.Login(context.Background(), h.request(kind)); err != nil {
				t.Fatal(err)
			}
			h.srv.Inject(h.endPath(kind), fake.Fault{Status: 502, Times: 3})
			if err := m.Logout(context.Background()); err == nil {
				t.Fatal("first logout succeeded")
			}
			if s := m.Snapshot(); s.NextRetry.IsZero() {
				t.Error("no retry scheduled")
			}
			deadline := time.After(5 * time.Second)
			for done := false; !done; {
				select {
				case s := <-updates:
					done = s.State == LoggedOut && m.Snapshot().State == LoggedOut
				case <-deadline:
					t.Fatalf("still %v after 5 s", m.Snapshot().State)
				}
			}
			if n := len(h.srv.RequestsTo(h.endPath(kind))); n != 4 {
				t.Errorf("%d tries, want 4 (3 failures, then success)", n)
			}
			h.assertEndedOnce(kind)
			h.assertClean()
		})
	}
}

// The retry of a failed logout must be armed once that logout is over: a
// retry that fires while it is still under way joins it, gets its failure,
// and no retry ever follows. The test holds the failed logout open, as a
// goroutine descheduled between the failure and its end would (the soak
// test found it so, with a 1 ms backoff).
func TestRetryComesAfterTheFailedLogout(t *testing.T) {
	h := newHarness(t, fake.Variant{})
	m := h.open(HolderResident, Backoff{Initial: time.Millisecond, Max: time.Millisecond})
	ctx := context.Background()
	if err := m.Login(ctx, h.request(KindUser)); err != nil {
		t.Fatal(err)
	}
	h.srv.Inject(ucontact.PathEndSession, fake.Fault{Status: 503, Times: 1})

	// Logout's steps, with time between the failure and the end.
	m.mu.Lock()
	f := m.begin(opLogout)
	rec, token, client := *m.rec, m.token, m.client
	m.mu.Unlock()
	err := m.logout(ctx, &rec, token, client, func() { close(f.ended) })
	if err == nil {
		t.Fatal("logout succeeded against a failing server")
	}
	time.Sleep(20 * time.Millisecond) // twenty backoffs: a retry armed already would have fired
	m.finish(f, err)

	waitState(t, m, LoggedOut)
	h.assertEndedOnce(KindUser)
	h.assertClean()
}

func TestCloseStopsRetries(t *testing.T) {
	h := newHarness(t, fake.Variant{})
	m := h.open(HolderResident, Backoff{Initial: 30 * time.Millisecond, Max: time.Second})
	if err := m.Login(context.Background(), h.request(KindUser)); err != nil {
		t.Fatal(err)
	}
	h.srv.Inject(ucontact.PathEndSession, fake.Fault{Status: 500})
	m.Logout(context.Background()) //nolint:errcheck // fails by design
	m.Close()
	before := len(h.srv.RequestsTo(ucontact.PathEndSession))
	time.Sleep(150 * time.Millisecond)
	if after := len(h.srv.RequestsTo(ucontact.PathEndSession)); after != before {
		t.Errorf("%d retries after Close", after-before)
	}
	if err := m.Logout(context.Background()); !errors.Is(err, ErrClosed) {
		t.Errorf("Logout after Close = %v", err)
	}
	if rec, _ := loadRecord(h.dir); rec == nil {
		t.Error("Close dropped the pending record")
	}
}

func TestWithoutKeyringTokenGoesToFile(t *testing.T) {
	for _, kind := range bothKinds {
		t.Run(string(kind), func(t *testing.T) {
			h := newHarness(t, fake.Variant{})
			h.keyring.SetAvailable(false)
			m := h.open(HolderCommand, Backoff{})
			req := h.request(kind)
			req.Remember = true
			if err := m.Login(context.Background(), req); err != nil {
				t.Fatal(err)
			}
			s := m.Snapshot()
			if s.TokenFile == "" || !strings.HasPrefix(s.TokenFile, h.dir) {
				t.Fatalf("TokenFile %q", s.TokenFile)
			}
			if !errors.Is(s.Warning, ErrTokenInFile) || !errors.Is(s.Warning, ErrPasswordNotSaved) {
				t.Errorf("Warning %v: want the token file and the password not remembered", s.Warning)
			}
			// Another process (the logout command) finds the token in the file.
			other := h.open(HolderCommand, Backoff{})
			if s := other.Snapshot(); s.TokenFile == "" || s.State != LoggedIn {
				t.Fatalf("reopened: %+v", s)
			}
			if err := other.Logout(context.Background()); err != nil {
				t.Fatal(err)
			}
			h.assertEndedOnce(kind)
			h.assertClean()
		})
	}
}

func TestRememberPassword(t *testing.T) {
	h := newHarness(t, fake.Variant{})
	m := h.open(HolderResident, Backoff{})
	req := h.request(KindAgent)
	req.Remember = true
	if err := m.Login(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	var found bool
	for k, v := range h.keyring.Items() {
		found = found || (strings.Contains(k, "password/agent/"+user) && v == password)
	}
	if !found {
		t.Errorf("password not in the keyring: %v", h.keyring.Items())
	}
	if !m.HasSavedPassword(context.Background(), h.srv.URL(), user, KindAgent) || m.HasSavedPassword(context.Background(), h.srv.URL(), user, KindUser) {
		t.Error("HasSavedPassword disagrees with the keyring")
	}
	if err := m.Logout(context.Background()); err != nil {
		t.Fatal(err)
	}
	// One click later: log in again with what was remembered.
	again := LoginRequest{Server: h.srv.URL(), User: user, Kind: KindAgent, Remember: true, UseSavedPassword: true}
	if err := m.Login(context.Background(), again); err != nil {
		t.Fatalf("Login with the saved password: %v", err)
	}
	if err := m.Logout(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Unticking "remember" forgets it.
	req.Remember = false
	if err := m.Login(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if m.HasSavedPassword(context.Background(), h.srv.URL(), user, KindAgent) {
		t.Error("password still remembered after a login without Remember")
	}
	m.Logout(context.Background()) //nolint:errcheck
	if err := m.Login(context.Background(), again); !errors.Is(err, ErrEmptyPassword) {
		t.Errorf("Login with no saved password = %v, want ErrEmptyPassword", err)
	}
}

// Whether passwords can be remembered follows the keyring, with no session
// needed.
func TestCheckKeyring(t *testing.T) {
	h := newHarness(t, fake.Variant{})
	m := h.open(HolderResident, Backoff{})
	if err := m.CheckKeyring(context.Background()); err != nil {
		t.Errorf("CheckKeyring with a keyring = %v", err)
	}
	h.keyring.SetAvailable(false)
	if err := m.CheckKeyring(context.Background()); !errors.Is(err, secrets.ErrUnavailable) {
		t.Errorf("CheckKeyring without a keyring = %v, want ErrUnavailable", err)
	}
	if len(h.keyring.Items()) != 0 {
		t.Errorf("checking stored something: %v", h.keyring.Items())
	}
}

func TestKeyringUnavailableAtStartThenBack(t *testing.T) {
	h := newHarness(t, fake.Variant{})
	if err := h.open(HolderCommand, Backoff{}).Login(context.Background(), h.request(KindUser)); err != nil {
		t.Fatal(err)
	}
	h.keyring.SetAvailable(false)
	m := h.open(HolderCommand, Backoff{})
	if s := m.Snapshot(); s.Warning == nil || s.State != LoggedIn {
		t.Fatalf("snapshot %+v: want logged in with a warning", s)
	}
	if err := m.Logout(context.Background()); !errors.Is(err, secrets.ErrUnavailable) {
		t.Fatalf("Logout without the keyring = %v", err)
	}
	if m.Snapshot().State != LogoutPending {
		t.Fatalf("state %v", m.Snapshot().State)
	}
	h.keyring.SetAvailable(true)
	if err := m.Logout(context.Background()); err != nil {
		t.Fatal(err)
	}
	h.assertEndedOnce(KindUser)
	h.assertClean()
}

func TestTokenLost(t *testing.T) {
	h := newHarness(t, fake.Variant{})
	if err := h.open(HolderCommand, Backoff{}).Login(context.Background(), h.request(KindUser)); err != nil {
		t.Fatal(err)
	}
	for k := range h.keyring.Items() {
		h.keyring.Delete(secrets.Service, strings.TrimPrefix(k, secrets.Service+"/")) //nolint:errcheck
	}
	m := h.open(HolderCommand, Backoff{})
	if !errors.Is(m.Snapshot().Warning, ErrTokenLost) {
		t.Fatalf("Warning = %v", m.Snapshot().Warning)
	}
	if err := m.Logout(context.Background()); !errors.Is(err, ErrTokenLost) {
		t.Fatalf("Logout = %v", err)
	}
	h.assertClean()
}

func TestDamagedRecordIsSetAside(t *testing.T) {
	for name, content := range map[string]string{
		"not JSON":       "{not json",
		"no user":        `{"server":"https://acme.ucontactcloud.com","kind":"user"}`,
		"bad kind":       `{"server":"https://acme.ucontactcloud.com","user":"ana","kind":"boss"}`,
		"foreign server": `{"server":"http://evil.example","user":"ana","kind":"user"}`,
	} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, fake.Variant{})
			if err := os.MkdirAll(h.dir, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(recordPath(h.dir), []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			m := h.open(HolderResident, Backoff{})
			s := m.Snapshot()
			var damaged *DamagedRecordError
			if s.State != LoggedOut || !errors.As(s.Warning, &damaged) || damaged.SetAside != recordPath(h.dir)+".damaged" {
				t.Fatalf("snapshot %+v", s)
			}
			if _, err := os.Stat(damaged.SetAside); err != nil {
				t.Errorf("damaged record not kept aside: %v", err)
			}
			if err := m.Login(context.Background(), h.request(KindUser)); err != nil {
				t.Fatalf("Login after a damaged record: %v", err)
			}
		})
	}
}

// If the session cannot be made safe on disk, it is closed again rather than
// left open with nothing to end it after a crash.
func TestUnwritableStateClosesTheSession(t *testing.T) {
	h := newHarness(t, fake.Variant{})
	m := h.open(HolderResident, Backoff{})
	if err := os.MkdirAll(h.dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(recordPath(h.dir), 0o700); err != nil { // a directory where the record goes
		t.Fatal(err)
	}
	err := m.Login(context.Background(), h.request(KindAgent))
	if !errors.Is(err, ErrStoringSession) {
		t.Fatalf("Login = %v", err)
	}
	if m.Snapshot().State != LoggedOut {
		t.Fatalf("state %v", m.Snapshot().State)
	}
	h.assertEndedOnce(KindAgent)
}

// The token and the record are written at once: when the token cannot be
// kept, the record written beside it goes too, with the session.
func TestRefusedTokenClosesTheSession(t *testing.T) {
	h := newHarness(t, fake.Variant{})
	m := h.open(HolderResident, Backoff{})
	h.keyring.RefuseSets(keyring.ErrSetDataTooBig)
	err := m.Login(context.Background(), h.request(KindUser))
	if !errors.Is(err, ErrStoringSession) || m.Snapshot().State != LoggedOut {
		t.Fatalf("Login = %v, state %v", err, m.Snapshot().State)
	}
	h.assertEndedOnce(KindUser)
	if _, err := os.Stat(recordPath(h.dir)); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("record left behind: %v", err)
	}
}

func TestSnapshotsArePublished(t *testing.T) {
	h := newHarness(t, fake.Variant{})
	m := h.open(HolderResident, Backoff{})
	updates, cancel := m.Subscribe()
	if s := <-updates; s.State != LoggedOut {
		t.Fatalf("first snapshot %v", s.State)
	}
	h.srv.Inject(ucontact.PathGetUserToken, fake.Fault{Latency: 50 * time.Millisecond, Times: 1})
	h.srv.Inject(ucontact.PathEndSession, fake.Fault{Latency: 50 * time.Millisecond, Times: 1})
	go func() {
		m.Login(context.Background(), h.request(KindUser)) //nolint:errcheck
		m.Logout(context.Background())                     //nolint:errcheck
	}()
	var seen []State
	for len(seen) < 4 {
		select {
		case s := <-updates:
			seen = append(seen, s.State)
		case <-time.After(5 * time.Second):
			t.Fatalf("saw %v", seen)
		}
	}
	if fmt.Sprint(seen) != fmt.Sprint([]State{LoggingIn, LoggedIn, LoggingOut, LoggedOut}) {
		t.Errorf("states %v", seen)
	}
	cancel()
	if _, open := <-updates; open {
		t.Error("channel open after cancel")
	}
}

func TestBackoffDelay(t *testing.T) {
	b := Backoff{Initial: time.Second, Max: 8 * time.Second}
	for attempt, base := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 4: 8 * time.Second, 10: 8 * time.Second} {
		d := b.delay(attempt)
		if d < base*8/10 || d > base*12/10 {
			t.Errorf("attempt %d: %v, want %v ±20%%", attempt, d, base)
		}
	}
}

func runConcurrently(n int, f func() error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = f() })
	}
	wg.Wait()
	return errs
}

func waitState(t *testing.T, m *Manager, want State) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for m.Snapshot().State != want {
		if time.Now().After(deadline) {
			t.Fatalf("state %v, want %v", m.Snapshot().State, want)
		}
		time.Sleep(time.Millisecond)
	}
}

func isErr(target error) func(error) bool {
	return func(err error) bool { return errors.Is(err, target) }
}

func asErr[T error](err error) bool {
	var target T
	return errors.As(err, &target)
}

// Every change of state is logged, with who and where, and why when it went
// wrong; so is a session found at start. Nothing secret is.
func TestStateChangesAreLogged(t *testing.T) {
	h := newHarness(t, fake.Variant{})
	ctx := context.Background()
	m := h.open(HolderResident, Backoff{})
	wrong := h.request(KindUser)
	wrong.Password = "not-the-password"
	if err := m.Login(ctx, wrong); err == nil {
		t.Fatal("a wrong password logged in")
	}
	if err := m.Login(ctx, h.request(KindAgent)); err != nil {
		t.Fatal(err)
	}
	h.srv.Inject(ucontact.PathAgentLogoff, fake.Fault{Status: 503, Times: 1})
	if err := m.Logout(ctx); err == nil {
		t.Fatal("the logout did not fail")
	}
	m.Close()
	if err := h.open(HolderResident, Backoff{}).Logout(ctx); err != nil {
		t.Fatal(err)
	}

	server := regexp.QuoteMeta(h.srv.URL())
	want := []string{
		`level=INFO msg="session state" state=logging-in was=logged-out user=ana server=` + server + ` kind=user$`,
		`level=WARN msg="session state" state=logged-out was=logging-in err="[^"]*wrong user or password"$`,
		`level=INFO msg="session state" state=logging-in was=logged-out user=ana server=` + server + ` kind=agent$`,
		`level=INFO msg="session state" state=logged-in was=logging-in user=ana server=` + server + ` kind=agent extension=\d+$`,
		`level=INFO msg="session state" state=logging-out was=logged-in user=ana `,
		`level=WARN msg="session state" state=logout-pending was=logging-out user=ana .* err=".*HTTP 503" attempts=1$`,
		`level=INFO msg="session found" state=logout-pending user=ana server=` + server + ` kind=agent since=\S+ holder=resident$`,
		`level=INFO msg="session state" state=logging-out was=logout-pending user=ana `,
		`level=INFO msg="session state" state=logged-out was=logging-out$`,
	}
	lines := strings.Split(strings.TrimSpace(h.log.String()), "\n")
	if len(lines) != len(want) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(want), h.log.String())
	}
	for i, re := range want {
		if !regexp.MustCompile(re).MatchString(lines[i]) {
			t.Errorf("line %d:\n%s\ndoes not match\n%s", i, lines[i], re)
		}
	}
	for _, secret := range append(h.srv.Tokens(), password, wrong.Password, "sip-"+user) {
		if strings.Contains(h.log.String(), secret) {
			t.Errorf("the log has %q", secret)
		}
	}
}

// LogoutThen tells its caller the session is over as soon as the server
// said so and the record is gone, before the keyring forgets the token; a
// caller that joins a logout under way is told too, and nobody is told of
// a logout that failed.
func TestLogoutThenTellsWhenEnded(t *testing.T) {
	h := newHarness(t, fake.Variant{})
	m := h.open(HolderResident, Backoff{})
	ctx := context.Background()
	tokenStored := func() bool { return len(h.keyring.Items()) > 0 }

	t.Run("alone", func(t *testing.T) {
		if err := m.Login(ctx, h.request(KindUser)); err != nil {
			t.Fatal(err)
		}
		var told, recordGone, tokenThen bool
		err := m.LogoutThen(ctx, func() {
			told = true
			_, err := os.Stat(recordPath(h.dir))
			recordGone, tokenThen = errors.Is(err, fs.ErrNotExist), tokenStored()
		})
		if err != nil || !told || !recordGone || !tokenThen || tokenStored() {
			t.Fatalf("err %v, told %v, record gone when told %v, token still there when told %v, token left %v",
				err, told, recordGone, tokenThen, tokenStored())
		}
		h.assertEndedOnce(KindUser)
	})
	t.Run("joining", func(t *testing.T) {
		if err := m.Login(ctx, h.request(KindUser)); err != nil {
			t.Fatal(err)
		}
		h.srv.Inject(ucontact.PathEndSession, fake.Fault{Latency: 100 * time.Millisecond, Times: 1})
		first := make(chan error, 1)
		go func() { first <- m.Logout(ctx) }()
		waitState(t, m, LoggingOut)
		told := false
		if err := m.LogoutThen(ctx, func() { told = true }); err != nil || !told {
			t.Fatalf("joined: err %v, told %v", err, told)
		}
		if err := <-first; err != nil {
			t.Fatal(err)
		}
	})
	t.Run("failed", func(t *testing.T) {
		if err := m.Login(ctx, h.request(KindUser)); err != nil {
			t.Fatal(err)
		}
		h.srv.Inject(ucontact.PathEndSession, fake.Fault{Status: 503, Times: 1})
		told := false
		if err := m.LogoutThen(ctx, func() { told = true }); err == nil || told {
			t.Fatalf("against a failing server: err %v, told %v", err, told)
		}
	})
}
