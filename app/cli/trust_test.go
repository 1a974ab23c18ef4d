package cli

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"ucontact-tray/app/control"
	"ucontact-tray/internal/testenv"
	"ucontact-tray/session"
	"ucontact-tray/session/ucontact/fake"
)

// newTLSWorld is a world whose server has a certificate of a private CA,
// as an on-premise uContact server.
func newTLSWorld(t *testing.T) (*world, *testenv.CA) {
	t.Helper()
	w := newWorld(t)
	ca := testenv.NewCA(t)
	srv := fake.New(fake.Variant{})
	srv.AddUser(user, password)
	srv.AddAgent(user, password)
	if _, err := srv.ListenTLS("127.0.0.1:0", ca.ServerCert(t)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	w.srv = srv
	return w, ca
}

func (w *world) writeSettings(json string) {
	w.t.Helper()
	dir := filepath.Join(w.config, "ucontact-tray")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		w.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "settings.json"), []byte(json), 0o600); err != nil {
		w.t.Fatal(err)
	}
}

// A private CA, from the command line: refused without the
// CA, with the host and the issuer named and the way out; accepted with it,
// and the logout ends exactly that session.
func TestPrivateCAServer(t *testing.T) {
	for _, lang := range []string{"", "en_US.UTF-8"} {
		t.Run("lang="+lang, func(t *testing.T) {
			w, ca := newTLSWorld(t)
			w.lang = lang
			r := w.login("user")
			if r.code != ExitServer {
				t.Fatalf("login without --ca-file: exit %d, want %d: %q", r.code, ExitServer, r.output())
			}
			for _, want := range []string{"127.0.0.1", testenv.CAName, "--ca-file"} {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("message %q lacks %q", r.stderr, want)
				}
			}
			if strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
				t.Errorf("more than one line: %q", r.stderr)
			}
			if n := len(w.srv.Requests()); n != 0 {
				t.Fatalf("%d requests reached an untrusted server", n)
			}

			r = w.run(password+"\n", "login", "--server", w.srv.URL(), "--user", user, "--password-stdin", "--ca-file", ca.File)
			if r.code != ExitOK {
				t.Fatalf("login with --ca-file: exit %d: %q", r.code, r.output())
			}
			if r := w.run("", "status", "--ca-file", ca.File); r.code != ExitOK {
				t.Fatalf("status with --ca-file: %d %q", r.code, r.output())
			}
			// The logout calls the server too: without the CA it is kept
			// pending, with it it completes.
			if r := w.run("", "logout"); r.code != ExitServer || !strings.Contains(r.stderr, testenv.CAName) {
				t.Fatalf("logout without --ca-file: %d %q", r.code, r.output())
			}
			if r := w.run("", "logout", "--ca-file", ca.File); r.code != ExitOK {
				t.Fatalf("logout with --ca-file: %d %q", r.code, r.output())
			}
			if s := w.srv.Sessions(); len(s) != 1 || s[0].Ended != 1 {
				t.Errorf("server sessions %+v: want one, ended once", s)
			}
		})
	}
}

// The ca_file setting does what --ca-file does; a relative path is in the
// settings' folder.
func TestCAFileSetting(t *testing.T) {
	w, ca := newTLSWorld(t)
	pem, err := os.ReadFile(ca.File)
	if err != nil {
		t.Fatal(err)
	}
	w.writeSettings(`{"ca_file": "empresa-ca.pem"}`)
	if err := os.WriteFile(filepath.Join(w.config, "ucontact-tray", "empresa-ca.pem"), pem, 0o644); err != nil {
		t.Fatal(err)
	}
	if r := w.login("agent"); r.code != ExitOK {
		t.Fatalf("login: %d %q", r.code, r.output())
	}
	if r := w.run("", "logout"); r.code != ExitOK {
		t.Fatalf("logout: %d %q", r.code, r.output())
	}
	if s := w.srv.Sessions(); len(s) != 1 || s[0].Ended != 1 {
		t.Errorf("server sessions %+v: want one, ended once", s)
	}
}

// A CA file that cannot be used is a usage error that names the file, and
// says where it was named; nothing is sent.
func TestBadCAFile(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "ca.der")
	if err := os.WriteFile(notPEM, []byte{0x30, 0x82, 0x01, 0x0a}, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		path    string
		setting bool
		lang    string
		want    string
	}{
		{name: "missing", path: filepath.Join(dir, "nope.pem"), want: "No se encuentra el archivo de certificados"},
		{name: "missing in English", path: filepath.Join(dir, "nope.pem"), lang: "en_US.UTF-8", want: "does not exist"},
		{name: "not PEM", path: notPEM, want: "no contiene ningún certificado en formato PEM"},
		{name: "a folder", path: dir, want: "No se puede leer el archivo de certificados"},
		{name: "missing, in the settings", path: filepath.Join(dir, "nope.pem"), setting: true, want: "ca_file en settings.json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			w.lang = tc.lang
			args := []string{"login", "--server", w.srv.URL(), "--user", user, "--password-stdin"}
			if tc.setting {
				w.writeSettings(`{"ca_file": "` + filepath.ToSlash(tc.path) + `"}`)
			} else {
				args = append(args, "--ca-file", tc.path)
			}
			r := w.run(password+"\n", args...)
			if r.code != ExitUsage {
				t.Fatalf("exit %d, want %d: %q", r.code, ExitUsage, r.output())
			}
			if !strings.Contains(r.stderr, tc.path) || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("message %q: want the file and %q", r.stderr, tc.want)
			}
			if strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
				t.Errorf("more than one line: %q", r.stderr)
			}
			if n := len(w.srv.Requests()); n != 0 {
				t.Errorf("%d requests sent", n)
			}
			if tc.setting {
				return
			}
			for _, cmd := range [][]string{{"logout", "--ca-file", tc.path}, {"status", "--ca-file", tc.path}, {"--ca-file", tc.path}} {
				if r := w.run("", cmd...); r.code != ExitUsage || !strings.Contains(r.stderr, tc.path) {
					t.Errorf("%v: exit %d, %q", cmd, r.code, r.output())
				}
			}
		})
	}
}

// Through a running tray app, which makes the calls with the certificates
// it started with, a --ca-file it does not use is refused plainly rather
// than silently ignored; the same file (however spelt) goes through.
func TestCAFileThroughTheTrayApp(t *testing.T) {
	w, ca := newTLSWorld(t)
	other := testenv.NewCA(t)
	h := &trayApp{}
	h.setCAFile(ca.File)
	w.runtime = serveTrayApp(t, h)

	r := w.run(password+"\n", "login", "--server", w.srv.URL(), "--user", user, "--password-stdin", "--ca-file", other.File)
	if r.code != ExitUsage || !strings.Contains(r.stderr, other.File) || !strings.Contains(r.stderr, ca.File) {
		t.Fatalf("another file: exit %d, %q", r.code, r.output())
	}
	if r := w.run("", "logout", "--ca-file", other.File); r.code != ExitUsage {
		t.Fatalf("logout with another file: exit %d, %q", r.code, r.output())
	}
	if r := w.run("", "status", "--ca-file", other.File); r.code != ExitOK {
		t.Fatalf("status calls no server, any valid file will do: exit %d, %q", r.code, r.output())
	}
	if n := h.countLogins(); n != 0 {
		t.Fatalf("%d logins reached the tray app", n)
	}

	spelt := filepath.Join(filepath.Dir(ca.File), ".", filepath.Base(ca.File))
	if r := w.run(password+"\n", "login", "--server", w.srv.URL(), "--user", user, "--password-stdin", "--ca-file", spelt); r.code != ExitOK {
		t.Fatalf("the tray app's file: exit %d, %q", r.code, r.output())
	}
	if n := h.countLogins(); n != 1 {
		t.Fatalf("%d logins reached the tray app, want 1", n)
	}

	h.setCAFile("")
	r = w.run(password+"\n", "login", "--server", w.srv.URL(), "--user", user, "--password-stdin", "--ca-file", ca.File)
	if r.code != ExitUsage || !strings.Contains(r.stderr, "sin certificados adicionales") {
		t.Fatalf("a tray app without a CA file: exit %d, %q", r.code, r.output())
	}
}

// trayApp stands in for the resident behind the control socket.
type trayApp struct {
	mu     sync.Mutex
	caFile string
	logins int
}

func (h *trayApp) setCAFile(path string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.caFile = path
}

func (h *trayApp) Login(context.Context, control.LoginRequest) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.logins++
	return nil
}

func (h *trayApp) countLogins() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.logins
}

func (h *trayApp) CancelLogin()                 {}
func (h *trayApp) Logout(context.Context) error { return nil }
func (h *trayApp) Snapshot() session.Snapshot   { return session.Snapshot{State: session.LoggedOut} }
func (h *trayApp) Subscribe() (<-chan session.Snapshot, func()) {
	ch := make(chan session.Snapshot, 1)
	ch <- h.Snapshot()
	return ch, func() {}
}
func (h *trayApp) Show() error { return nil }
func (h *trayApp) Info(context.Context) control.Info {
	h.mu.Lock()
	defer h.mu.Unlock()
	return control.Info{CAFile: h.caFile}
}
func (h *trayApp) Quit()                                                         {}
func (h *trayApp) ChangeSettings(context.Context, control.SettingsRequest) error { return nil }
func (h *trayApp) StartBreak(context.Context, string) error                      { return session.ErrNotLoggedIn }
func (h *trayApp) EndBreak(context.Context) error                                { return session.ErrNotLoggedIn }

// serveTrayApp serves h on a control socket and returns the runtime
// directory that leads a command to it.
func serveTrayApp(t *testing.T, h control.Handler) string {
	t.Helper()
	runtime, err := os.MkdirTemp("", "uctcli") // short: a socket path has a length limit
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(runtime) })
	dir, err := control.Dir(func(k string) string { return map[string]string{"XDG_RUNTIME_DIR": runtime}[k] })
	if err != nil {
		t.Fatal(err)
	}
	l, err := control.Listen(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- control.NewServer(h, slog.New(slog.NewTextHandler(io.Discard, nil)), nil).Serve(ctx, l)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("control socket: %v", err)
		}
		l.Close()
	})
	return runtime
}
