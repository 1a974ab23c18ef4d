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

// An administrator's preset with a locked server: the window shows it
// read-only, a login with only the user and password typed goes to it, and
// the command line cannot ask for another. Autostart, locked off, is not
// turned on by the first login.
func TestAdminPresetLocksTheServer(t *testing.T) {
	d := newDesk(t, deskOptions{keyring: true, display: true, tray: true})
	d.writePresets("# Acme's desks\nserver = http://" + d.addr + "\nautostart = no\nlock = server, autostart\n")
	// The user's own last server was another: the locked one wins.
	dir := filepath.Join(d.home.Dir, ".config", "ucontact-tray")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "settings.json"), []byte(`{"server": "http://127.0.0.1:9"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	res := d.start()
	item, _ := d.trayOf("Sin sesión")
	res.WaitLog(`window started`, startTimeout)
	d.waitWindow()
	d.screenshot("1-locked-server")
	// The cursor starts in Usuario: the server needs nothing.
	d.typeText(typist)
	d.key("Return")
	d.typeText(typistPassword)
	d.key("Return")
	waitTitle(t, item, "Conectado: "+typist+" @ "+d.addr)
	if s := d.srv.Sessions(); len(s) != 1 || s[0].User != typist {
		t.Fatalf("server sessions %+v, want one of %s", s, typist)
	}
	d.waitLoginSaved(typist)
	d.assertAutostart(false)

	r := d.run(password, "login", "--domain", "acme", "--user", user, "--password-stdin")
	want := "El administrador de este equipo ha fijado el servidor " + d.addr + "; no se puede usar otro."
	if r.code != 2 || !strings.Contains(r.stderr, want) {
		t.Errorf("login on another server: %d %q; want 2 and %q", r.code, r.stderr, want)
	}
}

// A presets file with mistakes: the app starts, uses what it could read,
// and says what it could not, with the file and the line, in its log and
// in the window.
func TestMalformedPresetsStillStart(t *testing.T) {
	d := newDesk(t, deskOptions{display: true, tray: true})
	path := d.writePresets("server = http://" + d.addr + "\nautostart = yes\nlock = server, kind, autostart\nkind agent\n")
	d.wantLog = []string{`msg="tray app started"`, regexp.QuoteMeta(path + " line 4: ")}
	res := d.start()
	d.trayOf("Sin sesión")
	res.WaitLog(regexp.QuoteMeta(path+" line 4: ")+`.*not key = value`, startTimeout)
	res.WaitLog(regexp.QuoteMeta(path+" line 3: lock names kind"), stepTimeout)
	res.WaitLog(`window started`, startTimeout)
	d.waitWindow()
	d.screenshot("1-malformed-presets")
	if !res.Running() {
		t.Fatal("the resident stopped")
	}
	// What could be read is used: the server is locked, and so is
	// autostart, on from the start.
	r := d.run(password, "login", "--domain", "acme", "--user", user, "--password-stdin")
	if r.code != 2 || !strings.Contains(r.stderr, "línea 4") || !strings.Contains(r.stderr, "ha fijado el servidor") {
		t.Errorf("login on another server: %d %q", r.code, r.stderr)
	}
	testenv.WaitFor(t, stepTimeout, "the autostart entry", func() bool {
		_, err := os.Stat(filepath.Join(d.home.Dir, ".config", "autostart", "ucontact-tray.desktop"))
		return err == nil
	})
	d.assertAutostart(true)
}
