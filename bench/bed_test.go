//go:build bench

package bench

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"ucontact-tray/app/control"
	"ucontact-tray/internal/testenv"
	"ucontact-tray/session/ucontact/fake"
)

// logindDelay is the fake logind's InhibitDelayMaxUSec, systemd's default.
const logindDelay = 5 * time.Second

// floors are the floor programs, built here with the flags of the program
// each stands for, so that only the code differs.
type floors struct {
	systray, fyne string
}

func buildFloors(t *testing.T) floors {
	return floors{
		systray: goBuild(t, "ucontact-tray/bench/floor/systray", "floor-systray", "CGO_ENABLED=0"),
		fyne:    goBuild(t, "ucontact-tray/bench/floor/fyne", "floor-fyne", "CGO_ENABLED=1"),
	}
}

func goBuild(t *testing.T, pkg, name string, env ...string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), name)
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", out, pkg)
	cmd.Env = append(os.Environ(), env...)
	// A cold cgo build of the Fyne floor takes minutes.
	testenv.Output(t, 15*time.Minute, cmd)
	return out
}

// bed is the desktop everything runs on: a display whose pixels the bench
// can read, a session bus with a keyring, a notification server and a tray
// host, a system bus with a fake logind, and the fake uContact server over
// plain HTTP and over TLS with a certificate from a private CA.
type bed struct {
	t       *testing.T
	bus     string
	system  string
	logind  *testenv.FakeLogind
	display string
	fb      *testenv.Framebuffer
	watcher *testenv.Watcher
	plain   *fake.Server
	tls     *fake.Server
	ca      *testenv.CA
}

func newBed(t *testing.T) *bed {
	b := &bed{t: t, bus: testenv.StartBus(t), system: testenv.StartBus(t)}
	testenv.StartNotifications(t, b.bus)
	testenv.StartKeyring(t, b.bus)
	b.watcher = testenv.StartWatcher(t, b.bus)
	b.logind = testenv.StartFakeLogind(t, b.system, logindDelay)
	b.display, b.fb = testenv.StartXvfbFramebuffer(t)
	b.plain = b.startServer(func(s *fake.Server) (string, error) { return s.Listen("127.0.0.1:0") })
	b.ca = testenv.NewCA(t)
	cert := b.ca.ServerCert(t)
	b.tls = b.startServer(func(s *fake.Server) (string, error) { return s.ListenTLS("127.0.0.1:0", cert) })
	return b
}

func (b *bed) startServer(listen func(*fake.Server) (string, error)) *fake.Server {
	s := fake.New(fake.Variant{})
	s.AddUser(user, password)
	if _, err := listen(s); err != nil {
		b.t.Fatal(err)
	}
	b.t.Cleanup(func() { s.Close() })
	return s
}

// home is a fresh home for one process: a resident starts logged out,
// with no record or socket left by an earlier one.
func (b *bed) home() []string {
	home := b.t.TempDir()
	runtime, err := os.MkdirTemp("", "ucb") // short enough for a socket path
	if err != nil {
		b.t.Fatal(err)
	}
	b.t.Cleanup(func() { os.RemoveAll(runtime) })
	if err := os.Chmod(runtime, 0o700); err != nil {
		b.t.Fatal(err)
	}
	return []string{
		"HOME=" + home,
		"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"XDG_CACHE_HOME=" + filepath.Join(home, ".cache"),
		"XDG_DATA_HOME=" + filepath.Join(home, ".local", "share"),
		"XDG_RUNTIME_DIR=" + runtime,
		"UCONTACT_TRAY_SYSTEM_DIR=" + filepath.Join(home, "no-presets"),
		"DBUS_SESSION_BUS_ADDRESS=" + b.bus,
		"DBUS_SYSTEM_BUS_ADDRESS=" + b.system,
		"DISPLAY=" + b.display,
		"PATH=" + os.Getenv("PATH"),
		"LANG=es_ES.UTF-8",
		"NO_AT_BRIDGE=1",
		testenv.RunMark(),
	}
}

// proc is one running program.
type proc struct {
	t       *testing.T
	name    string
	env     []string
	cmd     *exec.Cmd
	out     *testenv.Buffer
	started time.Time
	done    chan struct{}
}

// start starts the program at path with args in a fresh home.
func (b *bed) start(path string, args ...string) *proc { return b.startIn(b.home(), path, args...) }

// startIn starts the program at path with args and env; it is killed, with
// anything it started, when the test ends.
func (b *bed) startIn(env []string, path string, args ...string) *proc {
	b.t.Helper()
	p := &proc{t: b.t, name: filepath.Base(path), env: env, out: &testenv.Buffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(path, args...)
	p.cmd.Env = env
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	p.cmd.WaitDelay = 2 * time.Second // a window shares its output
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	p.started = time.Now()
	if err := p.cmd.Start(); err != nil {
		b.t.Fatal(err)
	}
	go func() {
		p.cmd.Wait() //nolint:errcheck // how it ended does not matter here
		close(p.done)
	}()
	b.t.Cleanup(func() {
		p.kill()
		if b.t.Failed() {
			b.t.Logf("output of %s (pid %d):\n%s", p.name, p.pid(), p.out.String())
		}
	})
	return p
}

func (p *proc) pid() int { return p.cmd.Process.Pid }

func (p *proc) running() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// kill kills the program and anything it started, and waits for it.
func (p *proc) kill() {
	syscall.Kill(-p.pid(), syscall.SIGKILL) //nolint:errcheck // it may be gone
	<-p.done
}

// stop ends the program the way a session logout does (SIGTERM), and
// whatever it left behind after that.
func (p *proc) stop() {
	p.t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM) //nolint:errcheck // it may be gone
	select {
	case <-p.done:
	case <-time.After(stepTimeout):
		p.t.Fatalf("%s still running %v after SIGTERM:\n%s", p.name, stepTimeout, p.out.String())
	}
	syscall.Kill(-p.pid(), syscall.SIGKILL) //nolint:errcheck // a window, if any
}

// exited waits for the program to end by itself.
func (p *proc) exited() {
	p.t.Helper()
	select {
	case <-p.done:
	case <-time.After(stepTimeout):
		p.t.Fatalf("%s still running after %v:\n%s", p.name, stepTimeout, p.out.String())
	}
}

// waitItem waits for the next tray item to register with the watcher,
// checks that p serves it, and returns it with the time from p's start.
func (b *bed) waitItem(p *proc) (*testenv.Item, time.Duration) {
	b.t.Helper()
	item := b.watcher.WaitItem(b.t, startTimeout)
	took := time.Since(p.started)
	var pid uint32
	err := item.Conn.BusObject().Call("org.freedesktop.DBus.GetConnectionUnixProcessID", 0, item.Dest).Store(&pid)
	if err != nil {
		b.t.Fatalf("who serves %s: %v", item, err)
	}
	if int(pid) != p.pid() {
		b.t.Fatalf("%s is served by pid %d, not by %s (pid %d)", item, pid, p.name, p.pid())
	}
	return item, took
}

// startResident starts a resident in a fresh home, logged out, and waits
// for its tray; the login window it opens at start is closed, as after a
// login typed in it.
func (b *bed) startResident(app binaries, args ...string) *proc {
	b.t.Helper()
	res := b.start(app.resident, args...)
	b.waitItem(res)
	window := res.waitLog(`window started" pid=(\d+)`)
	pid, err := strconv.Atoi(window[1])
	if err != nil {
		b.t.Fatal(err)
	}
	syscall.Kill(pid, syscall.SIGKILL) //nolint:errcheck // it may have ended
	res.waitLog(`window closed|window process ended`)
	return res
}

// client talks to the resident as its window and commands do.
func (p *proc) client() *control.Client {
	p.t.Helper()
	return control.NewClient(socketPath(p.t, p))
}

// getenv reads p's environment.
func (p *proc) getenv(key string) string {
	for _, kv := range p.env {
		if k, v, _ := strings.Cut(kv, "="); k == key {
			return v
		}
	}
	return ""
}

// login logs the resident in to server through its control socket, as
// the window does, and returns how long the call took.
func (p *proc) login(server string) time.Duration {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
	defer cancel()
	began := time.Now()
	st, err := p.client().Login(ctx, control.LoginRequest{Server: server, User: user, Password: password, Kind: "user"})
	took := time.Since(began)
	if err != nil || st.State != "logged-in" {
		p.t.Fatalf("login to %s: %+v, %v\n%s", server, st, err, p.out.String())
	}
	return took
}

func (p *proc) logout() {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
	defer cancel()
	if st, err := p.client().Logout(ctx); err != nil || st.State != "logged-out" {
		p.t.Fatalf("logout: %+v, %v\n%s", st, err, p.out.String())
	}
}

func (p *proc) waitLog(re string) []string {
	p.t.Helper()
	rx := regexp.MustCompile(re)
	var m []string
	testenv.WaitFor(p.t, startTimeout, p.name+" to log "+re, func() bool {
		m = rx.FindStringSubmatch(p.out.String())
		return m != nil
	})
	return m
}
