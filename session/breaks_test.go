package session

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"ucontact-tray/session/ucontact"
	"ucontact-tray/session/ucontact/fake"
)

// loggedInAgent is a manager with an agent session open on h's server.
func (h *harness) loggedInAgent() *Manager {
	h.t.Helper()
	m := h.open(HolderResident, Backoff{})
	if err := m.Login(context.Background(), h.request(KindAgent)); err != nil {
		h.t.Fatalf("Login: %v", err)
	}
	return m
}

// assertBreak checks that the snapshot, the record and the server agree
// that the agent is on a break of motive ("" for none).
func (h *harness) assertBreak(m *Manager, motive string) {
	h.t.Helper()
	s := m.Snapshot()
	rec, err := loadRecord(h.dir)
	if err != nil || rec == nil {
		h.t.Fatalf("record %+v, %v", rec, err)
	}
	onServer, _, on := h.srv.Break(user)
	switch {
	case motive == "":
		if s.Break != nil || rec.Break != nil || on {
			h.t.Errorf("want no break: snapshot %+v, record %+v, server on %q", s.Break, rec.Break, onServer)
		}
	case s.Break == nil || rec.Break == nil:
		h.t.Errorf("want break %q: snapshot %+v, record %+v", motive, s.Break, rec.Break)
	case s.Break.Motive != motive || s.Break.Since.IsZero() || rec.Break.Motive != motive || !rec.Break.Since.Equal(s.Break.Since):
		h.t.Errorf("want break %q: snapshot %+v, record %+v", motive, *s.Break, *rec.Break)
	case !on || onServer != motive:
		h.t.Errorf("want break %q: the server has %q (on %v)", motive, onServer, on)
	}
	if s.State != LoggedIn {
		h.t.Errorf("state %v", s.State)
	}
}

func TestStartAndEndBreak(t *testing.T) {
	h := newHarness(t, fake.Variant{})
	m := h.loggedInAgent()
	ctx := context.Background()
	updates, cancel := m.Subscribe()
	defer cancel()
	<-updates

	before := time.Now()
	if err := m.StartBreak(ctx, "Almuerzo"); err != nil {
		t.Fatalf("StartBreak: %v", err)
	}
	h.assertBreak(m, "Almuerzo")
	if s := <-updates; s.Break == nil || s.Break.Motive != "Almuerzo" || s.Break.Since.Before(before) {
		t.Errorf("published %+v", s.Break)
	}
	req := h.srv.RequestsTo(ucontact.PathAgentBreak)
	if len(req) != 1 || req[0].Form.Get("agent") != user || req[0].Form.Get("interface") != "SIP/"+m.Snapshot().Extension {
		t.Fatalf("AgentBreak requests %+v", req)
	}

	if err := m.StartBreak(ctx, "Baño"); !errors.Is(err, ErrOnBreak) {
		t.Errorf("StartBreak while on a break = %v, want ErrOnBreak", err)
	}
	if err := m.StartBreak(ctx, "Almuerzo"); !errors.Is(err, ErrOnBreak) {
		t.Errorf("StartBreak of the same break = %v, want ErrOnBreak", err)
	}
	if n := len(h.srv.RequestsTo(ucontact.PathAgentBreak)); n != 1 {
		t.Errorf("%d AgentBreak requests, want 1", n)
	}
	h.assertBreak(m, "Almuerzo")

	if err := m.EndBreak(ctx); err != nil {
		t.Fatalf("EndBreak: %v", err)
	}
	h.assertBreak(m, "")
	if s := <-updates; s.Break != nil {
		t.Errorf("published %+v after the end", s.Break)
	}
	end := h.srv.RequestsTo(ucontact.PathAgentUnBreak)
	if len(end) != 1 || end[0].Form.Get("motive") != "Almuerzo" {
		t.Fatalf("AgentUnBreak requests %+v", end)
	}
	if secs, err := strconv.Atoi(end[0].Form.Get("time")); err != nil || secs < 0 {
		t.Errorf("time %q", end[0].Form.Get("time"))
	}
	if err := m.EndBreak(ctx); !errors.Is(err, ErrNotOnBreak) {
		t.Errorf("EndBreak when not on a break = %v, want ErrNotOnBreak", err)
	}
	if n := len(h.srv.RequestsTo(ucontact.PathAgentUnBreak)); n != 1 {
		t.Errorf("%d AgentUnBreak requests, want 1", n)
	}
	if s := m.Snapshot(); s.LastError != nil || s.Warning != nil || s.NoBreaks {
		t.Errorf("snapshot %+v", s)
	}
	log := h.log.String()
	for _, want := range []string{`msg="break started" motive=Almuerzo`, `msg="break ended" motive=Almuerzo lasted=`} {
		if !strings.Contains(log, want) {
			t.Errorf("the log lacks %q:\n%s", want, log)
		}
	}
	for _, secret := range append(h.srv.Tokens(), password) {
		if strings.Contains(log, secret) {
			t.Errorf("the log has %q", secret)
		}
	}
}

func TestBreaksNeedAnAgentSession(t *testing.T) {
	h := newHarness(t, fake.Variant{})
	m := h.open(HolderResident, Backoff{})
	ctx := context.Background()
	if err := m.StartBreak(ctx, "Almuerzo"); !errors.Is(err, ErrNotLoggedIn) {
		t.Errorf("StartBreak logged out = %v", err)
	}
	if err := m.EndBreak(ctx); !errors.Is(err, ErrNotLoggedIn) {
		t.Errorf("EndBreak logged out = %v", err)
	}
	if err := m.Login(ctx, h.request(KindUser)); err != nil {
		t.Fatal(err)
	}
	if err := m.StartBreak(ctx, "Almuerzo"); !errors.Is(err, ErrNotAgent) {
		t.Errorf("StartBreak in a user session = %v", err)
	}
	if err := m.EndBreak(ctx); !errors.Is(err, ErrNotAgent) {
		t.Errorf("EndBreak in a user session = %v", err)
	}
	if err := m.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	m = h.loggedInAgent()
	for _, motive := range []string{"", "  "} {
		if err := m.StartBreak(ctx, motive); !errors.Is(err, ucontact.ErrNoMotive) {
			t.Errorf("StartBreak(%q) = %v", motive, err)
		}
	}
	if n := len(h.srv.RequestsTo(ucontact.PathAgentBreak)); n != 0 {
		t.Errorf("%d AgentBreak requests, want none", n)
	}
	h.assertBreak(m, "")
}

// A break call that fails leaves the session as it was, and says why.
func TestBreakFailuresLeaveTheBreakAsItWas(t *testing.T) {
	for _, tc := range []struct {
		name   string
		motive string // "Almuerzo" unless set
		fault  fake.Fault
		is     func(error) bool
	}{
		{"refused", "", fake.Fault{Body: "0"}, isErr(ucontact.ErrRefused)},
		{"unknown motive", "Fútbol", fake.Fault{}, isErr(ucontact.ErrRefused)},
		{"500", "", fake.Fault{Status: 500}, asErr[*ucontact.StatusError]},
		{"503", "", fake.Fault{Status: 503}, asErr[*ucontact.StatusError]},
		{"dropped", "", fake.Fault{Drop: true}, asErr[*ucontact.NetworkError]},
		{"slow", "", fake.Fault{Latency: 2 * time.Second}, func(err error) bool { return ErrorCode(err) == CodeTimeout }},
	} {
		motive := tc.motive
		if motive == "" {
			motive = "Almuerzo"
		}
		t.Run("start/"+tc.name, func(t *testing.T) {
			h := newHarness(t, fake.Variant{})
			m := h.loggedInAgent()
			if tc.fault != (fake.Fault{}) {
				fault := tc.fault
				fault.Times = 1
				h.srv.Inject(ucontact.PathAgentBreak, fault)
			}
			short, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			err := m.StartBreak(short, motive)
			if err == nil || !tc.is(err) {
				t.Fatalf("StartBreak = %v", err)
			}
			if tc.is(ucontact.ErrRefused) {
				if code := ErrorCode(err); code != CodeBreakRefused.With(motive) {
					t.Errorf("code %q", code)
				}
			}
			h.assertBreak(m, "")
			if s := m.Snapshot(); s.NoBreaks || s.LastError != nil {
				t.Errorf("snapshot %+v", s)
			}
			// The server is back: the break starts.
			if err := m.StartBreak(context.Background(), "Baño"); err != nil {
				t.Fatalf("StartBreak after the failure: %v", err)
			}
			h.assertBreak(m, "Baño")
		})
		if tc.motive != "" {
			continue
		}
		t.Run("end/"+tc.name, func(t *testing.T) {
			h := newHarness(t, fake.Variant{})
			m := h.loggedInAgent()
			if err := m.StartBreak(context.Background(), motive); err != nil {
				t.Fatal(err)
			}
			since := m.Snapshot().Break.Since
			fault := tc.fault
			fault.Times = 1
			h.srv.Inject(ucontact.PathAgentUnBreak, fault)
			short, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			err := m.EndBreak(short)
			if err == nil || !tc.is(err) {
				t.Fatalf("EndBreak = %v", err)
			}
			if tc.is(ucontact.ErrRefused) {
				if code := ErrorCode(err); code != CodeBreakEndRefused.With(motive) {
					t.Errorf("code %q", code)
				}
			}
			h.assertBreak(m, motive)
			if got := m.Snapshot().Break.Since; !got.Equal(since) {
				t.Errorf("the break began at %v, now %v", since, got)
			}
			if err := m.EndBreak(context.Background()); err != nil {
				t.Fatalf("EndBreak after the failure: %v", err)
			}
			h.assertBreak(m, "")
		})
	}
}

// A server without break calls is remembered for the session, so that the
// app can stop offering breaks there; it is not asked again.
func TestServerWithoutBreaks(t *testing.T) {
	h := newHarness(t, fake.Variant{})
	m := h.loggedInAgent()
	ctx := context.Background()
	h.srv.Inject(ucontact.PathAgentBreak, fake.Fault{Status: 404})
	if err := m.StartBreak(ctx, "Almuerzo"); !errors.Is(err, ucontact.ErrNoBreaks) {
		t.Fatalf("StartBreak = %v, want ErrNoBreaks", err)
	}
	if s := m.Snapshot(); !s.NoBreaks || s.Break != nil || s.State != LoggedIn || s.LastError != nil {
		t.Fatalf("snapshot %+v", s)
	}
	if err := m.StartBreak(ctx, "Baño"); !errors.Is(err, ucontact.ErrNoBreaks) {
		t.Errorf("second StartBreak = %v", err)
	}
	if n := len(h.srv.RequestsTo(ucontact.PathAgentBreak)); n != 1 {
		t.Errorf("%d AgentBreak requests, want 1", n)
	}
	m.Close()
	m = h.open(HolderResident, Backoff{})
	if s := m.Snapshot(); !s.NoBreaks {
		t.Error("a new manager forgot that the server has no breaks")
	}

	// The next session asks again.
	if err := m.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	h.srv.ClearFaults()
	if err := m.Login(ctx, h.request(KindAgent)); err != nil {
		t.Fatal(err)
	}
	if m.Snapshot().NoBreaks {
		t.Error("a new session inherited NoBreaks")
	}
	if err := m.StartBreak(ctx, "Almuerzo"); err != nil {
		t.Fatalf("StartBreak in the next session: %v", err)
	}
}

// A break call that finds the session over on the server (401) is the end
// of the session, as a logout that finds it over is.
func TestBreakCallFindsTheSessionOver(t *testing.T) {
	for _, path := range []string{ucontact.PathAgentBreak, ucontact.PathAgentUnBreak} {
		t.Run(path, func(t *testing.T) {
			h := newHarness(t, fake.Variant{})
			m := h.loggedInAgent()
			ctx := context.Background()
			call := func() error { return m.StartBreak(ctx, "Almuerzo") }
			if path == ucontact.PathAgentUnBreak {
				if err := call(); err != nil {
					t.Fatal(err)
				}
				call = func() error { return m.EndBreak(ctx) }
			}
			h.srv.Inject(path, fake.Fault{Status: 401, Times: 1})
			err := call()
			if !errors.Is(err, ucontact.ErrSessionOver) {
				t.Fatalf("call = %v, want ErrSessionOver", err)
			}
			s := m.Snapshot()
			if s.State != LoggedOut || s.Break != nil || !errors.Is(s.LastError, ucontact.ErrSessionOver) {
				t.Fatalf("snapshot %+v", s)
			}
			h.assertClean()
			if n := len(h.srv.RequestsTo(ucontact.PathAgentLogoff)); n != 0 {
				t.Errorf("%d logoffs of a session the server had ended", n)
			}
			if err := m.Logout(ctx); !errors.Is(err, ErrNotLoggedIn) {
				t.Errorf("Logout = %v", err)
			}
		})
	}
}

// A restarted app shows the break it left, and can end it.
func TestBreakSurvivesARestart(t *testing.T) {
	h := newHarness(t, fake.Variant{})
	m := h.loggedInAgent()
	if err := m.StartBreak(context.Background(), "Capacitación"); err != nil {
		t.Fatal(err)
	}
	was := *m.Snapshot().Break
	m.Close()

	m = h.open(HolderResident, Backoff{})
	s := m.Snapshot()
	if s.State != LoggedIn || s.Break == nil || s.Break.Motive != was.Motive || !s.Break.Since.Equal(was.Since) {
		t.Fatalf("after a restart: %+v, want break %+v", s, was)
	}
	if err := m.EndBreak(context.Background()); err != nil {
		t.Fatalf("EndBreak after a restart: %v", err)
	}
	h.assertBreak(m, "")
}

// A record written before breaks existed reads as a session on no break.
func TestRecordWithoutBreakIsNoBreak(t *testing.T) {
	dir := t.TempDir()
	old := `{"server": "https://acme.ucontactcloud.com", "user": "ana", "kind": "agent",
		"since": "2024-05-02T09:00:00Z", "extension": "1001", "holder": "resident"}`
	if err := os.WriteFile(recordPath(dir), []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	rec, err := loadRecord(dir)
	if err != nil || rec == nil || rec.Break != nil || rec.NoBreaks {
		t.Fatalf("record %+v, %v", rec, err)
	}
}

// The server ends a break with the session: a logout, done or pending,
// leaves none.
func TestLogoutEndsTheBreak(t *testing.T) {
	t.Run("done", func(t *testing.T) {
		h := newHarness(t, fake.Variant{})
		m := h.loggedInAgent()
		if err := m.StartBreak(context.Background(), "Almuerzo"); err != nil {
			t.Fatal(err)
		}
		if err := m.Logout(context.Background()); err != nil {
			t.Fatal(err)
		}
		if s := m.Snapshot(); s.Break != nil {
			t.Errorf("logged out on a break: %+v", s)
		}
		if motive, _, on := h.srv.Break(user); on {
			t.Errorf("the server still has the break %q", motive)
		}
		h.assertClean()
	})
	t.Run("pending", func(t *testing.T) {
		h := newHarness(t, fake.Variant{})
		m := h.loggedInAgent()
		if err := m.StartBreak(context.Background(), "Almuerzo"); err != nil {
			t.Fatal(err)
		}
		h.srv.Inject(ucontact.PathAgentLogoff, fake.Fault{Status: 503, Times: 1})
		if err := m.Logout(context.Background()); err == nil {
			t.Fatal("Logout succeeded against a failing server")
		}
		if s := m.Snapshot(); s.State != LogoutPending || s.Break != nil {
			t.Errorf("pending logout: %+v", s)
		}
		if rec, _ := loadRecord(h.dir); rec == nil || rec.Break != nil {
			t.Errorf("pending record %+v", rec)
		}
		if err := m.StartBreak(context.Background(), "Baño"); !errors.Is(err, ErrLogoutPending) {
			t.Errorf("StartBreak while the logout is pending = %v", err)
		}
		m.Close()
		if s := h.open(HolderResident, Backoff{}).Snapshot(); s.State != LogoutPending || s.Break != nil {
			t.Errorf("pending logout after a restart: %+v", s)
		}
	})
}

// announcing makes calls to path wait for ever (until given up) and says
// on the returned channel when one reached the server.
func (h *harness) announcing(path string) <-chan struct{} {
	arrived := make(chan struct{}, 1)
	h.srv.SetFaultFunc(func(p string) (fake.Fault, bool) {
		if p != path {
			return fake.Fault{}, false
		}
		select {
		case arrived <- struct{}{}:
		default:
		}
		return fake.Fault{Latency: time.Minute}, true
	})
	return arrived
}

// A logout is never held up by a break call: it gives the call up and ends
// the session, which ends its break.
func TestLogoutGivesUpABreakCall(t *testing.T) {
	for _, end := range []bool{false, true} {
		t.Run(fmt.Sprintf("end=%v", end), func(t *testing.T) {
			h := newHarness(t, fake.Variant{})
			m := h.loggedInAgent()
			ctx := context.Background()
			call, path := func() error { return m.StartBreak(ctx, "Almuerzo") }, ucontact.PathAgentBreak
			if end {
				if err := call(); err != nil {
					t.Fatal(err)
				}
				call, path = func() error { return m.EndBreak(ctx) }, ucontact.PathAgentUnBreak
			}
			arrived := h.announcing(path)
			result := make(chan error, 1)
			go func() { result <- call() }()
			<-arrived

			if err := m.StartBreak(ctx, "Baño"); !errors.Is(err, ErrBusy) {
				t.Errorf("StartBreak during a break call = %v, want ErrBusy", err)
			}
			if err := m.Login(ctx, h.request(KindAgent)); !errors.Is(err, ErrBusy) {
				t.Errorf("Login during a break call = %v, want ErrBusy", err)
			}
			if err := m.Logout(ctx); err != nil {
				t.Fatalf("Logout: %v", err)
			}
			if err := <-result; !errors.Is(err, context.Canceled) {
				t.Errorf("the break call = %v, want it cancelled", err)
			}
			if s := m.Snapshot(); s.State != LoggedOut || s.Break != nil {
				t.Errorf("snapshot %+v", s)
			}
			h.assertEndedOnce(KindAgent)
			h.assertClean()
		})
	}
}

// A break call during a logout is busy; after it, there is no session.
func TestBreakDuringLogout(t *testing.T) {
	h := newHarness(t, fake.Variant{})
	m := h.loggedInAgent()
	ctx := context.Background()
	if err := m.StartBreak(ctx, "Almuerzo"); err != nil {
		t.Fatal(err)
	}
	h.srv.Inject(ucontact.PathAgentLogoff, fake.Fault{Latency: 200 * time.Millisecond, Times: 1})
	done := make(chan error, 1)
	go func() { done <- m.Logout(ctx) }()
	waitState(t, m, LoggingOut)
	errs := runConcurrently(4, func() error { return m.StartBreak(ctx, "Baño") })
	errs = append(errs, runConcurrently(4, func() error { return m.EndBreak(ctx) })...)
	for _, err := range errs {
		if !errors.Is(err, ErrBusy) {
			t.Errorf("break call during a logout = %v, want ErrBusy", err)
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := m.StartBreak(ctx, "Baño"); !errors.Is(err, ErrNotLoggedIn) {
		t.Errorf("StartBreak after the logout = %v", err)
	}
	if n := len(h.srv.RequestsTo(ucontact.PathAgentBreak)); n != 1 {
		t.Errorf("%d AgentBreak requests, want 1", n)
	}
	h.assertEndedOnce(KindAgent)
	h.assertClean()
}

// A refused break crosses processes with its motive, and is still a
// refusal.
func TestRefusedBreakCrossesProcesses(t *testing.T) {
	for _, end := range []bool{false, true} {
		err := fmt.Errorf("x: %w", &BreakRefusedError{Motive: "Baño: corto", End: end, Err: ucontact.ErrRefused})
		back := ErrorFromCode(ErrorCode(err), err.Error())
		be, ok := errors.AsType[*BreakRefusedError](back)
		if !ok || be.Motive != "Baño: corto" || be.End != end || !errors.Is(back, ucontact.ErrRefused) {
			t.Errorf("end=%v: came back as %#v", end, back)
		}
	}
}
