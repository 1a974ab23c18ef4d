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
	*testenv.Desktop
	t     *testing.T
	bin   string // the ucontact-tray it runs: binary, unless a test moved it
	home  testenv.Home
	srv   *fake.Server
	addr  string
	ca    *testenv.CA // the server's CA, when it speaks TLS
	shots string
	// logDir holds the app's log files, checked when the test ends (see
	// checkLogs), and wantLog what they must say.
	logDir  string
	wantLog []string
	// saver is the desktop's screen saver, if the test started one.
	saver *testenv.ScreenSaver
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
	d := &desk{t: t, bin: binary, home: testenv.NewHome(t)}
	d.Desktop = testenv.StartDesktop(t, testenv.DesktopOptions{
		// Without any of these, no bus at all: no Secret Service either.
		NoBus:   !o.keyring && !o.tray && !o.display,
		Keyring: o.keyring,
		Tray:    o.tray,
		Display: o.display,
		Logind:  o.logind,
	})
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
	d.logDir = filepath.Join(d.home.Dir, ".cache", "ucontact-tray")
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

func (d *desk) env() []string { return d.Env(d.home) }

// writePresets writes the administrator's presets file, where the app
// reads it.
func (d *desk) writePresets(text string) string {
	d.t.Helper()
	dir := d.home.SystemDir()
	path := filepath.Join(dir, "presets.conf")
	if err := os.MkdirAll(dir, 0o755); err != nil {
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

// start starts the app with args and keeps it running until the test
// ends; a window it starts is stopped with it.
func (d *desk) start(args ...string) *testenv.Process {
	d.t.Helper()
	cmd := exec.Command(d.bin, args...)
	cmd.Env = d.env()
	p := testenv.StartProcess(d.t, cmd)
	d.t.Cleanup(func() {
		p.Kill() // so that its output is whole
		d.assertNoSecret(p.Output())
	})
	return p
}

// screenshot saves the screen as name.png in the test's output folder.
func (d *desk) screenshot(name string) {
	d.t.Helper()
	if err := os.MkdirAll(d.shots, 0o755); err != nil {
		d.t.Fatal(err)
	}
	testenv.Screenshot(d.t, d.Display, filepath.Join(d.shots, name+".png"))
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
	d.Notes.Wait(d.t, stepTimeout, func(n testenv.Notification) bool {
		return n.Summary == "Sesión anterior cerrada" && strings.Contains(n.Body, user)
	})
}

func fakeLatency(d time.Duration) fake.Fault { return fake.Fault{Latency: d, Times: 1} }

func fakeStatus(code, times int) fake.Fault { return fake.Fault{Status: code, Times: times} }
