//go:build e2e

package e2e

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"ucontact-tray/internal/testenv"
)

// assertCertificateRefused fails unless r is the refusal of the server's
// certificate: exit 4, a message naming the host, the CA and --ca-file,
// and nothing sent to the server.
func (d *desk) assertCertificateRefused(r result) {
	d.t.Helper()
	if r.code != 4 {
		d.t.Fatalf("exit %d, want 4: %s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"127.0.0.1", testenv.CAName, "--ca-file"} {
		if !strings.Contains(r.stderr, want) {
			d.t.Errorf("message %q lacks %q", r.stderr, want)
		}
	}
	if n := len(d.srv.Requests()); n != 0 {
		d.t.Fatalf("%d requests reached a server that is not trusted", n)
	}
}

// An on-premise server whose certificate comes from a private CA, from the
// command line: refused without --ca-file, accepted with it; the logout
// ends exactly that session. A file that is not there is a usage error.
func TestPrivateCA(t *testing.T) {
	d := newDesk(t, deskOptions{tls: true})
	d.wantLog = append(d.wantLog, `level=WARN msg="uContact request failed" .* err=".*certificate of 127.0.0.1 \(issued by \\"`+testenv.CAName+`\\"\) not trusted`)
	d.assertCertificateRefused(d.login("user"))

	if r := d.login("user", "--ca-file", d.ca.File); r.code != 0 {
		t.Fatalf("login with --ca-file: %d %s%s", r.code, r.stdout, r.stderr)
	}
	if st := d.status(); st["state"] != "logged-in" || st["server"] != d.srv.URL() {
		t.Fatalf("status %v", st)
	}
	if r := d.run("", "logout", "--ca-file", d.ca.File); r.code != 0 {
		t.Fatalf("logout with --ca-file: %d %s", r.code, r.stderr)
	}
	d.assertEndedOnce()

	missing := filepath.Join(d.home.Dir, "no-such-ca.pem")
	r := d.login("user", "--ca-file", missing)
	if r.code != 2 || !strings.Contains(r.stderr, missing) {
		t.Fatalf("a missing CA file: exit %d, want 2 naming it: %s", r.code, r.stderr)
	}
}

// The tray app makes the calls: without --ca-file it refuses the server,
// and the command that asked says why (the error crosses the socket with
// the host and the CA); started with --ca-file, it trusts the server for
// every command. A command cannot give it another file.
func TestPrivateCAThroughTheTrayApp(t *testing.T) {
	d := newDesk(t, deskOptions{tls: true, keyring: true, tray: true})
	res := d.start()
	d.trayOf("Sin sesión")
	d.assertCertificateRefused(d.login("user"))
	if err := res.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := res.Exited(stepTimeout); code != 0 {
		t.Fatalf("tray app exited %d", code)
	}

	d.start("--ca-file", d.ca.File)
	item, _ := d.trayOf("Sin sesión")
	if r := d.login("agent"); r.code != 0 {
		t.Fatalf("login through the tray app: %d %s", r.code, r.stderr)
	}
	waitTitle(t, item, "Conectado: "+user)

	other := testenv.NewCA(t)
	if r := d.run("", "logout", "--ca-file", other.File); r.code != 2 || !strings.Contains(r.stderr, d.ca.File) {
		t.Fatalf("logout with another CA file: exit %d, want 2 naming the tray app's: %s", r.code, r.stderr)
	}
	if r := d.run("", "logout", "--ca-file", d.ca.File); r.code != 0 {
		t.Fatalf("logout: %d %s", r.code, r.stderr)
	}
	waitTitle(t, item, "Sin sesión")
	d.assertEndedOnce()
}
