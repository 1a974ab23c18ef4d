package session

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"ucontact-tray/session/secrets"
	"ucontact-tray/session/ucontact"
	"ucontact-tray/session/ucontact/fake"
)

// soakCycles is how many login/logout cycles TestSoak runs of each kind.
const soakCycles = 1000

// TestSoak logs in and out soakCycles times of each kind against a server
// that fails at random (latency, 5xx, dropped connections, 401 on end
// calls), with several goroutines logging out at once in some cycles and
// restarts while a logout is pending in others. Afterwards every session
// the server opened must have been ended exactly once, the goroutines and
// open files must be back where they started, and no password or token may
// be in the log.
//
// The seed is logged; UCT_SOAK_SEED=<seed> replays a run (the order of calls
// is fixed by the seed; only timing varies), and UCT_SOAK_CYCLES changes the
// number of cycles.
func TestSoak(t *testing.T) {
	seed := soakSetting(t, "UCT_SOAK_SEED", rand.Uint64())
	cycles := int(soakSetting(t, "UCT_SOAK_CYCLES", soakCycles))
	t.Logf("seed %d: replay with UCT_SOAK_SEED=%d go test -race -run TestSoak ./session/", seed, seed)

	h := newHarness(t, fake.Variant{})
	goroutines, files := runtime.NumGoroutine(), openFiles(t)
	faults := &soakFaults{rng: rand.New(rand.NewPCG(seed, 1)), count: map[string]int{}}
	h.srv.SetFaultFunc(faults.choose)

	var logs bytes.Buffer // written only through log, whose handler serialises writes
	s := &soak{
		t:   t,
		h:   h,
		rng: rand.New(rand.NewPCG(seed, 2)),
		log: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	s.start()
	began := time.Now()
	for i := range 2 * cycles {
		kind := bothKinds[i%2]
		s.login(i, kind)
		last := i == 2*cycles-1
		if last {
			// Leave the last logout pending, retried against a server
			// that fails it until the faults are cleared.
			h.srv.Inject(h.endPath(kind), fake.Fault{Status: 503})
		}
		s.logout(i, last)
	}
	if st := s.m.Snapshot().State; st != LogoutPending && st != LoggingOut {
		t.Errorf("state %v after a logout that failed on purpose, want %v", st, LogoutPending)
	}
	if open := h.srv.OpenSessions(); len(open) != 1 {
		t.Errorf("%d sessions open before the final retry, want the last one", len(open))
	}

	// The server is healthy again: the pending logout's retry ends it.
	h.srv.ClearFaults()
	s.waitLoggedOut(2 * cycles)
	t.Logf("%d cycles in %v; faults injected: %v", 2*cycles, time.Since(began).Round(time.Millisecond), faults.count)
	t.Logf("%d logouts by several callers at once, %d left pending, %d restarts while pending", s.concurrent, s.pending, s.restarts)

	sessions := h.srv.Sessions()
	if len(sessions) != s.logins {
		t.Errorf("the server opened %d sessions for %d logins", len(sessions), s.logins)
	}
	var expired int
	for i, ses := range sessions {
		if ses.Ended != 1 {
			t.Errorf("session %d (%s) ended %d times, want 1", i, ses.Kind, ses.Ended)
		}
		if ses.Expired {
			expired++
		}
	}
	t.Logf("%d sessions, %d of them over on the server before the logout (401)", len(sessions), expired)
	for _, kind := range []string{"latency", "5xx", "dropped", "401 on end"} {
		if faults.count[kind] == 0 {
			t.Errorf("no %s fault was injected: the soak did not test it", kind)
		}
	}
	h.assertClean()

	s.stop()
	settled(t, goroutines, files)

	out := logs.String()
	// The log must hold what a failure looks like, or finding no secret
	// in it would prove nothing.
	if !strings.Contains(out, "logout-pending") || !strings.Contains(out, "HTTP 50") {
		t.Errorf("the log has no failed logout; %d bytes", len(out))
	}
	tokens := h.srv.Tokens()
	var leaked int
	for _, tok := range tokens {
		if strings.Contains(out, tok) {
			leaked++
		}
	}
	if leaked > 0 {
		t.Errorf("%d of the %d tokens issued are in the log", leaked, len(tokens))
	}
	if strings.Contains(out, password) {
		t.Error("the password is in the log")
	}
}

// soak is the state of TestSoak: the manager under test, as the resident
// runs it, and what it has done so far.
type soak struct {
	t   *testing.T
	h   *harness
	rng *rand.Rand // the test's own choices; the server's faults have theirs
	log *slog.Logger

	m       *Manager
	stopLog func()
	checked int // sessions already checked to be ended once

	logins, concurrent, pending, restarts int
}

// start opens a manager on the harness's state and logs its snapshots as
// the resident does.
func (s *soak) start() {
	m, err := Open(context.Background(), Config{
		Dir:     s.h.dir,
		Secrets: secrets.NewStore(s.h.keyring, s.h.dir).WithTimeout(5 * time.Second),
		Client: func(u *url.URL) *ucontact.Client {
			// Generous: a call the client gave up on may still have ended
			// the session on the server, and ending it again would be
			// right, yet look like a double end to the checks.
			return ucontact.NewClient(u, ucontact.Options{CallTimeout: 10 * time.Second})
		},
		Holder: HolderResident,
		Retry:  Backoff{Initial: time.Millisecond, Max: 8 * time.Millisecond},
	})
	if err != nil {
		s.t.Fatalf("Open: %v", err)
	}
	s.t.Cleanup(m.Close) // for a test that stops early; closing twice is fine
	s.m = m
	updates, cancel := m.Subscribe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for snap := range updates {
			s.log.Info("session state", "state", snap.State.String(), "user", snap.User, "server", snap.Server,
				"err", snap.LastError, "warning", snap.Warning, "snapshot", fmt.Sprintf("%+v", snap))
		}
	}()
	s.stopLog = func() { cancel(); <-done }
}

// stop closes the manager and waits for its logging to end.
func (s *soak) stop() {
	s.m.Close()
	s.stopLog()
}

// login logs in, through whatever the server throws at it. A logout still
// pending from the last cycle is seen through first.
func (s *soak) login(cycle int, kind Kind) {
	s.t.Helper()
	for attempt := 1; ; attempt++ {
		err := s.m.Login(context.Background(), s.h.request(kind))
		s.logResult("login", err)
		switch {
		case err == nil:
			s.logins++
			return
		case errors.Is(err, ErrLogoutPending), errors.Is(err, ErrBusy):
			s.seeThrough(cycle)
		case !failedCall(err):
			s.t.Fatalf("cycle %d: Login: %v", cycle, err)
		}
		if attempt == 100 {
			s.t.Fatalf("cycle %d: no login in %d attempts: %v", cycle, attempt, err)
		}
	}
}

// logout ends the session: one caller, or in some cycles several at once,
// as a double click racing a shutdown would. Then it checks what the server
// saw of the session.
func (s *soak) logout(cycle int, single bool) {
	s.t.Helper()
	callers := 1
	if !single && s.rng.IntN(4) == 0 {
		callers = 2 + s.rng.IntN(5)
		s.concurrent++
	}
	start := make(chan struct{})
	errs := make([]error, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() {
			<-start
			errs[i] = s.m.Logout(context.Background())
		})
	}
	close(start)
	wg.Wait()

	var ended, answered bool
	for _, err := range errs {
		s.logResult("logout", err)
		switch {
		case err == nil:
			ended, answered = true, true
		case failedCall(err):
			answered = true
		case !errors.Is(err, ErrNotLoggedIn):
			s.t.Errorf("cycle %d: Logout: %v", cycle, err)
		}
	}
	if !answered {
		s.t.Errorf("cycle %d: all %d callers were told there was no session: %v", cycle, callers, errs)
	}
	if !ended {
		// Pending: the retry timer may be at it already. The next login
		// sees it through, and checks the session then.
		s.pending++
		s.h.assertNoSecretOnDisk()
		return
	}
	if st := s.m.Snapshot().State; st != LoggedOut {
		s.t.Errorf("cycle %d: a logout succeeded, yet the state is %v", cycle, st)
	}
	s.checkEnded(cycle, s.h.srv.Sessions())
}

// seeThrough gets a pending logout done: by waiting for the manager's
// retries, by retrying at once (racing the retry timer), or by a restart
// that ends what the last run left.
func (s *soak) seeThrough(cycle int) {
	s.t.Helper()
	switch n := s.rng.IntN(100); {
	case n < 60:
		s.waitLoggedOut(cycle)
	case n < 85:
		err := s.m.Logout(context.Background())
		s.logResult("logout", err)
		if err != nil && !failedCall(err) && !errors.Is(err, ErrNotLoggedIn) {
			s.t.Errorf("cycle %d: Logout: %v", cycle, err)
		}
	default:
		s.restarts++
		s.stop()
		s.start()
		_, err := s.m.Recover(context.Background())
		s.logResult("recover", err)
		if err != nil && !failedCall(err) {
			s.t.Fatalf("cycle %d: Recover: %v", cycle, err)
		}
	}
}

// waitLoggedOut waits for the retries of a pending logout to end it, and
// checks the sessions ended since the last check.
func (s *soak) waitLoggedOut(cycle int) {
	s.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for s.m.Snapshot().State != LoggedOut {
		if time.Now().After(deadline) {
			s.t.Fatalf("cycle %d: still %v after 10 s of retries", cycle, s.m.Snapshot().State)
		}
		time.Sleep(time.Millisecond)
	}
	s.checkEnded(cycle, s.h.srv.Sessions())
}

// checkEnded checks that the sessions not checked yet were each ended once.
func (s *soak) checkEnded(cycle int, sessions []fake.Session) {
	s.t.Helper()
	for i := s.checked; i < len(sessions); i++ {
		if n := sessions[i].Ended; n != 1 {
			s.t.Errorf("cycle %d: session %d (%s) ended %d times, want 1", cycle, i, sessions[i].Kind, n)
		}
	}
	s.checked = len(sessions)
}

// logResult logs an operation's error as the resident does.
func (s *soak) logResult(op string, err error) {
	if err != nil {
		s.log.Warn(op, "err", err)
	}
}

// failedCall reports whether err is the failure of a call the server
// failed: what the soak's faults cause.
func failedCall(err error) bool {
	var (
		status  *ucontact.StatusError
		network *ucontact.NetworkError
	)
	return errors.As(err, &status) || errors.As(err, &network)
}

// soakFaults chooses the server's faults at random. choose is called under
// the fake server's lock, one call at a time, so it needs no lock of its own.
type soakFaults struct {
	rng   *rand.Rand
	count map[string]int // by kind of fault
}

func (f *soakFaults) choose(path string) (fake.Fault, bool) {
	end := path == ucontact.PathEndSession || path == ucontact.PathAgentLogoff
	var fault fake.Fault
	var kind string
	switch n := f.rng.IntN(100); {
	case n < 15:
		// Well inside the client's deadline: the call succeeds, slowly, and
		// concurrent logouts overlap.
		kind, fault = "latency", fake.Fault{Latency: time.Duration(1+f.rng.IntN(8)) * time.Millisecond}
	case n < 25:
		kind, fault = "5xx", fake.Fault{Status: []int{500, 502, 503, 504}[f.rng.IntN(4)]}
	case n < 33:
		kind, fault = "dropped", fake.Fault{Drop: true}
	case n < 40 && end:
		kind, fault = "401 on end", fake.Fault{Status: 401}
	default:
		return fake.Fault{}, false
	}
	f.count[kind]++
	return fault, true
}

// soakSetting reads a number from the environment, or returns def.
func soakSetting(t *testing.T, name string, def uint64) uint64 {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil || n == 0 {
		t.Fatalf("%s=%q: want a positive whole number", name, v)
	}
	return n
}

// openFiles counts the process's open file descriptors, or returns -1
// where they cannot be listed.
func openFiles(t *testing.T) int {
	t.Helper()
	if runtime.GOOS != "linux" {
		return -1
	}
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatalf("counting open files: %v", err)
	}
	return len(fds)
}

// settled waits for the goroutines and open files to come back to their
// starting level: connections and timers wind down asynchronously, but
// within a few seconds.
func settled(t *testing.T, goroutines, files int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		g, f := runtime.NumGoroutine(), openFiles(t)
		if g <= goroutines && f <= files {
			if files < 0 {
				t.Log("open files not counted on " + runtime.GOOS)
			}
			return
		}
		if time.Now().After(deadline) {
			var stacks bytes.Buffer
			pprof.Lookup("goroutine").WriteTo(&stacks, 1) //nolint:errcheck // a diagnostic
			t.Errorf("after the soak: %d goroutines (%d before), %d open files (%d before)\n%s",
				g, goroutines, f, files, stacks.String())
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}
