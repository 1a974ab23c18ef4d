package resident

import (
	"context"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"ucontact-tray/app/control"
	"ucontact-tray/app/tray"
	"ucontact-tray/internal/i18n"
	"ucontact-tray/internal/settings"
	"ucontact-tray/internal/testenv"
	"ucontact-tray/session"
	"ucontact-tray/session/secrets/secretstest"
	"ucontact-tray/session/shutdown"
	"ucontact-tray/session/ucontact/fake"
)

const (
	testUser     = "ana"
	testPassword = "pw-de-ana"
)

// guard bounds every wait of these tests, so that a resident that hangs
// fails the test instead of stalling the run. It measures nothing.
const guard = 20 * time.Second

// fakeTray is a tray without a desktop: it is up at once, records what it
// is shown, and sends the menu's choices the test makes.
type fakeTray struct {
	up       chan struct{} // closed once the icon is up
	quitted  chan struct{} // closed by quit
	quitOnce sync.Once

	mu       sync.Mutex
	handlers trayHandlers
	shown    []tray.Model
	changed  chan struct{} // closed, and replaced, when a model is shown
}

func newFakeTray() *fakeTray {
	return &fakeTray{up: make(chan struct{}), quitted: make(chan struct{}), changed: make(chan struct{})}
}

// followHost: a tray host is there, and stays.
func (f *fakeTray) followHost(ctx context.Context, _ *slog.Logger, _ <-chan struct{}, _ func(context.Context)) (string, <-chan string) {
	changes := make(chan string)
	context.AfterFunc(ctx, func() { close(changes) })
	return "", changes
}

func (f *fakeTray) run(first tray.Model, h trayHandlers) {
	f.mu.Lock()
	f.handlers = h
	f.shown = append(f.shown, first)
	f.mu.Unlock()
	show := func(m tray.Model) error {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.shown = append(f.shown, m)
		close(f.changed)
		f.changed = make(chan struct{})
		return nil
	}
	h.Ready(show, show)
	close(f.up)
	<-f.quitted
}

func (f *fakeTray) quit() { f.quitOnce.Do(func() { close(f.quitted) }) }

// choose is the user choosing a in the tray's menu.
func (f *fakeTray) choose(a tray.Action) { f.chooseIn(tray.Choice{Action: a}) }

// chooseIn is the user choosing c, an entry of a submenu perhaps.
func (f *fakeTray) chooseIn(c tray.Choice) {
	f.mu.Lock()
	h := f.handlers
	f.mu.Unlock()
	h.Action(c)
}

// await waits until the tray shows a model that ok accepts, and returns
// it.
func (f *fakeTray) await(t *testing.T, what string, ok func(tray.Model) bool) tray.Model {
	t.Helper()
	timeout := time.After(guard)
	for {
		f.mu.Lock()
		last, changed := f.shown[len(f.shown)-1], f.changed
		f.mu.Unlock()
		if ok(last) {
			return last
		}
		select {
		case <-changed:
		case <-timeout:
			t.Fatalf("the tray never showed %s; last %+v", what, last)
		}
	}
}

// fakeWindows starts windows that run until they are asked to end.
type fakeWindows struct {
	mu      sync.Mutex
	started []*fakeWindow
	starts  chan struct{} // if not nil, receives one value per window started
}

func (f *fakeWindows) start(string) (windowProcess, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	w := &fakeWindow{ended: make(chan struct{})}
	f.started = append(f.started, w)
	if f.starts != nil {
		f.starts <- struct{}{}
	}
	return w, nil
}

// count is how many windows were started.
func (f *fakeWindows) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.started)
}

// running is how many of the windows started have not ended.
func (f *fakeWindows) running() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, w := range f.started {
		select {
		case <-w.ended:
		default:
			n++
		}
	}
	return n
}

type fakeWindow struct {
	once  sync.Once
	ended chan struct{}
}

func (w *fakeWindow) pid() int    { return 4242 }
func (w *fakeWindow) stop() error { w.once.Do(func() { close(w.ended) }); return nil }
func (w *fakeWindow) kill() error { return w.stop() }
func (w *fakeWindow) wait() error { <-w.ended; return nil }

// fakeNotices are the OS's notices, sent by the test.
type fakeNotices struct {
	ch chan shutdown.Notice

	mu     sync.Mutex
	closed bool
}

func (f *fakeNotices) Notices() <-chan shutdown.Notice { return f.ch }
func (f *fakeNotices) Hold(bool)                       {}
func (f *fakeNotices) Close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
}

// gatedAutostart is an autostart entry in memory whose Enable waits for
// gate to close, as a slow disk or registry would.
type gatedAutostart struct {
	gate <-chan struct{}

	mu      sync.Mutex
	enabled bool
	entered chan struct{} // closed once Enable is waiting
	once    sync.Once
}

func (a *gatedAutostart) Enable() error {
	a.once.Do(func() { close(a.entered) })
	<-a.gate
	a.mu.Lock()
	defer a.mu.Unlock()
	a.enabled = true
	return nil
}

func (a *gatedAutostart) Disable() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.enabled = false
	return nil
}

func (a *gatedAutostart) IsEnabled() (bool, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.enabled, nil
}

func (a *gatedAutostart) ForAllUsers() (bool, error) { return false, nil }

// harness is a resident run with fakes for the desktop, a fake uContact
// server on loopback and a keyring in memory.
type harness struct {
	t       *testing.T
	srv     *fake.Server
	keyring *secretstest.Memory
	dir     string
	notes   *notes
	log     *testenv.Buffer
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	srv := fake.New(fake.Variant{})
	srv.AddUser(testUser, testPassword)
	if _, err := srv.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	h := &harness{
		t: t, srv: srv, keyring: &secretstest.Memory{}, dir: testenv.TempDir(t),
		notes: &notes{added: make(chan string, 16)}, log: &testenv.Buffer{},
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the resident's log:\n%s", h.log.String())
		}
	})
	return h
}

func (h *harness) stateDir() string { return filepath.Join(h.dir, "state") }

// running is one run of the resident.
type running struct {
	t       *testing.T
	h       *harness
	tray    *fakeTray
	windows *fakeWindows
	notices *fakeNotices
	client  *control.Client
	done    chan error // Run's result
}

// start runs a resident, and returns once its tray is up: the control
// socket then answers.
func (h *harness) start(change func(*Config)) *running {
	h.t.Helper()
	cfg := Config{
		StateDir:  h.stateDir(),
		SocketDir: filepath.Join(h.dir, "run"),
		Keyring:   h.keyring,
		Version:   "test",
		Msg:       i18n.MustNew(i18n.Spanish),
		Log:       slog.New(slog.NewTextHandler(h.log, nil)),
		Notifier:  h.notes,
		Window:    "ucontact-tray-window",
	}
	if change != nil {
		change(&cfg)
	}
	r := &running{
		t: h.t, h: h, tray: newFakeTray(), windows: &fakeWindows{starts: make(chan struct{}, 16)},
		notices: &fakeNotices{ch: make(chan shutdown.Notice)},
		client:  control.NewClient(control.SocketPath(cfg.SocketDir)),
		done:    make(chan error, 1),
	}
	desk := desktop{
		tray:        r.tray,
		startWindow: r.windows.start,
		watchOS:     func(context.Context, *slog.Logger) osNotices { return r.notices },
	}
	go func() { r.done <- run(context.Background(), cfg, desk) }()
	select {
	case <-r.tray.up:
	case err := <-r.done:
		h.t.Fatalf("Run returned before its tray was up: %v", err)
	case <-time.After(guard):
		h.t.Fatal("the tray never came up")
	}
	h.t.Cleanup(func() {
		select {
		case <-r.done:
			return
		default:
		}
		r.tray.choose(tray.ActionQuit)
		<-r.done
	})
	return r
}

// wait waits for Run to return, and checks that it stopped what it
// started.
func (r *running) wait() error {
	r.t.Helper()
	select {
	case err := <-r.done:
		r.done <- err // for the cleanup
		if n := r.windows.running(); n != 0 {
			r.t.Errorf("%d windows still running after Run returned", n)
		}
		r.notices.mu.Lock()
		closed := r.notices.closed
		r.notices.mu.Unlock()
		if !closed {
			r.t.Error("the OS's notices still followed after Run returned")
		}
		return err
	case <-time.After(guard):
		r.t.Fatal("Run did not return")
		return nil
	}
}

func (r *running) status() control.Status {
	r.t.Helper()
	st, err := r.client.Status(context.Background())
	if err != nil {
		r.t.Fatalf("Status: %v", err)
	}
	return st
}

// awaitState waits for the session to be in state, as the window learns
// of it: by watching.
func (r *running) awaitState(state session.State) {
	r.t.Helper()
	r.awaitStatus("the session "+state.String(), func(st control.Status) bool { return st.State == state.String() })
}

func (r *running) login(remember bool) {
	r.t.Helper()
	st, err := r.client.Login(context.Background(), control.LoginRequest{
		Server: r.h.srv.URL(), User: testUser, Password: testPassword, Kind: session.KindUser, Remember: remember,
	})
	if err != nil || st.State != session.LoggedIn.String() {
		r.t.Fatalf("Login = %+v, %v", st, err)
	}
}

// notice sends the OS's notice of kind, and returns what tells whether
// the OS was let go: it receives, then, how many sessions the server
// still had open.
func (r *running) notice(kind shutdown.Kind) <-chan int {
	r.t.Helper()
	released := make(chan int, 1)
	n := shutdown.NewNotice(kind, "test", time.Now().Add(guard), func() { released <- len(r.h.srv.OpenSessions()) })
	select {
	case r.notices.ch <- n:
	case <-time.After(guard):
		r.t.Fatalf("the %v notice was not taken", kind)
	}
	return released
}

func received[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(guard):
		t.Fatalf("no %s", what)
		var zero T
		return zero
	}
}

// Quitting ends the session and stops the resident; when Run returns,
// what it started has finished: the settings a login was still writing
// are written, the window is closed, the OS's notices are no longer
// followed.
func TestQuitWaitsForWhatTheResidentStarted(t *testing.T) {
	h := newHarness(t)
	// A login's choices are saved after its answer, and turn on starting
	// with the system. That is held until the resident is stopping: Run
	// could only return before it is saved if it did not wait.
	gate := make(chan struct{})
	auto := &gatedAutostart{gate: gate, entered: make(chan struct{})}
	r := h.start(func(c *Config) { c.Autostart = auto })
	go func() {
		<-r.tray.quitted
		close(gate)
	}()
	r.login(false)
	received(t, auto.entered, "saving of the login's choices")

	if err := r.client.Quit(context.Background()); err != nil {
		t.Fatalf("Quit: %v", err)
	}
	if err := r.wait(); err != nil {
		t.Fatalf("Run = %v", err)
	}
	s, err := settings.Load(h.stateDir())
	if err != nil || s.User != testUser || s.Server != h.srv.URL() || s.Autostart == nil || !*s.Autostart {
		t.Errorf("settings when Run returned: %+v, %v; want the login's, with autostart on", s, err)
	}
	if open := h.srv.OpenSessions(); len(open) != 0 {
		t.Errorf("sessions still open on the server after quitting: %+v", open)
	}
}

// Quit from the tray's menu when no session is open stops the resident at
// once.
func TestQuitFromTheTray(t *testing.T) {
	h := newHarness(t)
	r := h.start(nil)
	r.tray.choose(tray.ActionQuit)
	if err := r.wait(); err != nil {
		t.Fatalf("Run = %v", err)
	}
	if len(h.srv.Requests()) != 0 {
		t.Errorf("requests to the server: %+v", h.srv.Requests())
	}
}
