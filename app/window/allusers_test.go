package window

import (
	"testing"

	"ucontact-tray/app/control"
	"ucontact-tray/internal/settings"
)

// When the administrator starts the app for every user of the computer,
// the box is ticked and cannot be changed, and the note says why.
func TestAutostartForAllUsers(t *testing.T) {
	on := true
	b := &fakeBackend{info: control.Info{
		Server: "acme", Autostart: &on, AutostartForAllUsers: true, Locked: settings.Locks{Autostart: true},
	}}
	h := open(t, b, es)
	h.do(func(u *ui) {
		if !u.login.autostart.check.Visible() || !u.login.autostart.check.Checked || !u.login.autostart.check.Disabled() {
			t.Errorf("box shown %v, checked %v, disabled %v", u.login.autostart.check.Visible(), u.login.autostart.check.Checked, u.login.autostart.check.Disabled())
		}
		want := "Activado por el administrador para todos los usuarios de este equipo"
		if !u.login.autostart.fixed.Visible() || u.login.autostart.fixed.Text != want {
			t.Errorf("note %q (shown %v), want %q", u.login.autostart.fixed.Text, u.login.autostart.fixed.Visible(), want)
		}
		if u.login.kindFix.Text != "Fijado por el administrador" {
			t.Errorf("the other notes changed too: %q", u.login.kindFix.Text)
		}
	})
}
