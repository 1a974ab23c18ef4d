//go:build e2e

package e2e

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ucontact-tray/internal/testenv"
	"ucontact-tray/session/ucontact"
	"ucontact-tray/session/ucontact/fake"
)

const (
	user     = "ana"
	password = "pw-e2e-ñ"
)

// desk is one user's desktop: a home, a session bus (with or without a
// keyring) and the fake server.
type desk struct {
	t    *testing.T
	home string
	bus  string
	srv  *fake.Server
	addr string
}

func newDesk(t *testing.T, withKeyring bool) *desk {
	t.Helper()
	d := &desk{t: t, home: t.TempDir()}
	if withKeyring {
		d.bus = testenv.StartBus(t)
		testenv.StartKeyring(t, d.bus)
	} else {
		// A bus address where nothing listens: no Secret Service at all.
		d.bus = "unix:path=" + filepath.Join(d.home, "no-bus")
	}
	d.srv = fake.New(fake.Variant{})
	d.srv.AddUser(user, password)
	d.srv.AddAgent(user, password)
	url, err := d.srv.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	d.addr = strings.TrimPrefix(url, "http://")
	t.Cleanup(func() { d.srv.Close() })
	return d
}

type result struct {
	code           int
	stdout, stderr string
}

func (d *desk) run(stdin string, args ...string) result {
	d.t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = []string{
		"HOME=" + d.home,
		"XDG_CONFIG_HOME=" + filepath.Join(d.home, ".config"),
		"XDG_RUNTIME_DIR=" + d.home,
		"DBUS_SESSION_BUS_ADDRESS=" + d.bus,
		"PATH=" + os.Getenv("PATH"),
	}
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		d.t.Fatalf("running %v: %v", args, err)
	}
	r := result{code, out.String(), errOut.String()}
	for _, secret := range append(d.srv.Tokens(), password) {
		if strings.Contains(r.stdout+r.stderr, secret) {
			d.t.Errorf("%v printed a secret:\n%s%s", args, r.stdout, r.stderr)
		}
	}
	return r
}

func (d *desk) login(kind string) result {
	return d.run(password, "login", "--server", "http://"+d.addr, "--user", user, "--kind", kind, "--password-stdin")
}

func (d *desk) status() map[string]any {
	d.t.Helper()
	r := d.run("", "status", "--json")
	var m map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &m); err != nil || r.code != 0 {
		d.t.Fatalf("status --json: %d %q %q: %v", r.code, r.stdout, r.stderr, err)
	}
	return m
}

func endPath(kind string) string {
	if kind == "agent" {
		return ucontact.PathAgentLogoff
	}
	return ucontact.PathEndSession
}

// The acceptance run: log in, see it, log out; then the same with
// the server stopped during the logout and started again.
func TestCommandLineSession(t *testing.T) {
	for _, keyring := range []bool{true, false} {
		for _, kind := range []string{"user", "agent"} {
			name := kind + "/keyring"
			if !keyring {
				name = kind + "/no-keyring"
			}
			t.Run(name, func(t *testing.T) {
				d := newDesk(t, keyring)
				if r := d.login(kind); r.code != 0 {
					t.Fatalf("login: %d %s%s", r.code, r.stdout, r.stderr)
				}
				st := d.status()
				wantStore := map[bool]string{true: "keyring", false: "file"}[keyring]
				if st["state"] != "logged-in" || st["user"] != user || st["kind"] != kind || st["secret_store"] != wantStore {
					t.Fatalf("status %v", st)
				}
				assertNoTokenOnDisk(t, d, keyring)

				if r := d.run("", "logout"); r.code != 0 {
					t.Fatalf("logout: %d %s%s", r.code, r.stdout, r.stderr)
				}
				ses := d.srv.Sessions()
				ends := d.srv.RequestsTo(endPath(kind))
				if len(ses) != 1 || ses[0].Ended != 1 || len(ends) != 1 {
					t.Fatalf("sessions %+v, %d end requests", ses, len(ends))
				}
				if got := ends[0].Header.Get("Authorization"); got != "Basic "+ses[0].Token {
					t.Errorf("Authorization %q", got)
				}
				if kind == "user" && (ends[0].Form.Get("user") != user || ends[0].Form.Get("token") != ses[0].Token) {
					t.Errorf("EndSession form %v", ends[0].Form)
				}
				if st := d.status(); st["state"] != "logged-out" {
					t.Fatalf("after logout: %v", st)
				}

				// Server down during the logout: kept pending, then completed.
				if r := d.login(kind); r.code != 0 {
					t.Fatalf("second login: %s", r.stderr)
				}
				d.srv.Close()
				r := d.run("", "logout")
				if r.code != 4 {
					t.Fatalf("logout with the server down: exit %d, want 4: %s", r.code, r.stderr)
				}
				if st := d.status(); st["state"] != "logout-pending" || st["logout_pending"] != true {
					t.Fatalf("status %v", st)
				}
				if _, err := d.srv.Listen(d.addr); err != nil {
					t.Fatal(err)
				}
				if r := d.run("", "logout"); r.code != 0 {
					t.Fatalf("logout with the server back: %d %s", r.code, r.stderr)
				}
				for _, s := range d.srv.Sessions() {
					if s.Ended != 1 {
						t.Errorf("session %+v ended %d times", s, s.Ended)
					}
				}
				if r := d.run("", "logout"); r.code != 5 {
					t.Errorf("logout with nothing open: exit %d, want 5", r.code)
				}
			})
		}
	}
}

// A slow server gets a clear message within the deadline, not a hang.
func TestSlowServerAnswersWithinDeadline(t *testing.T) {
	d := newDesk(t, false)
	d.srv.Inject(ucontact.PathGetUserToken, fake.Fault{Latency: time.Minute})
	start := time.Now()
	r := d.login("user")
	if r.code != 4 || !strings.Contains(r.stderr, "no respondió a tiempo") {
		t.Fatalf("exit %d: %q", r.code, r.stderr)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("took %v", d)
	}
}

func assertNoTokenOnDisk(t *testing.T, d *desk, keyring bool) {
	t.Helper()
	tokens := d.srv.Tokens()
	filepath.WalkDir(d.home, func(path string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return nil
		}
		b, _ := os.ReadFile(path)
		for _, tok := range tokens {
			if !strings.Contains(string(b), tok) {
				continue
			}
			if keyring || !strings.HasSuffix(path, ".token") {
				t.Errorf("token in %s", path)
			}
		}
		if strings.Contains(string(b), password) {
			t.Errorf("password in %s", path)
		}
		return nil
	})
}
