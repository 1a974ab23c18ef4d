//go:build e2e

package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ucontact-tray/session/ucontact"
	"ucontact-tray/session/ucontact/fake"
)

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

// A session from the command line: log in, see it, log out; then the same with
// the server stopped during the logout and started again.
func TestCommandLineSession(t *testing.T) {
	for _, keyring := range []bool{true, false} {
		for _, kind := range []string{"user", "agent"} {
			name := kind + "/keyring"
			if !keyring {
				name = kind + "/no-keyring"
			}
			t.Run(name, func(t *testing.T) {
				d := newDesk(t, deskOptions{keyring: keyring})
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
	d := newDesk(t, deskOptions{})
	d.wantLog = []string{
		`level=WARN msg="uContact request failed" method=POST host=\S+ path=/Integra/resources/auth/getUserToken duration=\S+ err=`,
		`level=WARN msg="session state" state=logged-out was=logging-in err=`,
	}
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
	filepath.WalkDir(d.home.Dir, func(path string, e os.DirEntry, err error) error {
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
