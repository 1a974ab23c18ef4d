//go:build e2e

package e2e

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"ucontact-tray/internal/testenv"
)

// waitLoginSaved waits until the resident has saved the choices of a login
// as user: the first login's autostart is settled by then.
func (d *desk) waitLoginSaved(user string) {
	d.t.Helper()
	path := filepath.Join(d.home.Dir, ".config", "ucontact-tray", "settings.json")
	testenv.WaitFor(d.t, stepTimeout, "the login's settings to be saved", func() bool {
		b, err := os.ReadFile(path)
		return err == nil && strings.Contains(string(b), `"user": "`+user+`"`)
	})
}

// assertAutostart checks whether the XDG autostart entry that starts the
// tray app is there, and that it starts this binary.
func (d *desk) assertAutostart(want bool) {
	d.t.Helper()
	path := filepath.Join(d.home.Dir, ".config", "autostart", "ucontact-tray.desktop")
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if want {
			d.t.Fatalf("no autostart entry at %s", path)
		}
	case err != nil:
		d.t.Fatal(err)
	case !want:
		d.t.Fatalf("an autostart entry at %s:\n%s", path, b)
	case !strings.Contains(string(b), "\nExec=\""+binary+"\"\n") || !strings.Contains(string(b), "\nX-GNOME-Autostart-enabled=true\n"):
		d.t.Fatalf("the autostart entry does not start %s:\n%s", binary, b)
	}
}
