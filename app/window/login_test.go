package window

import (
	"errors"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"ucontact-tray/app/control"
	"ucontact-tray/session"
	"ucontact-tray/session/ucontact"
)

// An error sits by the field it concerns, and goes as soon as that field
// changes; one about the last login that concerns no field goes at the
// first change of any.
func TestErrorsGoWhenTheirFieldChanges(t *testing.T) {
	tests := []struct {
		name      string
		info      control.Info
		loginErr  error
		wantField string
		edit      string // the field changed next
		stays     bool   // the error outlives that change
	}{
		{name: "no user, user typed", info: control.Info{Server: "acme"}, wantField: "user", edit: "user"},
		{name: "no user, server changed", info: control.Info{Server: "acme"}, wantField: "user", edit: "server", stays: true},
		{name: "wrong password, password typed", info: control.Info{Server: "acme", User: "ana"}, loginErr: ucontact.ErrWrongCredentials, wantField: "password", edit: "password"},
		// The server does not say which of the two was wrong.
		{name: "wrong password, user changed", info: control.Info{Server: "acme", User: "ana"}, loginErr: ucontact.ErrWrongCredentials, wantField: "password", edit: "user"},
		{name: "wrong password, server changed", info: control.Info{Server: "acme", User: "ana"}, loginErr: ucontact.ErrWrongCredentials, wantField: "password", edit: "server", stays: true},
		{name: "unreachable, server changed", info: control.Info{Server: "acme", User: "ana"}, loginErr: &ucontact.NetworkError{Op: "x", Err: errors.New("no such host")}, wantField: "server", edit: "server"},
		{name: "unreachable, user changed", info: control.Info{Server: "acme", User: "ana"}, loginErr: &ucontact.NetworkError{Op: "x", Err: errors.New("no such host")}, wantField: "server", edit: "user", stays: true},
		{name: "server error, user changed", info: control.Info{Server: "acme", User: "ana"}, loginErr: &ucontact.StatusError{Op: "x", Status: 500}, wantField: "general", edit: "user"},
		{name: "server error, kind changed", info: control.Info{Server: "acme", User: "ana"}, loginErr: &ucontact.StatusError{Op: "x", Status: 500}, wantField: "general", edit: "kind"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := open(t, &fakeBackend{info: tt.info, loginErr: tt.loginErr}, es)
			h.do(func(u *ui) {
				if tt.info.User != "" {
					typeInto(h.win, u.login.pass, "pw")
				}
				test.Tap(u.login.submit)
			})
			h.settle()
			h.do(func(u *ui) {
				if where, _ := h.errorShown(); where != tt.wantField {
					t.Fatalf("error by %s, want by %s", where, tt.wantField)
				}
				switch tt.edit {
				case "server":
					typeInto(h.win, u.login.server, "x")
				case "user":
					typeInto(h.win, u.login.user, "x")
				case "password":
					typeInto(h.win, u.login.pass, "x")
				case "kind":
					u.login.kind.SetSelected(es.T("window.kind_agent"))
				}
				want := "none"
				if tt.stays {
					want = tt.wantField
				}
				if where, text := h.errorShown(); where != want {
					t.Errorf("after a change of the %s: error by %s (%q), want %s", tt.edit, where, text, want)
				}
			})
		})
	}
}

// A line that is not about the last login (a setting that could not be
// changed) stays when the user types.
func TestOtherErrorsStayWhenTyping(t *testing.T) {
	on := true
	b := &fakeBackend{info: control.Info{Server: "acme", User: "ana", Autostart: &on}, changeErr: errors.New("permission denied")}
	h := open(t, b, es)
	h.do(func(u *ui) { test.Tap(u.login.autostart.check) })
	h.settle()
	h.do(func(u *ui) {
		typeInto(h.win, u.login.pass, "pw")
		if where, _ := h.errorShown(); where != "general" {
			t.Errorf("error by %s, want the autostart failure on the general line", where)
		}
	})
}

// Cancelar gives the login up: the form is back at once, the resident is
// asked to cancel, and the login's late answer changes nothing.
func TestCancelLogin(t *testing.T) {
	b := &fakeBackend{info: control.Info{Server: "acme", User: "ana"}, loginGate: make(chan struct{})}
	h := open(t, b, es)
	h.do(func(u *ui) {
		if u.login.cancel.Visible() {
			t.Error("Cancelar shown before any login")
		}
		typeInto(h.win, u.login.pass, "pw")
		pressEnter(u.login.pass)
	})
	h.waitAtGate("login")
	h.do(func(u *ui) {
		if !u.login.cancel.Visible() || u.login.cancel.Disabled() || u.login.cancel.Text != "Cancelar" {
			t.Fatalf("during the login: Cancelar %q shown %v, disabled %v", u.login.cancel.Text, u.login.cancel.Visible(), u.login.cancel.Disabled())
		}
		h.screenshot("login-in-progress")
		test.Tap(u.login.cancel)
		// At once, before the resident has answered.
		for name, w := range map[string]fyne.Disableable{"server": u.login.server, "user": u.login.user, "password": u.login.pass, "kind": u.login.kind} {
			if w.Disabled() {
				t.Errorf("%s still disabled after Cancelar", name)
			}
		}
		if u.login.cancel.Visible() || u.login.busy.Visible() || u.login.submit.Text != es.T("window.login") {
			t.Errorf("after Cancelar: Cancelar shown %v, progress shown %v, button %q", u.login.cancel.Visible(), u.login.busy.Visible(), u.login.submit.Text)
		}
	})
	h.settle()
	h.do(func(u *ui) {
		if where, text := h.errorShown(); where != "general" || text != "Inicio de sesión cancelado." || u.login.errText.Importance == widget.DangerImportance {
			t.Errorf("after the cancel: %s says %q (importance %v), want a quiet note that the login was cancelled", where, text, u.login.errText.Importance)
		}
		if u.login.submit.Disabled() || u.login.pass.Text != "pw" {
			t.Errorf("button disabled %v, password %q: the form is not the user's again", u.login.submit.Disabled(), u.login.pass.Text)
		}
		h.screenshot("login-cancelled")
	})
	if n := b.cancelCount(); n != 1 {
		t.Errorf("the resident was asked to cancel %d times, want 1", n)
	}
	if h.quits() != 0 {
		t.Error("the window closed")
	}
}

// A login asked for right after a cancel waits while the resident ends
// the cancelled one: the end of that one is not the new one's outcome.
func TestLoginRightAfterACancel(t *testing.T) {
	b := &fakeBackend{info: control.Info{Server: "acme", User: "ana"}, loginGate: make(chan struct{}), takeUp: make(chan struct{}, 1)}
	h := open(t, b, es)
	b.takeUp <- struct{}{}
	h.do(func(u *ui) {
		typeInto(h.win, u.login.pass, "pw")
		pressEnter(u.login.pass)
	})
	h.waitAtGate("login")
	h.do(func(u *ui) { test.Tap(u.login.cancel) })
	h.settle()
	h.do(func(u *ui) { pressEnter(u.login.pass) })
	// The cancelled login ends while the new one waits: the resident says
	// so on the stream.
	h.publish(control.StatusOf(session.Snapshot{}))
	h.do(func(u *ui) {
		if !u.login.submit.Disabled() || !u.login.pass.Disabled() || !u.login.submitted {
			t.Errorf("the form is usable while its login waits (button disabled %v)", u.login.submit.Disabled())
		}
	})
	close(b.loginGate)
	b.takeUp <- struct{}{}
	h.settle()
	if got := len(b.requests()); got != 2 {
		t.Errorf("%d logins asked for, want 2", got)
	}
	if h.quits() != 1 {
		t.Error("the window did not close after its login")
	}
}

// The session kind is on the first screen, under the password, not under
// "Más opciones"; the options there stay folded.
func TestSessionKindOnTheFirstScreen(t *testing.T) {
	h := open(t, &fakeBackend{info: control.Info{Server: "acme", User: "ana"}}, es)
	h.do(func(u *ui) {
		content := h.win.Content()
		if !shown(content, u.login.kind) {
			t.Error("the session kind is not on the first screen")
		}
		if shown(content, u.login.keep) {
			t.Error("the options under Más opciones are shown unfolded")
		}
		if got := u.login.form.Items[3].Text; got != es.T("window.kind") {
			t.Errorf("the fourth field is %q", got)
		}
		h.screenshot("login-empty")
		test.Tap(u.login.submit) // no password
		h.screenshot("login-field-error")
	})
}

// In demo mode "Iniciar con el sistema" is shown, disabled, and says that
// the demo does not change the system's start.
func TestAutostartInDemoMode(t *testing.T) {
	demo := &control.DemoAccount{Server: "http://127.0.0.1:8080", User: "demo", Password: "demo"}
	b := &fakeBackend{info: control.Info{Server: demo.Server, User: demo.User, Demo: demo}}
	h := open(t, b, es)
	h.do(func(u *ui) {
		a := u.login.autostart
		if !a.check.Visible() || !a.check.Disabled() || a.check.Checked {
			t.Errorf("box shown %v, disabled %v, checked %v; want shown, disabled, unchecked", a.check.Visible(), a.check.Disabled(), a.check.Checked)
		}
		if want := es.T("window.autostart_demo"); !a.fixed.Visible() || a.fixed.Text != want {
			t.Errorf("note %q (shown %v), want %q", a.fixed.Text, a.fixed.Visible(), want)
		}
		test.Tap(a.check)
		openOptions(t, u)
	})
	h.settle()
	h.do(func(*ui) { h.screenshot("login-demo-more-options") })
	if got := b.autostartChanges(); len(got) != 0 {
		t.Errorf("the resident was asked to change autostart: %v", got)
	}
}

// openOptions unfolds "Más opciones".
func openOptions(t *testing.T, u *ui) {
	t.Helper()
	for _, o := range u.login.box.Objects {
		if acc, ok := o.(*widget.Accordion); ok {
			acc.Open(0)
			return
		}
	}
	t.Fatal("no Más opciones")
}

// shown reports whether target is drawn within o: it and everything
// around it visible.
func shown(o, target fyne.CanvasObject) bool {
	if !o.Visible() {
		return false
	}
	if o == target {
		return true
	}
	var children []fyne.CanvasObject
	switch w := o.(type) {
	case *fyne.Container:
		children = w.Objects
	case fyne.Widget:
		children = test.WidgetRenderer(w).Objects()
	}
	for _, c := range children {
		if shown(c, target) {
			return true
		}
	}
	return false
}

// screenshot saves what the window shows as name.png in the folder
// UCT_WINDOW_SHOTS names, if any, for a person to look at. Call it on
// the UI thread.
func (h *harness) screenshot(name string) {
	h.t.Helper()
	dir := os.Getenv("UCT_WINDOW_SHOTS")
	if dir == "" {
		return
	}
	h.ui.fit()
	f, err := os.Create(filepath.Join(dir, name+".png"))
	if err != nil {
		h.t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, h.win.Canvas().Capture()); err != nil {
		h.t.Fatal(err)
	}
}
