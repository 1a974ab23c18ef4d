//go:build e2e

package e2e

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"ucontact-tray/internal/testenv"
	"ucontact-tray/session/ucontact/fake"
)

const (
	user     = "ana"
	password = "pw-e2e-ñ" // not ASCII: it must survive stdin and the socket
	// xdotool cannot type "ñ" on Xvfb's keymap: the window tests log in as
	// typist.
	typist         = "bea"
	typistPassword = "Clave-e2e-42"
)

// desk is one agent's desktop: a home, a session bus (with or without a
// keyring, a tray host, a notification server), perhaps a display, and the
// fake uContact server.
type desk struct {
	t       *testing.T
	bin     string // the ucontact-tray it runs: binary, unless a test moved it
	home    string
	runtime string
	bus     string
	display string
	watcher *testenv.Watcher
	notes   *testenv.Notifications
	system  string              // DBUS_SYSTEM_BUS_ADDRESS
	logind  *testenv.FakeLogind // on the system bus, when asked for
	srv     *fake.Server
	addr    string
	ca      *testenv.CA // the server's CA, when it speaks TLS
	shots   string
	// logDir holds the app's log files, checked when the test ends (see
	// checkLogs), and wantLog what they must say.
	logDir  string
	wantLog []string
}

type deskOptions struct {
	keyring bool // a real gnome-keyring
	display bool // Xvfb, for the window
	tray    bool // a status-notifier watcher and host
	// logind, if not zero, runs a fake logind with this InhibitDelayMaxUSec
	// on a private system bus.
	logind time.Duration
	// tls serves https:// with a certificate of a private CA, as an
	// on-premise server.
	tls bool
}

func newDesk(t *testing.T, o deskOptions) *desk {
	t.Helper()
	d := &desk{t: t, bin: binary, home: t.TempDir(), runtime: shortDir(t)}
	if o.keyring || o.tray || o.display {
		d.bus = testenv.StartBus(t)
		d.notes = testenv.StartNotifications(t, d.bus)
	} else {
		// A bus address where nothing listens: no Secret Service at all.
		d.bus = "unix:path=" + filepath.Join(d.home, "no-bus")
	}
	if o.keyring {
		testenv.StartKeyring(t, d.bus)
	}
	if o.tray {
		d.watcher = testenv.StartWatcher(t, d.bus)
	}
	if o.display {
		d.display = testenv.StartXvfb(t)
	}
	// Never the machine's own system bus: a private one with a fake logind,
	// or one where nothing listens.
	d.system = "unix:path=" + filepath.Join(d.home, "no-system-bus")
	if o.logind > 0 {
		d.system = testenv.StartBus(t)
		d.logind = testenv.StartFakeLogind(t, d.system, o.logind)
	}
	d.srv = fake.New(fake.Variant{})
	d.srv.AddUser(user, password)
	d.srv.AddAgent(user, password)
	d.srv.AddUser(typist, typistPassword)
	var base string
	var err error
	if o.tls {
		d.ca = testenv.NewCA(t)
		base, err = d.srv.ListenTLS("127.0.0.1:0", d.ca.ServerCert(t))
	} else {
		base, err = d.srv.Listen("127.0.0.1:0")
	}
	if err != nil {
		t.Fatal(err)
	}
	_, d.addr, _ = strings.Cut(base, "://")
	t.Cleanup(func() { d.srv.Close() })
	d.shots = filepath.Join(outputDir(), strings.ReplaceAll(t.Name(), "/", "_"))
	d.logDir = filepath.Join(d.home, ".cache", "ucontact-tray")
	d.wantLog = []string{
		`level=INFO msg="uContact request" method=POST host=` + regexp.QuoteMeta(d.addr) + ` path=/Integra/\S+ duration=\S+ status=200`,
		`level=INFO msg="session state" state=logged-in was=logging-in user=`,
	}
	// Registered before any process of the test is started, so it runs
	// after they are all stopped.
	t.Cleanup(d.checkLogs)
	return d
}

// checkLogs greps the app's log files for every password used and every
// token the server issued, and fails if one is there. So that the grep
// cannot pass on a log that is missing or says nothing, the logs must also
// have the lines of wantLog (a call to the server and a login, unless the
// test says otherwise).
func (d *desk) checkLogs() {
	d.t.Helper()
	entries, err := os.ReadDir(d.logDir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		d.t.Fatal(err)
	}
	var all strings.Builder
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".log") {
			continue // a rotated file, compressed; none in a test this short
		}
		b, err := os.ReadFile(filepath.Join(d.logDir, e.Name()))
		if err != nil {
			d.t.Fatal(err)
		}
		for i, secret := range d.secrets() {
			if strings.Contains(string(b), secret) {
				d.t.Errorf("secret %d (a password or a token) is in the log %s", i, e.Name())
			}
		}
		all.Write(b)
	}
	if d.t.Failed() {
		return // the lines a failed test did not get to write prove nothing
	}
	if all.Len() == 0 {
		d.t.Fatalf("no log in %s", d.logDir)
	}
	for _, re := range d.wantLog {
		if !regexp.MustCompile(re).MatchString(all.String()) {
			d.t.Errorf("the log lacks %s:\n%s", re, all.String())
		}
	}
}

// secrets are the passwords the test used and the tokens the server issued.
func (d *desk) secrets() []string {
	return append(d.srv.Tokens(), password, typistPassword)
}

// outputDir is where screenshots go: $UCT_TEST_OUTPUT, or test-output at
// the top of the repository.
func outputDir() string {
	if dir := os.Getenv("UCT_TEST_OUTPUT"); dir != "" {
		return dir
	}
	return filepath.Join("..", "test-output")
}

// shortDir is a directory whose path fits in a unix socket address.
func shortDir(t *testing.T) string {
	dir, err := os.MkdirTemp("", "uce2e")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	return dir
}

func (d *desk) env() []string {
	env := []string{
		"HOME=" + d.home,
		"XDG_CONFIG_HOME=" + filepath.Join(d.home, ".config"),
		"XDG_CACHE_HOME=" + filepath.Join(d.home, ".cache"),
		"XDG_DATA_HOME=" + filepath.Join(d.home, ".local", "share"),
		"XDG_RUNTIME_DIR=" + d.runtime,
		// The administrator's presets: never the machine's own.
		"UCONTACT_TRAY_SYSTEM_DIR=" + d.systemDir(),
		"DBUS_SESSION_BUS_ADDRESS=" + d.bus,
		"DBUS_SYSTEM_BUS_ADDRESS=" + d.system,
		"PATH=" + os.Getenv("PATH"),
		"LANG=es_ES.UTF-8",
		"NO_AT_BRIDGE=1",
		testenv.RunMark(),
	}
	if d.display != "" {
		env = append(env, "DISPLAY="+d.display)
	}
	return env
}

// systemDir is where the app reads the administrator's presets (see
// writePresets); nothing is there unless a test puts it.
func (d *desk) systemDir() string { return filepath.Join(d.home, "system") }

// writePresets writes the administrator's presets file.
func (d *desk) writePresets(text string) string {
	d.t.Helper()
	path := filepath.Join(d.systemDir(), "presets.conf")
	if err := os.MkdirAll(d.systemDir(), 0o755); err != nil {
		d.t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		d.t.Fatal(err)
	}
	return path
}

type result struct {
	code           int
	stdout, stderr string
}

// run runs a command to its end.
func (d *desk) run(stdin string, args ...string) result {
	d.t.Helper()
	cmd := exec.Command(d.bin, args...)
	cmd.Env = d.env()
	r := runToEnd(d.t, cmd, stdin)
	d.assertNoSecret(r.stdout + r.stderr)
	return r
}

// runToEnd runs cmd with stdin, within testenv.CommandTimeout, and returns
// its exit code and output.
func runToEnd(t *testing.T, cmd *exec.Cmd, stdin string) result {
	t.Helper()
	r := testenv.Run(t, 0, cmd, stdin)
	return result{r.Code, r.Stdout, r.Stderr}
}

func (d *desk) login(kind string, flags ...string) result {
	args := append([]string{"login", "--server", d.srv.URL(), "--user", user, "--kind", kind, "--password-stdin"}, flags...)
	return d.run(password, args...)
}

// assertNoSecret fails if text has a password or a token the server issued.
func (d *desk) assertNoSecret(text string) {
	d.t.Helper()
	for _, secret := range d.secrets() {
		if strings.Contains(text, secret) {
			d.t.Errorf("a secret was printed:\n%s", text)
		}
	}
}

// proc is a long-running process of the app (the resident, the window).
type proc struct {
	t    *testing.T
	cmd  *exec.Cmd
	out  *testenv.Buffer
	done chan struct{}
	err  error
}

// start starts the app with args and keeps it running until the test ends.
func (d *desk) start(args ...string) *proc {
	d.t.Helper()
	p := &proc{t: d.t, out: &testenv.Buffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(d.bin, args...)
	p.cmd.Env = d.env()
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	// A window the app started shares its output: don't wait on it forever.
	p.cmd.WaitDelay = 2 * time.Second
	// Its own process group, so a window it starts is stopped with it.
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := p.cmd.Start(); err != nil {
		d.t.Fatal(err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	d.t.Cleanup(func() {
		syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL) //nolint:errcheck
		<-p.done
		d.assertNoSecret(p.out.String())
		if d.t.Failed() {
			d.t.Logf("output of %v:\n%s", args, p.out.String())
		}
	})
	return p
}

// waitLog waits until the process has printed a line matching re.
func (p *proc) waitLog(re string, timeout time.Duration) []string {
	p.t.Helper()
	rx := regexp.MustCompile(re)
	var m []string
	testenv.WaitFor(p.t, timeout, "log line "+re, func() bool {
		m = rx.FindStringSubmatch(p.out.String())
		return m != nil
	})
	return m
}

// exited waits for the process to end and returns its exit code.
func (p *proc) exited(timeout time.Duration) int {
	p.t.Helper()
	select {
	case <-p.done:
	case <-time.After(timeout):
		p.t.Fatalf("still running after %v", timeout)
	}
	if ee, ok := p.err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if p.err != nil {
		p.t.Fatal(p.err)
	}
	return 0
}

func (p *proc) running() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// screenshot saves the screen as name.png in the test's output folder.
func (d *desk) screenshot(name string) {
	d.t.Helper()
	if err := os.MkdirAll(d.shots, 0o755); err != nil {
		d.t.Fatal(err)
	}
	testenv.Screenshot(d.t, d.display, filepath.Join(d.shots, name+".png"))
}

// assertEndedOnce fails unless the server opened exactly one session and
// it was ended exactly once.
func (d *desk) assertEndedOnce() {
	d.t.Helper()
	if s := d.srv.Sessions(); len(s) != 1 || s[0].Ended != 1 {
		d.t.Fatalf("server sessions %+v: want one, ended once", s)
	}
}

// waitRecoveredNotice waits for the notification that a session left open
// by an earlier run was ended at start.
func (d *desk) waitRecoveredNotice() {
	d.t.Helper()
	d.notes.Wait(d.t, stepTimeout, func(n testenv.Notification) bool {
		return n.Summary == "Sesión anterior cerrada" && strings.Contains(n.Body, user)
	})
}

func fakeLatency(d time.Duration) fake.Fault { return fake.Fault{Latency: d, Times: 1} }

func fakeStatus(code, times int) fake.Fault { return fake.Fault{Status: code, Times: times} }
