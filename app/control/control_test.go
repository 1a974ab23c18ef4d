package control

import (
	"bufio"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"ucontact-tray/internal/settings"
	"ucontact-tray/internal/testenv"
	"ucontact-tray/session"
	"ucontact-tray/session/secrets"
	"ucontact-tray/session/secrets/secretstest"
	"ucontact-tray/session/ucontact"
	"ucontact-tray/session/ucontact/fake"
)

// managerHandler serves a real session manager, as the resident does.
type managerHandler struct {
	m     *session.Manager
	shows atomic.Int32
	quits atomic.Int32

	mu       sync.Mutex
	settings []SettingsRequest
}

func (h *managerHandler) Login(ctx context.Context, r LoginRequest) error {
	return h.m.Login(ctx, session.LoginRequest{Server: r.Server, User: r.User, Password: r.Password, Kind: session.Kind(r.Kind)})
}
func (h *managerHandler) CancelLogin()                     { h.m.CancelLogin() }
func (h *managerHandler) Logout(ctx context.Context) error { return h.m.Logout(ctx) }
func (h *managerHandler) Snapshot() session.Snapshot       { return h.m.Snapshot() }
func (h *managerHandler) Subscribe() (<-chan session.Snapshot, func()) {
	return h.m.Subscribe()
}
func (h *managerHandler) StartBreak(ctx context.Context, motive string) error {
	return h.m.StartBreak(ctx, motive)
}
func (h *managerHandler) EndBreak(ctx context.Context) error { return h.m.EndBreak(ctx) }
func (h *managerHandler) Show() error                        { h.shows.Add(1); return nil }
func (h *managerHandler) Info(context.Context) Info          { return Info{User: "ana", Version: "test"} }
func (h *managerHandler) Quit()                              { h.quits.Add(1) }

// ChangeSettings takes any change but turning autostart off, which it says
// the administrator locked.
func (h *managerHandler) ChangeSettings(_ context.Context, req SettingsRequest) error {
	h.mu.Lock()
	h.settings = append(h.settings, req)
	h.mu.Unlock()
	if req.Autostart != nil && !*req.Autostart {
		return &settings.LockedError{Setting: settings.KeyAutostart}
	}
	return nil
}

type rig struct {
	srv    *fake.Server
	client *Client
	server *Server
	h      *managerHandler
	dir    string
	log    *testenv.Buffer
	// stop stops the server, as the resident does when it quits, and
	// returns Serve's error.
	stop func() error
}

func newRig(t *testing.T) *rig {
	t.Helper()
	srv := fake.NewDemo()
	if _, err := srv.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	state := t.TempDir()
	m, err := session.Open(context.Background(), session.Config{
		Dir:     state,
		Secrets: secrets.NewStore(&secretstest.Memory{}, state),
		Client: func(u *url.URL) *ucontact.Client {
			return ucontact.NewClient(u, ucontact.Options{CallTimeout: 2 * time.Second})
		},
		Holder: session.HolderResident,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	dir := shortDir(t)
	l, err := Listen(dir)
	if err != nil {
		t.Fatal(err)
	}
	logBuf := &testenv.Buffer{}
	h := &managerHandler{m: m}
	server := NewServer(h, slog.New(slog.NewTextHandler(logBuf, &slog.HandlerOptions{Level: slog.LevelDebug})), nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- server.Serve(ctx, l) }()
	stop := sync.OnceValue(func() error {
		cancel()
		return <-done
	})
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("Serve: %v", err)
		}
		l.Close()
	})
	return &rig{srv: srv, client: NewClient(SocketPath(dir)), server: server, h: h, dir: dir, log: logBuf, stop: stop}
}

// shortDir keeps the socket path under the 108-byte limit.
func shortDir(t testing.TB) string {
	dir, err := os.MkdirTemp("", "uctc")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return filepath.Join(dir, "ucontact-tray")
}

func TestLoginStatusLogoutOverTheSocket(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	st, err := r.client.Login(ctx, LoginRequest{Server: r.srv.URL(), User: fake.DemoUser, Password: fake.DemoPassword, Kind: "agent"})
	if err != nil || st.State != "logged-in" || st.Kind != "agent" || st.Extension == "" {
		t.Fatalf("Login = %+v, %v", st, err)
	}
	if st, err := r.client.Status(ctx); err != nil || st.User != fake.DemoUser || st.Since == nil {
		t.Fatalf("Status = %+v, %v", st, err)
	}
	if st, err := r.client.Logout(ctx); err != nil || st.State != "logged-out" {
		t.Fatalf("Logout = %+v, %v", st, err)
	}
	if s := r.srv.Sessions(); len(s) != 1 || s[0].Ended != 1 {
		t.Fatalf("server sessions %+v", s)
	}
	// Errors arrive as the same kind of error.
	if _, err := r.client.Logout(ctx); !errors.Is(err, session.ErrNotLoggedIn) {
		t.Errorf("second Logout = %v, want ErrNotLoggedIn", err)
	}
	_, err = r.client.Login(ctx, LoginRequest{Server: r.srv.URL(), User: fake.DemoUser, Password: "wrong", Kind: "user"})
	if !errors.Is(err, ucontact.ErrWrongCredentials) {
		t.Errorf("Login with a wrong password = %v", err)
	}
	if strings.Contains(r.log.String(), fake.DemoPassword) || strings.Contains(r.log.String(), "wrong") {
		t.Errorf("a password reached the log:\n%s", r.log.String())
	}
}

// A client gives up a slow login: the client waiting for it is answered at
// once, with the cancel, and the session the server opens anyway is ended.
func TestCancelLoginOverTheSocket(t *testing.T) {
	r := newRig(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events, err := r.client.Watch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	next(t, events) // logged out
	r.srv.Inject(ucontact.PathGetUserToken, fake.Fault{Latency: 500 * time.Millisecond, Times: 1})
	type outcome struct {
		st  Status
		err error
	}
	login := make(chan outcome, 1)
	go func() {
		st, err := r.client.Login(ctx, LoginRequest{Server: r.srv.URL(), User: fake.DemoUser, Password: fake.DemoPassword, Kind: "user"})
		login <- outcome{st, err}
	}()
	for e := next(t, events); e.Status == nil || e.Status.State != "logging-in"; e = next(t, events) {
	}

	st, err := r.client.CancelLogin(ctx)
	if err != nil || st.State != "logged-out" || st.LastErrorCode != session.CodeLoginCancelled {
		t.Fatalf("CancelLogin = %+v, %v; want logged out, cancelled", st, err)
	}
	got := <-login
	if !errors.Is(got.err, session.ErrLoginCancelled) || got.st.State != "logged-out" {
		t.Fatalf("Login = %+v, %v; want logged out, ErrLoginCancelled", got.st, got.err)
	}
	if e := next(t, events); e.Status == nil || e.Status.State != "logged-out" {
		t.Fatalf("event %+v, want logged out", e)
	}
	for _, req := range r.srv.RequestsTo(ucontact.PathGetUserToken) {
		if !req.Answered.IsZero() {
			t.Error("the clients were answered only after the server")
		}
	}
	// The server opens the session after all: it is ended, out of sight.
	actx, acancel := context.WithTimeout(ctx, 10*time.Second)
	defer acancel()
	err = r.srv.Await(actx, func() bool {
		s := r.srv.Sessions()
		return len(s) == 1 && s[0].Ended == 1
	})
	if err != nil {
		t.Fatalf("the session opened after the cancel is not ended: %+v", r.srv.Sessions())
	}
	// A logout waits for the login's end: there is no session left.
	if _, err := r.client.Logout(ctx); !errors.Is(err, session.ErrNotLoggedIn) {
		t.Errorf("Logout = %v, want ErrNotLoggedIn", err)
	}
	// Nothing to give up now: the status as it is.
	if st, err := r.client.CancelLogin(ctx); err != nil || st.State != "logged-out" {
		t.Errorf("CancelLogin with no login = %+v, %v", st, err)
	}
}

func TestWatchStreamsChangesAndRaises(t *testing.T) {
	r := newRig(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events, err := r.client.Watch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	first := next(t, events)
	if first.Status == nil || first.Status.State != "logged-out" {
		t.Fatalf("first event %+v", first)
	}
	go r.client.Login(context.Background(), LoginRequest{Server: r.srv.URL(), User: fake.DemoUser, Password: fake.DemoPassword, Kind: "user"}) //nolint:errcheck
	for {
		e := next(t, events)
		if e.Status != nil && e.Status.State == "logged-in" {
			break
		}
	}
	waitFor(t, func() bool { return r.server.Raise() })
	for e := next(t, events); !e.Raise; e = next(t, events) {
	}
	cancel()
	for range events { // drains, then closes
	}
	waitFor(t, func() bool { return !r.server.Raise() })
}

// The window follows the tray: a watch stream starts with the tray as it
// is, and hears of each change.
func TestWatchFollowsTheTray(t *testing.T) {
	r := newRig(t)
	r.server.SetNoTray("no-host")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events, err := r.client.Watch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if first := next(t, events); first.Status == nil || first.NoTray == nil || *first.NoTray != "no-host" {
		t.Fatalf("first event %+v, want the status and the tray (no-host)", first)
	}
	for _, want := range []string{"", "no-host"} {
		r.server.SetNoTray(want)
		e := next(t, events)
		if e.NoTray == nil || *e.NoTray != want {
			t.Fatalf("event %+v, want the tray %q", e, want)
		}
	}
}

// When the resident stops, a watch stream's last event says so, for the
// window to take the stream's end for the quit it is; a stream that ends
// without it is a resident gone.
func TestWatchSaysTheResidentQuits(t *testing.T) {
	r := newRig(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events, err := r.client.Watch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if first := next(t, events); first.Status == nil || first.Quitting {
		t.Fatalf("first event %+v, want the status", first)
	}
	if err := r.stop(); err != nil {
		t.Fatalf("Serve: %v", err)
	}
	if last := next(t, events); !last.Quitting || last.Status != nil {
		t.Errorf("last event %+v, want Quitting alone", last)
	}
	if e, ok := <-events; ok {
		t.Errorf("an event after Quitting: %+v", e)
	}
}

func TestShowInfoQuit(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	if err := r.client.Show(ctx); err != nil || r.h.shows.Load() != 1 {
		t.Fatalf("Show = %v (%d calls)", err, r.h.shows.Load())
	}
	if info, err := r.client.Info(ctx); err != nil || info.User != "ana" {
		t.Fatalf("Info = %+v, %v", info, err)
	}
	if err := r.client.Quit(ctx); err != nil {
		t.Fatalf("Quit = %v", err)
	}
	// The server answers before it quits: it stops serving as it does.
	for deadline := time.Now().Add(5 * time.Second); r.h.quits.Load() != 1; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d quits, want 1", r.h.quits.Load())
		}
	}
}

func TestChangeSettings(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	on, off := true, false
	if err := r.client.ChangeSettings(ctx, SettingsRequest{Autostart: &on}); err != nil {
		t.Fatalf("turning autostart on: %v", err)
	}
	// The presets' error crosses the socket as its code.
	err := r.client.ChangeSettings(ctx, SettingsRequest{Autostart: &off})
	if code := session.ErrorCode(err); code.Kind() != session.CodeLocked || settings.LockedFromArg(code.Arg()).Setting != settings.KeyAutostart {
		t.Fatalf("turning autostart off = %v (code %q), want the LockedError's", err, code)
	}
	r.h.mu.Lock()
	defer r.h.mu.Unlock()
	if len(r.h.settings) != 2 || !*r.h.settings[0].Autostart || *r.h.settings[1].Autostart {
		t.Errorf("the resident got %+v", r.h.settings)
	}
}

func TestOneResidentPerUser(t *testing.T) {
	dir := shortDir(t)
	l, err := Listen(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Listen(dir); !errors.Is(err, ErrAlreadyRunning) {
		t.Fatalf("second Listen = %v, want ErrAlreadyRunning", err)
	}
	fi, err := os.Stat(SocketPath(dir))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("socket mode %v, %v", fi.Mode().Perm(), err)
	}
	di, _ := os.Stat(dir)
	if di.Mode().Perm() != 0o700 {
		t.Errorf("socket directory mode %v", di.Mode().Perm())
	}
	l.Close()
	// Once it is gone, another can start, even over a stale socket file.
	if err := os.WriteFile(SocketPath(dir), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	l2, err := Listen(dir)
	if err != nil {
		t.Fatalf("Listen after the first closed: %v", err)
	}
	l2.Close()
}

func TestNoResident(t *testing.T) {
	c := NewClient(SocketPath(shortDir(t)))
	if _, err := c.Status(context.Background()); !errors.Is(err, ErrNoResident) {
		t.Fatalf("Status = %v, want ErrNoResident", err)
	}
}

// slowClose is a listener whose Close, once it has stopped the accepting,
// takes until Accept has returned: as removing a socket file can.
type slowClose struct {
	net.Listener
	acceptEnded chan struct{}
	closeDone   atomic.Bool
}

func (l *slowClose) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		close(l.acceptEnded)
	}
	return c, err
}

func (l *slowClose) Close() error {
	err := l.Listener.Close()
	<-l.acceptEnded
	l.closeDone.Store(true)
	return err
}

// When Serve returns, the listener is closed, socket file and all: a
// resident started next must not have its socket removed.
func TestServeReturnsOnceTheListenerIsClosed(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := &slowClose{Listener: inner, acceptEnded: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := NewServer(&managerHandler{}, slog.New(slog.DiscardHandler), nil).Serve(ctx, l); err != nil {
		t.Fatalf("Serve = %v", err)
	}
	if !l.closeDone.Load() {
		t.Error("Serve returned while its listener was still closing")
	}
}

func TestMalformedRequestsDoNotStopTheServer(t *testing.T) {
	r := newRig(t)
	for _, raw := range []string{"not json\n", `{"op":"nope"}` + "\n", `{"op":"login"}` + "\n", strings.Repeat("x", maxRequest+10)} {
		resp, err := rawCall(SocketPath(r.dir), raw)
		if err == nil && !strings.Contains(resp, "error") {
			t.Errorf("%.20q answered %q", raw, resp)
		}
	}
	if _, err := r.client.Status(context.Background()); err != nil {
		t.Fatalf("server dead after bad requests: %v", err)
	}
}

func TestStatusRoundTrip(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	s := session.Snapshot{
		State: session.LogoutPending, User: "ana", Server: "https://acme.ucontactcloud.com", Kind: session.KindAgent,
		Since: now, Extension: "1001", PendingSince: now, Attempts: 3, NextRetry: now.Add(time.Minute),
		TokenFile: "/x.token", LastError: &ucontact.StatusError{Op: "AgentLogoff", Status: 502},
		Warning: session.ErrPasswordNotSaved, Break: &session.Break{Motive: "Almuerzo", Since: now}, NoBreaks: true,
	}
	back := StatusOf(s).Snapshot()
	if back.State != s.State || back.User != s.User || back.Extension != s.Extension || !back.Since.Equal(s.Since) ||
		back.Attempts != 3 || !back.NextRetry.Equal(s.NextRetry) || back.TokenFile != s.TokenFile ||
		back.Break == nil || *back.Break != *s.Break || back.Break == s.Break || !back.NoBreaks {
		t.Errorf("came back as %+v", back)
	}
	var se *ucontact.StatusError
	if !errors.As(back.LastError, &se) || se.Status != 502 || !errors.Is(back.Warning, session.ErrPasswordNotSaved) {
		t.Errorf("errors came back as %v / %v", back.LastError, back.Warning)
	}
	if st := StatusOf(session.Snapshot{}); st.State != "logged-out" || st.Since != nil || st.SecretStore != "" {
		t.Errorf("logged out: %+v", st)
	}
}

func next(t *testing.T, events <-chan Event) Event {
	t.Helper()
	select {
	case e, ok := <-events:
		if !ok {
			t.Fatal("watch stream closed")
		}
		return e
	case <-time.After(5 * time.Second):
		t.Fatal("no event in 5 s")
	}
	return Event{}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 5 s")
		}
	}
}

// rawCall sends raw bytes and reads one answer line.
func rawCall(path, raw string) (string, error) {
	conn, err := net.Dial("unix", path)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second)) //nolint:errcheck
	if _, err := conn.Write([]byte(raw)); err != nil {
		return "", err
	}
	return bufio.NewReader(conn).ReadString('\n')
}

// A tray app that takes the connection but never answers is named as such:
// not as the uContact server's timeout, which the user would chase
// instead.
func TestUnansweredCall(t *testing.T) {
	dir := shortDir(t)
	l, err := Listen(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			defer conn.Close() // held open, never answered
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err = NewClient(SocketPath(dir)).Status(ctx)
	if !errors.Is(err, ErrNotAnswering) || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Status = %v, want ErrNotAnswering and no deadline", err)
	}
	if code := session.ErrorCode(err); code == session.CodeTimeout {
		t.Errorf("classified as the server's %q", code)
	}
	// A caller that gave up gets its own context's error.
	cctx, ccancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, ccancel)
	if _, err := NewClient(SocketPath(dir)).Status(cctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Status after cancel = %v, want context.Canceled", err)
	}
}

// An agent goes on a break and comes back over the socket: the status
// follows the server, and each refusal arrives as the same kind of error.
func TestBreaksOverTheSocket(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	if _, err := r.client.Login(ctx, LoginRequest{Server: r.srv.URL(), User: fake.DemoUser, Password: fake.DemoPassword, Kind: "agent"}); err != nil {
		t.Fatal(err)
	}
	st, err := r.client.StartBreak(ctx, "Almuerzo")
	if err != nil || st.Break == nil || st.Break.Motive != "Almuerzo" || st.Break.Since.IsZero() || st.NoBreaks {
		t.Fatalf("StartBreak = %+v, %v", st, err)
	}
	if motive, _, ok := r.srv.Break(fake.DemoUser); !ok || motive != "Almuerzo" {
		t.Fatalf("the server has the agent on break %q (%v)", motive, ok)
	}
	if st, err := r.client.Status(ctx); err != nil || st.Break == nil || st.Break.Motive != "Almuerzo" {
		t.Fatalf("Status on a break = %+v, %v", st, err)
	}
	if _, err := r.client.StartBreak(ctx, "Baño"); !errors.Is(err, session.ErrOnBreak) {
		t.Errorf("StartBreak on a break = %v, want ErrOnBreak", err)
	}
	st, err = r.client.EndBreak(ctx)
	if err != nil || st.Break != nil {
		t.Fatalf("EndBreak = %+v, %v", st, err)
	}
	if _, _, ok := r.srv.Break(fake.DemoUser); ok {
		t.Fatal("the server still has the agent on a break")
	}
	if _, err := r.client.EndBreak(ctx); !errors.Is(err, session.ErrNotOnBreak) {
		t.Errorf("EndBreak off a break = %v, want ErrNotOnBreak", err)
	}

	_, err = r.client.StartBreak(ctx, "Inexistente")
	if be, ok := errors.AsType[*session.BreakRefusedError](err); !ok || be.Motive != "Inexistente" || be.End || !errors.Is(err, ucontact.ErrRefused) {
		t.Errorf("StartBreak with a motive the tenant lacks = %v, want a BreakRefusedError of it", err)
	}
	for _, motive := range []string{"", " "} {
		if _, err := r.client.StartBreak(ctx, motive); !errors.Is(err, ucontact.ErrNoMotive) {
			t.Errorf("StartBreak(%q) = %v, want ErrNoMotive", motive, err)
		}
	}
	// A request without its break is one without a motive.
	if resp, err := rawCall(SocketPath(r.dir), `{"op":"break"}`+"\n"); err != nil || !strings.Contains(resp, `"code":"`+string(session.CodeNoMotive)+`"`) {
		t.Errorf("a break request without a break: %q, %v", resp, err)
	}

	r.srv.Inject(ucontact.PathAgentBreak, fake.Fault{Status: 404})
	st, err = r.client.StartBreak(ctx, "Almuerzo")
	if !errors.Is(err, ucontact.ErrNoBreaks) || !st.NoBreaks || st.Break != nil {
		t.Errorf("StartBreak on a server without breaks = %+v, %v; want ErrNoBreaks and no_breaks", st, err)
	}

	if _, err := r.client.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := r.client.Login(ctx, LoginRequest{Server: r.srv.URL(), User: fake.DemoUser, Password: fake.DemoPassword, Kind: "user"}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.client.StartBreak(ctx, "Almuerzo"); !errors.Is(err, session.ErrNotAgent) {
		t.Errorf("StartBreak in a user session = %v, want ErrNotAgent", err)
	}
	if n := len(r.srv.RequestsTo(ucontact.PathAgentBreak)); n != 3 {
		t.Errorf("%d AgentBreak calls reached the server, want 3 (Almuerzo, Inexistente, the 404)", n)
	}
}
