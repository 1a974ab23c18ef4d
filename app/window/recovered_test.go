package window

import (
	"testing"

	"ucontact-tray/app/control"
)

// The window a start opens after ending a session a crash left open says
// so above the form, until a new session is opened.
func TestRecoveredSessionInTheBanner(t *testing.T) {
	b := &fakeBackend{info: control.Info{
		Server: "acme", User: "ana", NoTray: "no-host", // no tray: the window stays after the login
		Recovered: &control.RecoveredSession{User: "ana", Server: "https://acme.ucontactcloud.com"},
	}}
	h := open(t, b, es)
	want := es.T("notify.recovered", "User", "ana", "Server", "acme")
	h.do(func(u *ui) {
		if !u.banner.Visible() || u.banner.Text != es.T("window.no_tray_host")+"\n\n"+want {
			t.Errorf("banner (shown %v):\n%s\nwant the no-tray text, then:\n%s", u.banner.Visible(), u.banner.Text, want)
		}
		typeInto(h.win, u.login.pass, "pw")
		pressEnter(u.login.pass)
	})
	h.settle()
	h.do(func(u *ui) {
		if !u.session.box.Visible() {
			t.Fatal("the session view is not shown")
		}
		if u.banner.Text != es.T("window.no_tray_host") {
			t.Errorf("banner after a new login:\n%s\nwant the no-tray text alone", u.banner.Text)
		}
	})
}
