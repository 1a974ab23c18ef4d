//go:build unix

package cli

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ucontact-tray/internal/i18n"
	"ucontact-tray/internal/testenv"
)

// A control socket that cannot be shown to be the user's is not used: the
// command says why, acts on its own as when no tray app runs, and the
// socket is sent nothing. Here the socket is a link to a socket elsewhere,
// which could be anyone's.
func TestForeignSocketIsNotUsed(t *testing.T) {
	w := newWorld(t)
	runtime, err := os.MkdirTemp("", "uctcli") // short: a socket path has a length limit
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(runtime) })
	w.runtime = runtime
	dir := filepath.Join(runtime, "ucontact-tray")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	elsewhere := filepath.Join(runtime, "elsewhere.sock")
	l, err := net.Listen("unix", elsewhere)
	if err != nil {
		t.Fatal(err)
	}
	counter := testenv.CountBytes(l)
	if err := os.Symlink(elsewhere, filepath.Join(dir, "control.sock")); err != nil {
		t.Fatal(err)
	}

	r := w.login("user")
	es := i18n.MustNew(i18n.Spanish)
	if r.code != ExitOK || !strings.Contains(r.stdout, "Sesión") {
		t.Fatalf("login: %d %q", r.code, r.output())
	}
	for _, want := range []string{filepath.Join(dir, "control.sock"), "no se ha usado ni se le ha enviado nada", es.T("command.on_its_own")} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("login's stderr does not say %q:\n%s", want, r.stderr)
		}
	}
	if s := w.srv.Sessions(); len(s) != 1 {
		t.Errorf("the command did not log in on its own: %+v", s)
	}
	if strings.Contains(r.output(), password) {
		t.Errorf("the password was printed: %q", r.output())
	}
	if n := counter.Received(); n != 0 {
		t.Errorf("the socket was sent %d bytes", n)
	}
}
