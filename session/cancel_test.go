package session

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"ucontact-tray/session/secrets/secretstest"
	"ucontact-tray/session/ucontact"
	"ucontact-tray/session/ucontact/fake"
)

// storeWatch is a keyring that notes what is stored in it.
type storeWatch struct {
	*secretstest.Memory
	mu  sync.Mutex
	set []string
}

func (k *storeWatch) Set(service, key, secret string) error {
	k.mu.Lock()
	k.set = append(k.set, service+"/"+key)
	k.mu.Unlock()
	return k.Memory.Set(service, key, secret)
}

func (k *storeWatch) keys() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return slices.Clone(k.set)
}

// slowLogin starts a login that the server answers after latency, and
// returns once it is under way: its flight, and where its outcome comes.
// With no latency, the test has set the server's faults itself.
func slowLogin(t *testing.T, h *harness, m *Manager, kind Kind, latency time.Duration) (*flight, <-chan error) {
	t.Helper()
	if latency > 0 {
		h.srv.Inject(h.loginPath(kind), fake.Fault{Latency: latency, Times: 1})
	}
	updates, stop := m.Subscribe()
	defer stop()
	outcome := make(chan error, 1)
	go func() { outcome <- m.Login(context.Background(), h.request(kind)) }()
	for s := range updates {
		if s.State == LoggingIn {
			break
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.flight == nil {
		t.Fatal("no login under way")
	}
	return m.flight, outcome
}

// The user gives a slow login up: they are told at once, and the session
// the server opens afterwards is ended, stored nowhere and never reported.
func TestCancelledLoginEndsTheSessionTheServerOpens(t *testing.T) {
	for _, kind := range bothKinds {
		t.Run(string(kind), func(t *testing.T) {
			h := newHarness(t, fake.Variant{})
			stored := &storeWatch{Memory: h.keyring}
			h.secrets = stored
			m := h.open(HolderResident, Backoff{})
			f, outcome := slowLogin(t, h, m, kind, 500*time.Millisecond)

			if !m.CancelLogin() {
				t.Fatal("CancelLogin found no login to give up")
			}
			if err := <-outcome; !errors.Is(err, ErrLoginCancelled) {
				t.Fatalf("Login = %v, want ErrLoginCancelled", err)
			}
			// The user's view: told before the server has answered.
			for _, r := range h.srv.RequestsTo(h.loginPath(kind)) {
				if !r.Answered.IsZero() {
					t.Error("Login returned only once the server had answered")
				}
			}
			if s := m.Snapshot(); s.State != LoggedOut || !errors.Is(s.LastError, ErrLoginCancelled) {
				t.Errorf("snapshot after the cancel %v, %v; want logged out, cancelled", s.State, s.LastError)
			}
			if m.CancelLogin() {
				t.Error("a second CancelLogin found a login to give up")
			}

			<-f.done // the request runs to its end, out of sight
			if n := len(h.srv.Sessions()); n != 1 {
				t.Fatalf("the server opened %d sessions, want 1", n)
			}
			h.assertEndedOnce(kind)
			if open := h.srv.OpenSessions(); len(open) != 0 {
				t.Errorf("sessions left open: %+v", open)
			}
			h.assertClean()
			h.assertNoSecretOnDisk()
			if keys := stored.keys(); len(keys) != 0 {
				t.Errorf("stored in the keyring: %v", keys)
			}
			if s := m.Snapshot(); s.State != LoggedOut || !errors.Is(s.LastError, ErrLoginCancelled) {
				t.Errorf("snapshot after the wind-down %v, %v; want logged out, cancelled", s.State, s.LastError)
			}
			log := h.log.String()
			if strings.Contains(log, "state=logged-in") {
				t.Errorf("the session was reported open:\n%s", log)
			}
			if !strings.Contains(log, "the server opened the session anyway; it was ended") {
				t.Errorf("the outcome is not logged:\n%s", log)
			}
		})
	}
}

// A login asked for while a cancelled one winds down waits for it, rather
// than failing as busy, and opens its own session once the first is ended.
func TestLoginAfterACancelWaitsForTheCancelledOne(t *testing.T) {
	h := newHarness(t, fake.Variant{})
	m := h.open(HolderResident, Backoff{})
	_, outcome := slowLogin(t, h, m, KindUser, 300*time.Millisecond)
	m.CancelLogin()
	if err := <-outcome; !errors.Is(err, ErrLoginCancelled) {
		t.Fatalf("first Login = %v", err)
	}
	if err := m.Login(context.Background(), h.request(KindUser)); err != nil {
		t.Fatalf("second Login = %v", err)
	}
	sessions := h.srv.Sessions()
	if len(sessions) != 2 || sessions[0].Ended != 1 || sessions[1].Ended != 0 {
		t.Fatalf("sessions %+v; want the first ended, the second open", sessions)
	}
	if s := m.Snapshot(); s.State != LoggedIn || s.LastError != nil {
		t.Errorf("snapshot %v, %v", s.State, s.LastError)
	}
	if err := m.Logout(context.Background()); err != nil {
		t.Fatal(err)
	}
	h.assertClean()
}

// A cancelled login the server refuses leaves nothing, and the refusal is
// logged, not shown: the user asked for nothing more.
func TestCancelledLoginThatFails(t *testing.T) {
	h := newHarness(t, fake.Variant{})
	m := h.open(HolderResident, Backoff{})
	h.srv.Inject(ucontact.PathGetUserToken, fake.Fault{Latency: 300 * time.Millisecond, Status: 503, Times: 1})
	f, outcome := slowLogin(t, h, m, KindUser, 0)
	m.CancelLogin()
	if err := <-outcome; !errors.Is(err, ErrLoginCancelled) {
		t.Fatalf("Login = %v", err)
	}
	<-f.done
	if n := len(h.srv.Sessions()); n != 0 {
		t.Errorf("%d sessions opened", n)
	}
	if s := m.Snapshot(); s.State != LoggedOut || !errors.Is(s.LastError, ErrLoginCancelled) {
		t.Errorf("snapshot %v, %v; want logged out, cancelled", s.State, s.LastError)
	}
	h.assertClean()
	if log := h.log.String(); !strings.Contains(log, "cancelled login: the server opened no session") {
		t.Errorf("the outcome is not logged:\n%s", log)
	}
}

// A session opened after the cancel that cannot be ended is not let go:
// it becomes a pending logout, as any other session that could not be.
func TestCancelledLoginWhoseSessionCannotBeEnded(t *testing.T) {
	h := newHarness(t, fake.Variant{})
	m := h.open(HolderResident, Backoff{})
	h.srv.Inject(ucontact.PathEndSession, fake.Fault{Status: 503, Times: 2})
	f, outcome := slowLogin(t, h, m, KindUser, 300*time.Millisecond)
	m.CancelLogin()
	if err := <-outcome; !errors.Is(err, ErrLoginCancelled) {
		t.Fatalf("Login = %v", err)
	}
	<-f.done
	s := m.Snapshot()
	if s.State != LogoutPending || s.User != user {
		t.Fatalf("snapshot %v of %q, want a pending logout of %s", s.State, s.User, user)
	}
	if strings.Contains(h.log.String(), "state=logged-in") {
		t.Error("the session was reported open")
	}
	if err := m.Logout(context.Background()); err != nil {
		t.Fatalf("the pending logout: %v", err)
	}
	h.assertEndedOnce(KindUser)
	h.assertClean()
}

func TestCancelLoginWithoutALogin(t *testing.T) {
	h := newHarness(t, fake.Variant{})
	m := h.open(HolderResident, Backoff{})
	if m.CancelLogin() {
		t.Error("CancelLogin with no login under way")
	}
	if err := m.Login(context.Background(), h.request(KindUser)); err != nil {
		t.Fatal(err)
	}
	if m.CancelLogin() {
		t.Error("CancelLogin gave up a login that had ended")
	}
	if s := m.Snapshot(); s.State != LoggedIn {
		t.Errorf("state %v", s.State)
	}
}
