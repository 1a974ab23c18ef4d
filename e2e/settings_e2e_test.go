//go:build e2e

package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"ucontact-tray/internal/testenv"
)

// damageSettings writes what is not settings to the user's settings.json.
func (d *desk) damageSettings() string {
	d.t.Helper()
	path := filepath.Join(d.stateDir(), "settings.json")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		d.t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("{\"server\": \x00\xff"), 0o600); err != nil {
		d.t.Fatal(err)
	}
	return path
}

// A session opened from the command line is ended by `logout` even when
// the settings file has been damaged since: the command says so, uses the
// defaults, and sets the file aside.
func TestDamagedSettingsNeverBlockALogout(t *testing.T) {
	d := newDesk(t, deskOptions{})
	if r := d.login("user"); r.code != 0 {
		t.Fatalf("login: %d %s%s", r.code, r.stdout, r.stderr)
	}
	path := d.damageSettings()
	r := d.run("", "logout")
	if r.code != 0 || !strings.Contains(r.stderr, "El archivo de configuración "+path+" estaba dañado") {
		t.Fatalf("logout: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if s := d.srv.OpenSessions(); len(s) != 0 {
		t.Fatalf("open sessions on the server: %+v", s)
	}
	d.assertEndedOnce()
	if _, err := os.Stat(path + ".damaged"); err != nil {
		t.Errorf("not set aside: %v", err)
	}
}

// The tray app starts with a damaged settings file, says so in a
// notification and its log, and runs with the defaults.
func TestDamagedSettingsAtTrayStart(t *testing.T) {
	d := newDesk(t, deskOptions{display: true, tray: true})
	path := d.damageSettings()
	d.wantLog = []string{`msg="tray app started"`, `level=WARN msg="settings not read; using the defaults" err=.*` + regexp.QuoteMeta(path)}
	res := d.start()
	d.Notes.Wait(t, startTimeout, func(n testenv.Notification) bool {
		return n.Summary == "Configuración no leída" && strings.Contains(n.Body, path+" estaba dañado")
	})
	d.trayOf("Sin sesión")
	if !res.Running() {
		t.Fatalf("the tray app stopped:\n%s", res.Output())
	}
}
