//go:build bench

package bench

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
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
	*testenv.Desktop
	t     *testing.T
	plain *fake.Server
	tls   *fake.Server
	ca    *testenv.CA
}

func newBed(t *testing.T) *bed {
	b := &bed{t: t, Desktop: testenv.StartDesktop(t, testenv.DesktopOptions{
		Keyring: true, Tray: true, Framebuffer: true, Logind: logindDelay,
	})}
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

// proc is one running program.
type proc struct {
	*testenv.Process
	t *testing.T
}

// start starts the program at path with args in a fresh home: a resident
// starts logged out, with no record or socket left by an earlier one.
func (b *bed) start(path string, args ...string) *proc {
	return b.startIn(b.Env(testenv.NewHome(b.t)), path, args...)
}

// startIn starts the program at path with args and env; it is killed, with
// anything it started, when the test ends.
func (b *bed) startIn(env []string, path string, args ...string) *proc {
	b.t.Helper()
	cmd := exec.Command(path, args...)
	cmd.Env = env
	return &proc{Process: testenv.StartProcess(b.t, cmd), t: b.t}
}

// waitItem waits for the next tray item to register with the watcher,
// checks that p serves it, and returns it with the time from p's start.
func (b *bed) waitItem(p *proc) (*testenv.Item, time.Duration) {
	b.t.Helper()
	item := b.Watcher.WaitItem(b.t, startTimeout)
	took := time.Since(p.Started)
	var pid uint32
	err := item.Conn.BusObject().Call("org.freedesktop.DBus.GetConnectionUnixProcessID", 0, item.Dest).Store(&pid)
	if err != nil {
		b.t.Fatalf("who serves %s: %v", item, err)
	}
	if int(pid) != p.PID() {
		b.t.Fatalf("%s is served by pid %d, not by %s (pid %d)", item, pid, p.Name, p.PID())
	}
	return item, took
}

// startResident starts a resident in a fresh home, logged out, and waits
// for its tray; the login window it opens at start is closed, as after a
// login typed in it.
func (b *bed) startResident(app binaries, args ...string) *proc {
	b.t.Helper()
	return b.startResidentIn(testenv.NewHome(b.t), app, args...)
}

// startResidentIn is startResident in home, which may hold settings.
func (b *bed) startResidentIn(home testenv.Home, app binaries, args ...string) *proc {
	b.t.Helper()
	res := b.startIn(b.Env(home), app.resident, args...)
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
		p.t.Fatalf("login to %s: %+v, %v\n%s", server, st, err, p.Output())
	}
	return took
}

func (p *proc) logout() {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
	defer cancel()
	if st, err := p.client().Logout(ctx); err != nil || st.State != "logged-out" {
		p.t.Fatalf("logout: %+v, %v\n%s", st, err, p.Output())
	}
}

func (p *proc) waitLog(re string) []string {
	p.t.Helper()
	return p.WaitLog(re, startTimeout)
}
