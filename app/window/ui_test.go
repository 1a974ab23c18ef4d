package window

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"ucontact-tray/app/control"
	"ucontact-tray/app/messages"
	"ucontact-tray/internal/i18n"
	"ucontact-tray/internal/settings"
	"ucontact-tray/internal/testenv"
	"ucontact-tray/session"
	"ucontact-tray/session/secrets"
	"ucontact-tray/session/ucontact"
)

var es = i18n.MustNew(i18n.Spanish)

func TestPrefillFromInfo(t *testing.T) {
	tests := []struct {
		name      string
		info      control.Info
		wantKind  string
		wantKeep  bool
		wantFocus string
	}{
		{
			name:      "last login",
			info:      control.Info{Server: "acme", User: "ana", Kind: "agent", Remember: true},
			wantKind:  es.T("window.kind_agent"),
			wantKeep:  true,
			wantFocus: "password",
		},
		{
			name:      "first run",
			info:      control.Info{},
			wantKind:  es.T("window.kind_user"),
			wantFocus: "server",
		},
		{
			name:      "server only",
			info:      control.Info{Server: "acme", Kind: "user"},
			wantKind:  es.T("window.kind_user"),
			wantFocus: "user",
		},
		{
			name:      "saved password",
			info:      control.Info{Server: "acme", User: "ana", Kind: "user", Remember: true, SavedPassword: true},
			wantKind:  es.T("window.kind_user"),
			wantKeep:  true,
			wantFocus: "password",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := open(t, &fakeBackend{info: tt.info}, es)
			h.do(func(u *ui) {
				if u.login.server.Text != tt.info.Server || u.login.user.Text != tt.info.User {
					t.Errorf("server, user = %q, %q; want %q, %q", u.login.server.Text, u.login.user.Text, tt.info.Server, tt.info.User)
				}
				if u.login.kind.Selected != tt.wantKind {
					t.Errorf("kind = %q, want %q", u.login.kind.Selected, tt.wantKind)
				}
				if u.login.keep.Checked != tt.wantKeep || u.login.keep.Disabled() {
					t.Errorf("remember checked %v, disabled %v; want checked %v, enabled", u.login.keep.Checked, u.login.keep.Disabled(), tt.wantKeep)
				}
				if got := h.focused(); got != tt.wantFocus {
					t.Errorf("focus on %s, want %s", got, tt.wantFocus)
				}
				wantHint := ""
				if tt.info.SavedPassword {
					wantHint = es.T("window.password_saved")
				}
				if u.login.pass.PlaceHolder != wantHint {
					t.Errorf("password placeholder %q, want %q", u.login.pass.PlaceHolder, wantHint)
				}
				if u.banner.Visible() || u.login.errText.Visible() || u.login.keepWhy.Visible() {
					t.Error("a banner, error or keyring note is shown")
				}
			})
		})
	}
}

func TestEnterSubmitsOneLogin(t *testing.T) {
	tests := []struct {
		name   string
		info   control.Info
		server string // typed into the empty field
		user   string
		pass   string
		agent  bool
		keep   bool
		want   control.LoginRequest
	}{
		{
			name:   "user session",
			server: "acme", user: "ana", pass: "s3cret",
			want: control.LoginRequest{Server: "acme", User: "ana", Password: "s3cret", Kind: "user"},
		},
		{
			name:   "agent remembering the password",
			server: "https://uc.example.com", user: "ana", pass: "s3cret", agent: true, keep: true,
			want: control.LoginRequest{Server: "https://uc.example.com", User: "ana", Password: "s3cret", Kind: "agent", Remember: true},
		},
		{
			name:   "spaces are trimmed but not from the password",
			server: "  acme ", user: " ana  ", pass: " pw ",
			want: control.LoginRequest{Server: "acme", User: "ana", Password: " pw ", Kind: "user"},
		},
		{
			name: "saved password",
			info: control.Info{Server: "acme", User: "ana", Kind: "agent", Remember: true, SavedPassword: true},
			want: control.LoginRequest{Server: "acme", User: "ana", Kind: "agent", Remember: true, UseSavedPassword: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := &fakeBackend{info: tt.info, loginErr: ucontact.ErrWrongCredentials}
			h := open(t, b, es)
			h.do(func(u *ui) {
				typeInto(h.win, u.login.server, tt.server)
				typeInto(h.win, u.login.user, tt.user)
				typeInto(h.win, u.login.pass, tt.pass)
				if tt.agent {
					u.login.kind.SetSelected(es.T("window.kind_agent"))
				}
				if tt.keep {
					u.login.keep.SetChecked(true)
				}
				pressEnter(u.login.pass)
			})
			h.settle()
			if got := b.requests(); len(got) != 1 || got[0] != tt.want {
				t.Errorf("requests %+v, want one: %+v", got, tt.want)
			}
		})
	}
}

func TestEnterMovesToTheNextEmptyField(t *testing.T) {
	b := &fakeBackend{loginErr: ucontact.ErrWrongCredentials}
	h := open(t, b, es)
	h.do(func(u *ui) {
		typeInto(h.win, u.login.server, "acme")
		pressEnter(u.login.server)
		if got := h.focused(); got != "user" {
			t.Errorf("Enter in the server field: focus on %s, want user", got)
		}
		typeInto(h.win, u.login.user, "ana")
		pressEnter(u.login.user)
		if got := h.focused(); got != "password" {
			t.Errorf("Enter in the user field: focus on %s, want password", got)
		}
		if u.login.submit.Disabled() {
			t.Error("a login started without a password")
		}
		typeInto(h.win, u.login.pass, "pw")
		pressEnter(u.login.server) // all filled in: Enter anywhere logs in
	})
	h.settle()
	if got := b.requests(); len(got) != 1 {
		t.Errorf("%d requests, want 1", len(got))
	}
}

func TestLoginInProgress(t *testing.T) {
	b := &fakeBackend{
		info:      control.Info{Server: "acme", User: "ana"},
		loginErr:  ucontact.ErrWrongCredentials,
		loginGate: make(chan struct{}),
	}
	h := open(t, b, es)
	h.do(func(u *ui) {
		typeInto(h.win, u.login.pass, "pw")
		pressEnter(u.login.pass)
	})
	h.waitAtGate("login")
	h.do(func(u *ui) {
		for name, w := range map[string]fyne.Disableable{
			"server": u.login.server, "user": u.login.user, "password": u.login.pass, "kind": u.login.kind, "remember": u.login.keep, "button": u.login.submit,
		} {
			if !w.Disabled() {
				t.Errorf("%s enabled during the login", name)
			}
		}
		if want := "Iniciando sesión…"; u.login.submit.Text != want {
			t.Errorf("button reads %q, want %q", u.login.submit.Text, want)
		}
		if !u.login.busy.Visible() {
			t.Error("no progress bar")
		}
		// Asking again does nothing.
		pressEnter(u.login.pass)
		test.Tap(u.login.submit)
	})
	close(b.loginGate)
	h.settle()
	h.do(func(u *ui) {
		if u.login.busy.Visible() || u.login.submit.Text != es.T("window.login") {
			t.Errorf("after the login: progress bar shown %v, button %q", u.login.busy.Visible(), u.login.submit.Text)
		}
	})
	if got := b.requests(); len(got) != 1 {
		t.Errorf("%d requests, want 1", len(got))
	}
}

func TestLoginFails(t *testing.T) {
	tests := []struct {
		name      string
		server    string
		err       error // what the server's answer amounts to; nil: the resident rejects the server
		wantField string
		wantText  string
		wantFocus string
		wantPass  string
	}{
		{
			name:      "wrong password",
			server:    "acme",
			err:       fmt.Errorf("OpenUserSession: %w", ucontact.ErrWrongCredentials),
			wantField: "password",
			wantText:  "Usuario o contraseña incorrectos.",
			wantFocus: "password",
			wantPass:  "",
		},
		{
			name:      "server unreachable",
			server:    "acme",
			err:       &ucontact.NetworkError{Op: "OpenUserSession", Err: errors.New("connection refused")},
			wantField: "server",
			wantText:  "No se pudo conectar con el servidor acme. Revise la conexión a la red y el nombre del servidor.",
			wantFocus: "password",
			wantPass:  "pw",
		},
		{
			name:      "own server unreachable",
			server:    "https://uc.example.com:8443",
			err:       &ucontact.NetworkError{Op: "OpenUserSession", Err: errors.New("no route to host")},
			wantField: "server",
			wantText:  "No se pudo conectar con el servidor uc.example.com:8443. Revise la conexión a la red y el nombre del servidor.",
			wantFocus: "password",
			wantPass:  "pw",
		},
		{
			name:      "invalid server",
			server:    "acme.example.com/path",
			wantField: "server",
			wantText:  es.T("err.invalid_server"),
			wantFocus: "server",
			wantPass:  "pw",
		},
		{
			name:      "untrusted certificate",
			server:    "https://uc.example.com",
			err:       &ucontact.CertificateError{Op: "OpenUserSession", Host: "uc.example.com", Issuer: "ACME CA", Problem: ucontact.UnknownAuthority, Err: errors.New("x509")},
			wantField: "server",
			wantText:  es.T("err.certificate", "Host", "uc.example.com", "Issuer", "ACME CA"),
			wantFocus: "password",
			wantPass:  "pw",
		},
		{
			name:      "not a uContact server",
			server:    "acme",
			err:       &ucontact.ProtocolError{Op: "OpenUserSession", Detail: "html"},
			wantField: "server",
			wantText:  es.T("err.protocol", "Server", "acme"),
			wantFocus: "password",
			wantPass:  "pw",
		},
		{
			name:      "server error",
			server:    "acme",
			err:       &ucontact.StatusError{Op: "OpenUserSession", Status: 503},
			wantField: "general",
			wantText:  es.T("err.status", "Server", "acme", "Detail", "503"),
			wantFocus: "password",
			wantPass:  "pw",
		},
		{
			name:      "keyring",
			server:    "acme",
			err:       fmt.Errorf("saving the token: %w", secrets.ErrUnavailable),
			wantField: "general",
			wantText:  es.T("err.keyring"),
			wantFocus: "password",
			wantPass:  "pw",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := &fakeBackend{info: control.Info{Server: tt.server, User: "ana"}, loginErr: tt.err}
			h := open(t, b, es)
			h.do(func(u *ui) {
				typeInto(h.win, u.login.pass, "pw")
				pressEnter(u.login.pass)
			})
			h.settle()
			h.do(func(u *ui) {
				if field, text := h.errorShown(); field != tt.wantField || text != tt.wantText {
					t.Errorf("error by %s: %q; want by %s: %q", field, text, tt.wantField, tt.wantText)
				}
				h.screenshot("login-error-" + strings.ReplaceAll(tt.name, " ", "-"))
				if u.login.server.Text != tt.server || u.login.user.Text != "ana" || u.login.pass.Text != tt.wantPass {
					t.Errorf("form holds %q, %q, %q; want %q, ana, %q", u.login.server.Text, u.login.user.Text, u.login.pass.Text, tt.server, tt.wantPass)
				}
				if got := h.focused(); got != tt.wantFocus {
					t.Errorf("focus on %s, want %s", got, tt.wantFocus)
				}
				for _, w := range []fyne.Disableable{u.login.server, u.login.user, u.login.pass, u.login.kind, u.login.keep, u.login.submit} {
					if w.Disabled() {
						t.Errorf("%T disabled after the failure", w)
					}
				}
				if u.login.busy.Visible() {
					t.Error("progress bar still shown")
				}
			})
			if h.quits() != 0 {
				t.Error("the window closed")
			}
		})
	}
}

func TestEmptyFields(t *testing.T) {
	tests := []struct {
		name      string
		info      control.Info
		wantText  string
		wantFocus string // and where the error is
	}{
		{"no server", control.Info{User: "ana"}, es.T("usage.need_server_window"), "server"},
		{"blank server", control.Info{Server: "   ", User: "ana"}, es.T("usage.need_server_window"), "server"},
		{"no user", control.Info{Server: "acme"}, "Falta el usuario.", "user"},
		{"no password", control.Info{Server: "acme", User: "ana"}, "Falta la contraseña.", "password"},
		{
			// The saved password is for the saved server and user only.
			name:      "saved password, other user",
			info:      control.Info{Server: "acme", User: "ana", SavedPassword: true},
			wantText:  "Falta la contraseña.",
			wantFocus: "password",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := &fakeBackend{info: tt.info}
			h := open(t, b, es)
			h.do(func(u *ui) {
				if tt.info.SavedPassword {
					u.login.user.SetText("bea")
				}
				test.Tap(u.login.submit)
				if field, text := h.errorShown(); field != tt.wantFocus || text != tt.wantText {
					t.Errorf("error by %s: %q; want by %s: %q", field, text, tt.wantFocus, tt.wantText)
				}
				if got := h.focused(); got != tt.wantFocus {
					t.Errorf("focus on %s, want %s", got, tt.wantFocus)
				}
				if u.login.submit.Disabled() {
					t.Error("the form is busy")
				}
			})
			if got := b.requests(); len(got) != 0 {
				t.Errorf("sent %+v", got)
			}
		})
	}
}

func TestKeyringUnavailable(t *testing.T) {
	b := &fakeBackend{
		info:     control.Info{Server: "acme", User: "ana", Remember: true, KeyringError: "keyring"},
		loginErr: ucontact.ErrWrongCredentials,
	}
	h := open(t, b, es)
	check := func(when string) {
		h.do(func(u *ui) {
			if u.login.keep.Checked || !u.login.keep.Disabled() {
				t.Errorf("%s: remember checked %v, disabled %v; want unchecked and disabled", when, u.login.keep.Checked, u.login.keep.Disabled())
			}
			want := es.T("window.remember_unavailable") + " " + es.T("err.keyring")
			if !u.login.keepWhy.Visible() || u.login.keepWhy.Text != want {
				t.Errorf("%s: reason %q (shown %v), want %q", when, u.login.keepWhy.Text, u.login.keepWhy.Visible(), want)
			}
		})
	}
	check("at start")
	h.do(func(u *ui) {
		typeInto(h.win, u.login.pass, "pw")
		pressEnter(u.login.pass)
	})
	h.settle()
	check("after a login")
	if got := b.requests(); len(got) != 1 || got[0].Remember {
		t.Errorf("requests %+v, want one not remembering the password", got)
	}
}

func TestLoggedInWithATray(t *testing.T) {
	b := &fakeBackend{info: control.Info{Server: "acme", User: "ana"}}
	h := open(t, b, es)
	h.do(func(u *ui) {
		typeInto(h.win, u.login.pass, "pw")
		pressEnter(u.login.pass)
	})
	h.settle()
	if n := h.quits(); n != 1 {
		t.Errorf("quit %d times", n)
	}
}

// A panel that starts after the window opened: the banner goes, and the
// window closes after the login as it does with a tray; the panel gone
// for good brings the banner back.
func TestTrayHostAppearsWhileOpen(t *testing.T) {
	b := &fakeBackend{info: control.Info{Server: "acme", User: "ana", NoTray: "no-host"}}
	h := open(t, b, es)
	checkBanner := func(when string, want bool) {
		t.Helper()
		h.do(func(u *ui) {
			if u.banner.Visible() != want || (want && u.banner.Text != es.T("window.no_tray_host")) {
				t.Errorf("%s: banner %q (shown %v), want shown %v", when, u.banner.Text, u.banner.Visible(), want)
			}
		})
	}
	checkBanner("at start", true)
	h.publishTray("")
	checkBanner("the panel came", false)
	h.publishTray("no-host")
	checkBanner("the panel went", true)
	h.publishTray("")
	checkBanner("the panel came back", false)
	h.do(func(u *ui) {
		typeInto(h.win, u.login.pass, "pw")
		pressEnter(u.login.pass)
	})
	h.settle()
	if n := h.quits(); n != 1 {
		t.Errorf("quit %d times, want the window closed after the login", n)
	}
}

func TestLoggedInWithoutATray(t *testing.T) {
	b := &fakeBackend{
		info:       control.Info{Server: "acme", User: "ana", Kind: "agent", NoTray: "no-host"},
		logoutGate: make(chan struct{}),
	}
	h := open(t, b, es)
	h.do(func(u *ui) {
		if !u.banner.Visible() || u.banner.Text != es.T("window.no_tray_host") {
			t.Errorf("banner %q (shown %v), want the no-tray text", u.banner.Text, u.banner.Visible())
		}
		typeInto(h.win, u.login.pass, "pw")
		pressEnter(u.login.pass)
	})
	h.settle()
	h.do(func(u *ui) {
		if u.login.box.Visible() {
			t.Error("the login form is still shown")
		}
		if !u.banner.Visible() {
			t.Error("the banner is gone")
		}
		if u.session.user.Text != "ana" || u.session.server.Text != "acme" || u.session.kind.Text != es.T("kind.agent") {
			t.Errorf("session shows %q @ %q (%q)", u.session.user.Text, u.session.server.Text, u.session.kind.Text)
		}
		if u.session.end.Text != "Finalizar Sesión" || u.session.end.Disabled() {
			t.Errorf("end button %q, disabled %v", u.session.end.Text, u.session.end.Disabled())
		}
		if got := h.win.Title(); got != es.T("window.session_title") {
			t.Errorf("title %q", got)
		}
		test.Tap(u.session.end)
		if !u.session.end.Disabled() || !u.session.busy.Visible() {
			t.Errorf("while logging out: button disabled %v, progress bar %v", u.session.end.Disabled(), u.session.busy.Visible())
		}
		test.Tap(u.session.end)
	})
	h.waitAtGate("logout")
	h.do(func(u *ui) {
		if u.session.state.Text != es.T("status.logging_out") {
			t.Errorf("during the logout: state %q", u.session.state.Text)
		}
		if !u.session.end.Disabled() || !u.session.busy.Visible() {
			t.Errorf("during the logout: button disabled %v, progress bar %v", u.session.end.Disabled(), u.session.busy.Visible())
		}
	})
	close(b.logoutGate)
	h.settle()
	h.do(func(u *ui) {
		if u.session.box.Visible() || u.session.err.Visible() || u.login.errText.Visible() {
			t.Errorf("after the logout: session shown %v, errors %q %q", u.session.box.Visible(), u.session.err.Text, u.login.errText.Text)
		}
	})
	if n := b.logoutCount(); n != 1 {
		t.Errorf("%d logouts, want 1", n)
	}
	if n := h.quits(); n != 0 {
		t.Errorf("quit %d times, want none: the window stands in for the tray", n)
	}
}

// The session view says why the tray shows the attention icon: a problem
// of a session that is fine under its state, as the tray's tooltip does; a
// pending logout in its state, with why it is pending.
func TestSessionNeedsAttention(t *testing.T) {
	since := time.Now()
	fine := session.Snapshot{State: session.LoggedIn, User: "ana", Server: "https://acme.ucontactcloud.com", Kind: session.KindUser, Since: since}
	opened := "Sesión abierta " + messages.Since(es, since, since) // see TestSince
	tokenInFile, unreadable, pending := fine, fine, fine
	tokenInFile.TokenFile = "/home/ana/.local/state/ucontact-tray/token"
	unreadable.Warning = fmt.Errorf("%w: no keyring", session.ErrTokenUnreadable)
	pending.State = session.LogoutPending
	pending.LastError = &ucontact.NetworkError{Op: "CloseSession", Err: errors.New("connection refused")}
	h := open(t, &fakeBackend{info: control.Info{Server: "acme", User: "ana"}}, es)
	for _, tc := range []struct {
		name                  string
		s                     session.Snapshot
		state, attention, err string // "": not shown
	}{
		{"fine", fine, opened, "", ""},
		{"token in a file", tokenInFile, opened, es.T("tray.no_keyring"), ""},
		{"token unreadable", unreadable, opened, es.T("warn.token_unreadable"), ""},
		{
			"logout pending", pending, "Cierre pendiente: ana @ acme", "",
			"No se pudo conectar con el servidor acme. Revise la conexión a la red y el nombre del servidor. " + es.T("notify.pending"),
		},
		{"fine again", fine, opened, "", ""},
	} {
		h.publish(control.StatusOf(tc.s))
		h.do(func(u *ui) {
			v := u.session
			if !v.box.Visible() || v.state.Text != tc.state {
				t.Errorf("%s: session shown %v, state %q; want %q", tc.name, v.box.Visible(), v.state.Text, tc.state)
			}
			for _, l := range []struct {
				name  string
				label *widget.Label
				want  string
			}{{"attention", v.attention, tc.attention}, {"error", v.err, tc.err}} {
				if l.label.Visible() != (l.want != "") || (l.want != "" && l.label.Text != l.want) {
					t.Errorf("%s: %s %q (shown %v), want %q", tc.name, l.name, l.label.Text, l.label.Visible(), l.want)
				}
			}
		})
	}
}

// What the administrator locked shows, read-only, with the reason; the
// login uses it, and it stays read-only after a failed login.
func TestAdminLocks(t *testing.T) {
	b := &fakeBackend{
		info: control.Info{
			Server: "acme", Kind: "agent",
			Locked: settings.Locks{Server: true, Kind: true},
		},
		loginErr: ucontact.ErrWrongCredentials,
	}
	h := open(t, b, es)
	check := func(when string) {
		h.t.Helper()
		h.do(func(u *ui) {
			if u.login.server.Text != "acme" || !u.login.server.Disabled() {
				t.Errorf("%s: server %q, disabled %v; want acme, read-only", when, u.login.server.Text, u.login.server.Disabled())
			}
			if hint := u.login.form.Items[0].HintText; hint != "Fijado por el administrador" {
				t.Errorf("%s: server hint %q", when, hint)
			}
			if u.login.kind.Selected != es.T("window.kind_agent") || !u.login.kind.Disabled() {
				t.Errorf("%s: kind %q, disabled %v; want agent, read-only", when, u.login.kind.Selected, u.login.kind.Disabled())
			}
			if !u.login.kindFix.Visible() || u.login.kindFix.Text != "Fijado por el administrador" {
				t.Errorf("%s: kind note %q, shown %v", when, u.login.kindFix.Text, u.login.kindFix.Visible())
			}
			for name, w := range map[string]fyne.Disableable{"user": u.login.user, "password": u.login.pass, "remember": u.login.keep, "button": u.login.submit} {
				if w.Disabled() {
					t.Errorf("%s: %s disabled", when, name)
				}
			}
		})
	}
	check("at start")
	h.do(func(u *ui) {
		if got := h.focused(); got != "user" {
			t.Errorf("focus on %s, want user", got)
		}
		typeInto(h.win, u.login.user, "ana")
		pressEnter(u.login.user)
		typeInto(h.win, u.login.pass, "pw")
		pressEnter(u.login.pass)
	})
	h.settle()
	check("after a failed login")
	want := control.LoginRequest{Server: "acme", User: "ana", Password: "pw", Kind: "agent"}
	if got := b.requests(); len(got) != 1 || got[0] != want {
		t.Errorf("requests %+v, want one: %+v", got, want)
	}
}

// Nothing is locked without presets: the server keeps its usual hint.
func TestNoLocks(t *testing.T) {
	h := open(t, &fakeBackend{info: control.Info{Server: "acme", Kind: "agent"}}, es)
	h.do(func(u *ui) {
		if u.login.server.Disabled() || u.login.kind.Disabled() || u.login.kindFix.Visible() || u.login.form.Items[0].HintText != es.T("window.server_hint") {
			t.Errorf("server disabled %v, kind disabled %v, kind note %v, hint %q",
				u.login.server.Disabled(), u.login.kind.Disabled(), u.login.kindFix.Visible(), u.login.form.Items[0].HintText)
		}
	})
}

// A presets file with mistakes is reported in the banner, file and line,
// under the no-tray notice if there is one; the form works.
func TestPresetProblemsInTheBanner(t *testing.T) {
	const file = "/etc/ucontact-tray/presets.conf"
	b := &fakeBackend{info: control.Info{
		NoTray: "no-host",
		PresetProblems: []settings.Problem{
			{File: file, Line: 3, Code: settings.ProblemUnknownKey, Key: "colour"},
			{File: file, Line: 4, Code: settings.ProblemBadValue, Key: "kind", Value: "boss"},
		},
	}}
	h := open(t, b, es)
	h.do(func(u *ui) {
		lines := strings.Split(u.banner.Text, "\n\n")
		if !u.banner.Visible() || len(lines) != 3 || lines[0] != es.T("window.no_tray_host") {
			t.Fatalf("banner (shown %v):\n%s", u.banner.Visible(), u.banner.Text)
		}
		for i, want := range []string{file + ", línea 3", file + ", línea 4"} {
			if !strings.Contains(lines[i+1], want) {
				t.Errorf("banner line %q does not name %q", lines[i+1], want)
			}
		}
		if u.login.server.Disabled() || u.login.submit.Disabled() {
			t.Error("the form is disabled")
		}
	})
}

// "Iniciar con el sistema" shows what the resident says, and a click
// changes it at once, through the resident.
func TestAutostartCheckbox(t *testing.T) {
	on := true
	b := &fakeBackend{info: control.Info{Server: "acme", User: "ana", Autostart: &on}}
	h := open(t, b, es)
	h.do(func(u *ui) {
		if !u.login.autostart.check.Visible() || !u.login.autostart.check.Checked || u.login.autostart.check.Disabled() || u.login.autostart.check.Text != "Iniciar con el sistema" {
			t.Errorf("autostart %q shown %v, checked %v, disabled %v", u.login.autostart.check.Text, u.login.autostart.check.Visible(), u.login.autostart.check.Checked, u.login.autostart.check.Disabled())
		}
		if u.login.autostart.fixed.Visible() {
			t.Error("the administrator's note is shown")
		}
		test.Tap(u.login.autostart.check)
		if !u.login.autostart.check.Disabled() {
			t.Error("the box can be clicked again before the resident answered")
		}
	})
	h.settle()
	h.do(func(u *ui) {
		if u.login.autostart.check.Checked || u.login.autostart.check.Disabled() {
			t.Errorf("after unticking: checked %v, disabled %v", u.login.autostart.check.Checked, u.login.autostart.check.Disabled())
		}
		test.Tap(u.login.autostart.check)
	})
	h.settle()
	if got := b.autostartChanges(); !slices.Equal(got, []bool{false, true}) {
		t.Errorf("the resident was asked for %v, want [false true]", got)
	}
	h.do(func(u *ui) {
		if !u.login.autostart.check.Checked || u.login.errText.Visible() {
			t.Errorf("after ticking again: checked %v, error %q", u.login.autostart.check.Checked, u.login.errText.Text)
		}
	})
}

func TestAutostartFails(t *testing.T) {
	on := true
	b := &fakeBackend{
		info:      control.Info{Server: "acme", User: "ana", Autostart: &on},
		changeErr: errors.New("writing the autostart entry: permission denied"),
	}
	h := open(t, b, es)
	h.do(func(u *ui) { test.Tap(u.login.autostart.check) })
	h.settle()
	h.do(func(u *ui) {
		if !u.login.autostart.check.Checked || u.login.autostart.check.Disabled() {
			t.Errorf("checked %v, disabled %v; want it back on, and usable", u.login.autostart.check.Checked, u.login.autostart.check.Disabled())
		}
		want := "No se pudo cambiar «Iniciar con el sistema»: writing the autostart entry: permission denied"
		if !u.login.errText.Visible() || u.login.errText.Text != want {
			t.Errorf("error %q (shown %v), want %q", u.login.errText.Text, u.login.errText.Visible(), want)
		}
	})
	if got := b.autostartChanges(); len(got) != 1 {
		t.Errorf("the resident was asked %d times, want 1: putting the box back is no change", len(got))
	}
}

func TestAutostartLockedOrUnavailable(t *testing.T) {
	off := false
	tests := []struct {
		name          string
		info          control.Info
		shown, locked bool
	}{
		{"locked", control.Info{Autostart: &off, Locked: settings.Locks{Autostart: true}}, true, true},
		{"unavailable", control.Info{}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := &fakeBackend{info: tt.info}
			h := open(t, b, es)
			h.do(func(u *ui) {
				if u.login.autostart.check.Visible() != tt.shown || u.login.autostart.check.Disabled() != tt.locked || u.login.autostart.fixed.Visible() != tt.locked {
					t.Errorf("box shown %v, disabled %v, note %v", u.login.autostart.check.Visible(), u.login.autostart.check.Disabled(), u.login.autostart.fixed.Visible())
				}
				if u.login.autostart.check.Checked {
					t.Error("checked")
				}
				test.Tap(u.login.autostart.check)
			})
			h.settle()
			if got := b.autostartChanges(); len(got) != 0 {
				t.Errorf("the resident was asked for %v", got)
			}
		})
	}
}

func TestEnglish(t *testing.T) {
	h := open(t, &fakeBackend{}, i18n.MustNew(i18n.English))
	h.do(func(u *ui) {
		if u.login.submit.Text != "Log in" {
			t.Errorf("button reads %q", u.login.submit.Text)
		}
	})
}

func TestNoResident(t *testing.T) {
	tests := []struct {
		name string
		b    *fakeBackend
		want string
	}{
		{name: "info", b: &fakeBackend{infoErr: control.ErrNoResident}, want: es.T("err.tray_not_running")},
		{name: "info unanswered", b: &fakeBackend{infoErr: fmt.Errorf("control socket: %w (i/o timeout)", control.ErrNotAnswering)}, want: es.T("err.tray_not_answering")},
		{name: "watch", b: &fakeBackend{watchErr: control.ErrNoResident}, want: es.T("err.tray_not_running")},
		{
			name: "another user's socket",
			b:    &fakeBackend{infoErr: &control.ForeignError{Path: "/tmp/x/control.sock", Owner: "uid 1001"}},
			want: es.T("err.foreign_socket", "Path", "/tmp/x/control.sock", "Owner", "uid 1001"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := start(t, tt.b, es)
			h.waitPending("the window to give up on the resident", func(calls, watches int) bool { return calls == 0 && watches == 0 })
			h.do(func(u *ui) {
				if u.login.errText.Text != tt.want {
					t.Errorf("error %q, want %q", u.login.errText.Text, tt.want)
				}
				if strings.Contains(u.login.errText.Text, "servidor") {
					t.Errorf("the error blames the server: %q", u.login.errText.Text)
				}
				for _, w := range []fyne.Disableable{u.login.server, u.login.user, u.login.pass, u.login.kind, u.login.keep, u.login.submit} {
					if !w.Disabled() {
						t.Errorf("%T enabled", w)
					}
				}
				// Disabled, not logging in.
				if u.login.busy.Visible() || u.login.submit.Text != es.T("window.login") {
					t.Errorf("progress bar shown %v, button %q", u.login.busy.Visible(), u.login.submit.Text)
				}
				if !u.login.reconnect.Visible() || u.login.reconnect.Disabled() {
					t.Errorf("no way to try again: shown %v, disabled %v", u.login.reconnect.Visible(), u.login.reconnect.Disabled())
				}
			})
		})
	}
}

// A resident that did not answer at first is asked again with a click, and
// the window becomes usable.
func TestReconnect(t *testing.T) {
	b := &fakeBackend{
		info:      control.Info{Server: "acme", User: "ana"},
		infoErr:   fmt.Errorf("control socket: %w (i/o timeout)", control.ErrNotAnswering),
		infoFails: 1,
	}
	h := start(t, b, es)
	h.settle()
	h.do(func(u *ui) {
		if !u.login.reconnect.Visible() {
			t.Fatal("no way to try again")
		}
		test.Tap(u.login.reconnect)
	})
	h.publish(control.StatusOf(session.Snapshot{}))
	h.settle()
	h.do(func(u *ui) {
		if u.login.reconnect.Visible() || u.login.errText.Visible() {
			t.Errorf("after a good answer: reconnect shown %v, error %q shown %v", u.login.reconnect.Visible(), u.login.errText.Text, u.login.errText.Visible())
		}
		if u.login.server.Text != "acme" || u.login.user.Text != "ana" {
			t.Errorf("form holds %q, %q", u.login.server.Text, u.login.user.Text)
		}
		for _, w := range []fyne.Disableable{u.login.server, u.login.user, u.login.pass, u.login.kind, u.login.keep, u.login.submit} {
			if w.Disabled() {
				t.Errorf("%T disabled", w)
			}
		}
		if got := h.focused(); got != "password" {
			t.Errorf("focus on %s, want password", got)
		}
	})
}

// waitTimeout bounds every wait for the window; generous for -race.
const waitTimeout = 10 * time.Second

// harness is a ui in a test window, its goroutines running as in Run.
type harness struct {
	t   *testing.T
	win fyne.Window
	ui  *ui

	mu        *sync.Mutex // the UI thread: held by fyne.Do callbacks and by do
	quitCount int         // calls of the quit func, under mu
	backend   *fakeBackend
	log       *testenv.Buffer // the window's log
}

// start shows the window and connects it to b, as Run does.
func start(t *testing.T, b *fakeBackend, msg *i18n.Catalog) *harness {
	t.Helper()
	return startOn(t, b, msg, nil)
}

// startOn is start on a desk (nil for none).
func startOn(t *testing.T, b *fakeBackend, msg *i18n.Catalog, d desk) *harness {
	t.Helper()
	b.init()
	// The test driver runs fyne.Do on the calling goroutine; a real driver
	// runs it on the main one. Taking turns on a lock gives the same
	// guarantee to ui, whose fields only the UI thread may touch, and to the
	// test, which reads them under the same lock.
	a := test.NewTempApp(t)
	mu := new(sync.Mutex)
	fyne.SetCurrentApp(lockedApp{App: a, driver: lockedDriver{Driver: a.Driver(), mu: mu}})
	h := &harness{t: t, win: a.NewWindow(""), mu: mu, backend: b, log: &testenv.Buffer{}}
	ctx, cancel := context.WithCancel(context.Background())
	h.ui = newUI(ctx, b, msg, slog.New(slog.NewTextHandler(h.log, nil)), h.win, func() { h.quitCount++ })
	h.ui.desk = d
	h.win.SetContent(h.ui.content())
	h.win.Resize(fyne.NewSize(460, 10))
	h.ui.watch()
	t.Cleanup(func() {
		cancel()
		b.hangUp()
		// Nothing of ui may run once the test app is gone.
		h.waitPending("the window's goroutines to end", func(calls, watches int) bool { return calls == 0 && watches == 0 })
		h.do(func(*ui) { h.win.Close() })
	})
	return h
}

// open is start for a resident with no session: it sends its state first,
// as the real one does, and the form becomes usable.
func open(t *testing.T, b *fakeBackend, msg *i18n.Catalog) *harness {
	t.Helper()
	h := start(t, b, msg)
	h.publish(control.StatusOf(session.Snapshot{}))
	h.settle()
	return h
}

// do runs f on the UI thread.
func (h *harness) do(f func(*ui)) {
	h.t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	f(h.ui)
}

// waitPending returns once done holds for the window's background work
// (see pending), woken by each change of it.
func (h *harness) waitPending(what string, done func(calls, watches int) bool) {
	h.t.Helper()
	timeout := time.After(waitTimeout)
	for {
		calls, watches, changed := h.ui.pending.now()
		if done(calls, watches) {
			return
		}
		select {
		case <-changed:
		case <-timeout:
			h.t.Fatalf("timed out waiting for %s: %d calls and %d streams pending", what, calls, watches)
		}
	}
}

// settle waits until the window has done all it was asked to: every call
// delivered, the stream of the resident's state (if any) waiting for the
// next event.
func (h *harness) settle() {
	h.t.Helper()
	h.waitPending("the window to settle", func(calls, _ int) bool { return calls == 0 })
}

// waitAtGate waits until the fake resident is held at the gate of op
// ("login" or "logout"), having said what it is doing.
func (h *harness) waitAtGate(op string) {
	h.t.Helper()
	select {
	case got := <-h.backend.atGate:
		if got != op {
			h.t.Fatalf("the resident waits in %s, want %s", got, op)
		}
	case <-time.After(waitTimeout):
		h.t.Fatalf("the resident does not reach the %s gate", op)
	}
}

// publish sends a status on the watch stream and returns once the window
// has applied it.
func (h *harness) publish(st control.Status) {
	h.t.Helper()
	done := make(chan bool, 1)
	go func() { done <- h.backend.publish(st) }()
	select {
	case ok := <-done:
		if !ok {
			h.t.Fatalf("status %q not delivered: the stream is closed", st.State)
		}
	case <-time.After(waitTimeout):
		h.t.Fatalf("the window does not read status %q", st.State)
	}
}

// publishTray says on the watch stream why there is no tray icon, and
// returns once the window has taken it.
func (h *harness) publishTray(noTray string) {
	h.t.Helper()
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		h.backend.sendMu.Lock() // closing the stream waits for this
		defer h.backend.sendMu.Unlock()
		for _, e := range []control.Event{{NoTray: &noTray}, {}} {
			select {
			case h.backend.events <- e:
			case <-h.backend.stop:
				return
			}
		}
	}()
	select {
	case <-sent:
	case <-time.After(waitTimeout):
		h.t.Fatalf("the window does not read the tray %q", noTray)
	}
}

func (h *harness) quits() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.quitCount
}

// focused names the focused field; call it on the UI thread.
func (h *harness) focused() string {
	switch f := h.win.Canvas().Focused(); f {
	case nil:
		return "nothing"
	case h.ui.login.server:
		return "server"
	case h.ui.login.user:
		return "user"
	case h.ui.login.pass:
		return "password"
	default:
		return fmt.Sprintf("%T", f)
	}
}

// errorShown says where the form shows an error, and what it says: by a
// field, on the general line, or "none". More than one is a failure of the
// test. Call it on the UI thread.
func (h *harness) errorShown() (where, text string) {
	h.t.Helper()
	where = "none"
	f := h.ui.login
	for _, e := range []struct {
		name string
		note *widget.Label
	}{{"server", f.serverErr}, {"user", f.userErr}, {"password", f.passErr}, {"kind", f.kindErr}, {"general", f.errText}} {
		if !e.note.Visible() {
			continue
		}
		if where != "none" {
			h.t.Errorf("errors by %s (%q) and by %s (%q)", where, text, e.name, e.note.Text)
		}
		where, text = e.name, e.note.Text
	}
	return where, text
}

// typeInto focuses e and types text into it, as the user would.
func typeInto(w fyne.Window, e *entry, text string) {
	w.Canvas().Focus(e)
	test.Type(e, text)
}

func pressEnter(e *entry) {
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
}

// lockedApp is the test app with fyne.Do serialised on a lock (see start).
type lockedApp struct {
	fyne.App
	driver lockedDriver
}

func (a lockedApp) Driver() fyne.Driver { return a.driver }

type lockedDriver struct {
	fyne.Driver
	mu *sync.Mutex
}

func (d lockedDriver) DoFromGoroutine(f func(), _ bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	f()
}

// fakeBackend behaves as the resident does, without a server. Its first
// fields are the test's settings, fixed before start.
type fakeBackend struct {
	info      control.Info
	infoErr   error // how Info fails
	infoFails int   // if not 0, only that many calls of Info fail
	watchErr  error
	loginErr  error         // how a login ends once the server is asked
	loginGate chan struct{} // if set, a login waits until it is closed
	// takeUp, if set, holds each login before it begins until it gets a
	// value, as the resident holds one while a cancelled login ends.
	takeUp     chan struct{}
	logoutGate chan struct{} // if set, a logout waits until it is closed
	// atGate says "login" or "logout" when one waits at its gate.
	atGate chan string
	// cancelled tells the login waiting at its gate that it was given up.
	cancelled chan struct{}
	changeErr error // how a change of settings ends

	// The watch stream. It is unbuffered, so a send returns once the window
	// has taken the event, that is, once it has applied the one before.
	events   chan control.Event
	stop     chan struct{} // closed when the resident goes away
	stopOnce sync.Once
	sendMu   sync.Mutex // one publisher at a time; guards closing events

	mu      sync.Mutex
	logins  []control.LoginRequest
	cancels int
	logouts int
	current control.Status
	changes []control.SettingsRequest
}

func (b *fakeBackend) init() {
	b.events = make(chan control.Event)
	b.stop = make(chan struct{})
	b.atGate = make(chan string, 1)
	b.cancelled = make(chan struct{}, 1)
	b.current = control.StatusOf(session.Snapshot{})
}

func (b *fakeBackend) Info(context.Context) (control.Info, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	err := b.infoErr
	if err == nil {
		return b.info, nil
	}
	if b.infoFails > 0 {
		b.infoFails--
		if b.infoFails == 0 {
			b.infoErr = nil // the next call succeeds
		}
	}
	return control.Info{}, err
}

func (b *fakeBackend) Watch(context.Context) (<-chan control.Event, error) {
	if b.watchErr != nil {
		return nil, b.watchErr
	}
	return b.events, nil
}

// Login does what the resident does: it checks the server, says it is
// logging in, and says how it ended before it answers.
func (b *fakeBackend) Login(ctx context.Context, req control.LoginRequest) (control.Status, error) {
	b.mu.Lock()
	b.logins = append(b.logins, req)
	b.mu.Unlock()
	server, err := ucontact.ParseServer(req.Server)
	if err != nil {
		return b.status(), err
	}
	if b.takeUp != nil {
		select {
		case <-b.takeUp:
		case <-ctx.Done():
			return b.status(), ctx.Err()
		}
	}
	snap := session.Snapshot{State: session.LoggingIn, Server: server.String(), User: req.User, Kind: session.Kind(req.Kind)}
	b.publish(b.setStatus(control.StatusOf(snap)))
	switch b.waitLogin(ctx) {
	case "cancelled":
		return b.status(), session.ErrLoginCancelled // the state said so already
	case "gone":
		return b.status(), context.Canceled
	}
	if b.loginErr != nil {
		snap = session.Snapshot{State: session.LoggedOut, LastError: b.loginErr}
	} else {
		snap.State, snap.Since = session.LoggedIn, time.Now()
	}
	st := b.setStatus(control.StatusOf(snap))
	b.publish(st)
	return st, b.loginErr
}

// waitLogin waits at the login's gate: "open" once it opens, "cancelled"
// if the login is given up first, "gone" if the window or the resident is.
func (b *fakeBackend) waitLogin(ctx context.Context) string {
	if b.loginGate == nil {
		return "open"
	}
	select {
	case b.atGate <- "login":
	case <-ctx.Done():
		return "gone"
	case <-b.stop:
		return "gone"
	}
	select {
	case <-b.loginGate:
		return "open"
	case <-b.cancelled:
		return "cancelled"
	case <-ctx.Done():
	case <-b.stop:
	}
	return "gone"
}

// CancelLogin does what the resident does: the state is logged out at
// once, and the login waiting for the server returns.
func (b *fakeBackend) CancelLogin(context.Context) (control.Status, error) {
	b.mu.Lock()
	b.cancels++
	loggingIn := b.current.State == session.LoggingIn.String()
	b.mu.Unlock()
	if !loggingIn {
		return b.status(), nil
	}
	st := b.setStatus(control.StatusOf(session.Snapshot{State: session.LoggedOut, LastError: session.ErrLoginCancelled}))
	b.publish(st)
	b.cancelled <- struct{}{}
	return st, nil
}

func (b *fakeBackend) cancelCount() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.cancels
}

func (b *fakeBackend) Logout(ctx context.Context) (control.Status, error) {
	b.mu.Lock()
	b.logouts++
	st := b.current
	b.mu.Unlock()
	if st.State != session.LoggedIn.String() {
		return st, session.ErrNotLoggedIn
	}
	st.State = session.LoggingOut.String()
	b.publish(b.setStatus(st))
	if !b.wait(ctx, "logout", b.logoutGate) {
		return b.status(), context.Canceled
	}
	st = b.setStatus(control.StatusOf(session.Snapshot{}))
	b.publish(st)
	return st, nil
}

func (b *fakeBackend) Quit(context.Context) error { return nil }

func (b *fakeBackend) ChangeSettings(_ context.Context, req control.SettingsRequest) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.changes = append(b.changes, req)
	return b.changeErr
}

// autostartChanges lists the autostart values the window asked for.
func (b *fakeBackend) autostartChanges() []bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	var values []bool
	for _, c := range b.changes {
		if c.Autostart != nil {
			values = append(values, *c.Autostart)
		}
	}
	return values
}

// publish sends st on the watch stream, and reports whether the window
// has applied it (it has not if the stream is closed).
func (b *fakeBackend) publish(st control.Status) bool {
	b.sendMu.Lock()
	defer b.sendMu.Unlock()
	select {
	case <-b.stop:
		return false
	default:
	}
	// The empty event is taken only after st is applied.
	for _, e := range []control.Event{{Status: &st}, {}} {
		select {
		case b.events <- e:
		case <-b.stop:
			return false
		}
	}
	return true
}

// hangUp ends the watch stream, as when the resident goes away.
func (b *fakeBackend) hangUp() {
	b.stopOnce.Do(func() {
		close(b.stop)
		b.sendMu.Lock()
		close(b.events)
		b.sendMu.Unlock()
	})
}

// quitting ends the watch stream as the resident does when it quits: its
// last event says so.
func (b *fakeBackend) quitting() {
	b.sendMu.Lock()
	select {
	case b.events <- control.Event{Quitting: true}:
	case <-b.stop:
	}
	b.sendMu.Unlock()
	b.hangUp()
}

func (b *fakeBackend) wait(ctx context.Context, op string, gate chan struct{}) bool {
	if gate == nil {
		return true
	}
	select {
	case b.atGate <- op:
	case <-ctx.Done():
		return false
	case <-b.stop:
		return false
	}
	select {
	case <-gate:
		return true
	case <-ctx.Done():
	case <-b.stop:
	}
	return false
}

func (b *fakeBackend) status() control.Status {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.current
}

func (b *fakeBackend) setStatus(st control.Status) control.Status {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.current = st
	return st
}

func (b *fakeBackend) requests() []control.LoginRequest {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]control.LoginRequest(nil), b.logins...)
}

func (b *fakeBackend) logoutCount() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.logouts
}

var _ Backend = (*fakeBackend)(nil)

// "Acerca de" shows what support asks for: the version and the log file,
// as the resident tells them, and the extra certificates if any. It waits
// for the resident's answer.
func TestAbout(t *testing.T) {
	info := control.Info{
		Server: "acme", User: "ana", Version: "1.4.2",
		LogPath: "/home/ana/.cache/ucontact-tray/ucontact-tray.log", CAFile: "/etc/ssl/acme-ca.pem",
	}
	for _, tc := range []struct {
		name string
		info control.Info
		want []string
	}{
		{"everything", info, []string{"Acerca de ucontact-tray", "1.4.2", info.LogPath, "Certificados adicionales", info.CAFile}},
		{"no log file", control.Info{Version: "1.4.2"}, []string{"1.4.2", es.T("about.no_log")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := open(t, &fakeBackend{info: tc.info}, es)
			h.do(func(u *ui) {
				if u.about.button.Disabled() {
					t.Fatal("Acerca de is disabled")
				}
				test.Tap(u.about.button)
				d := h.win.Canvas().Overlays().Top()
				if d == nil {
					t.Fatal("no dialog")
				}
				// The paths as the user reads them (see pathBreak).
				text := strings.ReplaceAll(strings.Join(texts(d), "\n"), pathBreak, "")
				for _, want := range tc.want {
					if !strings.Contains(text, want) {
						t.Errorf("the dialog lacks %q:\n%s", want, text)
					}
				}
				if tc.info.CAFile == "" && strings.Contains(text, "Certificados adicionales") {
					t.Errorf("extra certificates shown without any:\n%s", text)
				}
			})
		})
	}
	t.Run("before the resident answers", func(t *testing.T) {
		h := start(t, &fakeBackend{infoErr: control.ErrNoResident}, es)
		h.settle()
		h.do(func(u *ui) {
			if !u.about.button.Disabled() {
				t.Error("Acerca de is enabled with nothing to show")
			}
		})
	})
}

// texts lists the text of every label and button under o.
func texts(o fyne.CanvasObject) []string {
	var out []string
	switch w := o.(type) {
	case *widget.Label:
		out = append(out, w.Text)
	case *widget.Button:
		out = append(out, w.Text)
	case *widget.Form:
		for _, it := range w.Items {
			out = append(out, it.Text)
			out = append(out, texts(it.Widget)...)
		}
		return out
	}
	if c, ok := o.(*fyne.Container); ok {
		for _, child := range c.Objects {
			out = append(out, texts(child)...)
		}
	}
	if w, ok := o.(fyne.Widget); ok {
		r := test.WidgetRenderer(w)
		for _, child := range r.Objects() {
			out = append(out, texts(child)...)
		}
	}
	return out
}

// Closing the window that stands in for the tray asks before ending the
// session, in the app's words all through: with LANG=C the app speaks
// Spanish, and so must the buttons under its Spanish question (Fyne's own
// Yes/No would be in English then). Confirming quits.
func TestQuitQuestionInTheAppsLanguage(t *testing.T) {
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "")
	t.Setenv("LANG", "C")
	msg := i18n.MustNew(i18n.Detect(os.Getenv))
	b := &fakeBackend{info: control.Info{Server: "acme", User: "ana", NoTray: "no-host"}}
	h := open(t, b, msg)
	h.do(func(u *ui) {
		typeInto(h.win, u.login.pass, "pw")
		pressEnter(u.login.pass)
	})
	h.settle()
	var confirm *widget.Button
	h.do(func(u *ui) {
		u.onClose()
		top := h.win.Canvas().Overlays().Top()
		if top == nil {
			t.Fatal("no question shown")
		}
		var buttons, labels []string
		for _, o := range test.LaidOutObjects(top) {
			switch o := o.(type) {
			case *widget.Button:
				buttons = append(buttons, o.Text)
				if o.Importance == widget.HighImportance {
					confirm = o
				}
			case *widget.Label:
				labels = append(labels, o.Text)
			}
		}
		slices.Sort(buttons)
		if want := []string{"Cancelar", "Finalizar y salir"}; !slices.Equal(buttons, want) {
			t.Errorf("buttons %q, want %q", buttons, want)
		}
		if !slices.Contains(labels, es.T("window.quit_question")) || !slices.Contains(labels, es.T("window.quit_title")) {
			t.Errorf("labels %q, want the Spanish title and question", labels)
		}
	})
	if confirm == nil {
		t.Fatal("no confirm button")
	}
	if n := h.quits(); n != 0 {
		t.Fatalf("quit %d times before the answer", n)
	}
	h.do(func(*ui) { test.Tap(confirm) })
	h.settle()
	if n := h.quits(); n != 1 {
		t.Errorf("quit %d times after confirming, want 1", n)
	}
}

// When the tray app quits, the window closes with it, and neither says
// on screen nor logs that the tray app cannot be reached: a normal quit is
// no failure. A tray app gone without a word is one.
func TestResidentQuitsQuietly(t *testing.T) {
	b := &fakeBackend{info: control.Info{Server: "acme", User: "ana", NoTray: "no-host"}}
	h := open(t, b, es)
	go b.quitting()
	h.waitPending("the stream's end", func(_, watches int) bool { return watches == 0 })
	h.settle()
	if n := h.quits(); n != 1 {
		t.Errorf("quit %d times, want the window closed with the tray app", n)
	}
	h.do(func(u *ui) {
		if u.login.errText.Visible() || u.login.reconnect.Visible() {
			t.Errorf("the window says %q (reconnect shown %v) as the tray app quits", u.login.errText.Text, u.login.reconnect.Visible())
		}
	})
	if log := h.log.String(); strings.Contains(log, "level=WARN") || strings.Contains(log, "level=ERROR") {
		t.Errorf("the window's log on a normal quit:\n%s", log)
	}

}

// A tray app gone without a word (crashed, killed) takes the window with
// it, quietly too: a window left there could do nothing, and a tray app
// started again opens its own.
func TestResidentGoneClosesTheWindow(t *testing.T) {
	h := open(t, &fakeBackend{info: control.Info{Server: "acme", User: "ana"}}, es)
	h.backend.hangUp()
	h.waitPending("the stream's end", func(_, watches int) bool { return watches == 0 })
	h.settle()
	if n := h.quits(); n != 1 {
		t.Errorf("quit %d times, want the window closed", n)
	}
	h.do(func(u *ui) {
		if u.login.errText.Visible() || u.login.reconnect.Visible() {
			t.Errorf("the window says %q (reconnect shown %v) as it closes", u.login.errText.Text, u.login.reconnect.Visible())
		}
	})
	if log := h.log.String(); strings.Contains(log, "level=WARN") || strings.Contains(log, "level=ERROR") || !strings.Contains(log, "the tray app is gone") {
		t.Errorf("the window's log when the tray app is gone:\n%s", log)
	}
}
