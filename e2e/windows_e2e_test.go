//go:build e2e

package e2e

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"ucontact-tray/internal/testenv"
)

// The Windows build under Wine, used as an agent uses it: the login window
// that opens at start, the tray icon, its menu, balloons. Each step leaves
// a screenshot in the test's output folder.
func TestWindowsAgentPath(t *testing.T) {
	for _, kind := range kinds {
		t.Run(kind, func(t *testing.T) {
			w := newWine(t)
			d := newDesk(t, deskOptions{}) // the fake server; Wine reaches the host's loopback
			d.logDir = w.logDir()
			d.srv.AddAgent(typist, typistPassword)
			if kind == "agent" {
				w.writeSettings(`{"kind": "agent"}`) // an agent's last login
			}
			app := w.startApp()
			app.WaitLog(`tray ready`, startTimeout)
			w.waitTrayIcon("logged-out", "1-started")

			// The window opens with the tray app, usable at once: the fields
			// are clicked where they are drawn.
			app.WaitLog(`msg="login form ready"`, startTimeout)
			fields := w.waitFields()
			w.screenshot("2-login-window")
			for i, text := range []string{d.srv.URL(), typist, typistPassword} {
				w.click(fields[i].X, fields[i].Y)
				w.typeText(text)
			}
			w.xdotool("key", "Return")
			app.WaitLog(`state=logged-in`, stepTimeout)
			app.WaitLog(`logged in; closing the window`, stepTimeout)
			w.waitTrayIcon("logged-in", "3-logged-in")
			if s := d.srv.OpenSessions(); len(s) != 1 || s[0].User != typist || s[0].Kind != kind {
				t.Fatalf("open sessions %+v, want one of %s as %s", s, typist, kind)
			}

			// Finalizar Sesión, from the tray's menu.
			m := w.openMenu("4-menu")
			if len(m.items) != 4 { // the status, Finalizar Sesión, Abrir…, Salir
				t.Fatalf("the menu has %d lines, want 4", len(m.items))
			}
			w.choose(m, 1)
			app.WaitLog(`state=logged-out was=`, stepTimeout)
			w.waitTrayIcon("logged-out", "5-logged-out")
			if ends := d.srv.RequestsTo(endPath(kind)); len(ends) != 1 {
				t.Errorf("%d end-of-session requests, want 1", len(ends))
			}

			// A logout the server does not confirm is kept pending: the
			// balloon says so, with its text drawn, and the orange icon
			// stays until the automatic retry gets through.
			d.wantLog = append(d.wantLog, `level=WARN msg="logout pending"`)
			if r := w.run(password, "login", "--server", d.srv.URL(), "--user", user, "--kind", kind, "--password-stdin"); r.code != 0 {
				t.Fatalf("login: %d %s%s", r.code, r.stdout, r.stderr)
			}
			w.waitTrayIcon("logged-in", "6-logged-in-again")
			d.srv.Inject(endPath(kind), fakeStatus(503, 0))
			m = w.openMenu("7-menu")
			w.choose(m, 1)
			app.WaitLog(`msg="logout pending"`, stepTimeout)
			b := w.waitBalloon("8-pending-balloon")
			// The title and two lines of body, not an empty bubble.
			if b.lines < 2 || b.ink < 300 || b.box.Dx() < 250 {
				t.Errorf("the balloon shows no text: %v", b)
			}
			w.assertBalloonCall(app, "Cierre de sesión pendiente")
			w.waitTrayIcon("attention", "9-pending")
			d.srv.ClearFaults()
			app.WaitLog(`msg=notification summary="Sesión finalizada"`, 30*time.Second)
			w.waitTrayIcon("logged-out", "10-completed")

			// A menu open while the state changes shows the new state.
			m = w.openMenu("11-menu-logged-out")
			if len(m.items) != 3 { // the status, Iniciar sesión…, Salir
				t.Fatalf("the menu has %d lines, want 3", len(m.items))
			}
			if r := w.run(password, "login", "--server", d.srv.URL(), "--user", user, "--kind", kind, "--password-stdin"); r.code != 0 {
				t.Fatalf("login: %d %s%s", r.code, r.stdout, r.stderr)
			}
			w.waitMenu(&m, "the open menu to show the session", func(m menu) bool { return len(m.items) == 4 })
			w.screenshot("12-menu-updated")
			w.click(w.width/4, w.height/4) // closes it
			if s := d.srv.Sessions(); len(s) != 3 || s[0].Ended != 1 || s[1].Ended != 1 {
				t.Errorf("server sessions %+v: want the first two ended once each, and a third", s)
			}
		})
	}
}

// The demo, as someone trying the app out runs it: the window that opens
// with the demo's account filled in takes a click on the password field
// where it is drawn, and so does the one opened again from the tray menu.
// (Its demo line wraps once laid out: the window grew twice, and Windows
// kept it at the first size while the clicks went to the second's layout.)
func TestWindowsDemoWindow(t *testing.T) {
	w := newWine(t)
	app := w.startApp("demo", "--addr", "127.0.0.1:0")
	app.WaitLog(`tray ready`, startTimeout)
	for i, step := range []string{"1-first-window", "3-window-from-the-menu"} {
		forms := regexp.MustCompile(`msg="login form ready"`)
		testenv.WaitFor(t, startTimeout, "the login form", func() bool {
			return len(forms.FindAllString(app.Output(), -1)) == i+1
		})
		fields := w.waitFields()
		w.screenshot(step)
		w.click(fields[2].X, fields[2].Y) // the password; the rest is filled in
		w.typeText("demo1234")
		w.xdotool("key", "Return")
		logins := regexp.MustCompile(`state=logged-in was=logging-in`)
		testenv.WaitFor(t, stepTimeout, "the login", func() bool {
			return len(logins.FindAllString(app.Output(), -1)) == i+1
		})
		w.waitTrayIcon("logged-in", fmt.Sprintf("%d-logged-in", 2*i+2))
		if i == 1 {
			break
		}
		w.choose(w.openMenu("2-menu"), 1) // Finalizar Sesión
		w.waitTrayIcon("logged-out", "2-logged-out")
		w.choose(w.openMenu("2-menu-logged-out"), 1) // Iniciar sesión…
	}
}

// assertBalloonCall checks, in Wine's trace of Shell_NotifyIconW, that the
// app's notification with this title went out with the C size of
// NOTIFYICONDATAW. The app's own calls (tooltips, balloons) are the ones
// that are not systray's 984 bytes: all of them must be 976 bytes, which
// Wine takes whole (with 984 it drops a balloon's text), and there must be
// one between the notification asked for and shown.
func (w *wine) assertBalloonCall(app *testenv.Process, title string) {
	w.t.Helper()
	// The app logs a notification when asked for it and once shown: its
	// balloon call is between the two.
	shown := app.WaitLog(`msg="notification (shown|not shown)" summary="`+regexp.QuoteMeta(title)+`"`, stepTimeout)
	out := app.Output()
	at := strings.Index(out, `msg=notification summary="`+title+`"`)
	end := strings.Index(out, shown[0])
	if at < 0 || end < at {
		w.t.Fatalf("no notification %q asked for before it was shown", title)
	}
	if strings.Contains(shown[0], "not shown") {
		w.t.Errorf("the notification %q was not shown", title)
	}
	calls := regexp.MustCompile(`Shell_NotifyIconW dwMessage = \d+, nid->cbSize=(\d+)`)
	during := 0
	for _, m := range calls.FindAllStringSubmatchIndex(out, -1) {
		switch size := out[m[2]:m[3]]; size {
		case "984", "168": // systray's own, and Wine's Windows 95 reading of it
		case "976":
			if m[0] > at && m[0] < end {
				during++
			}
		default:
			w.t.Errorf("a Shell_NotifyIconW call with cbSize=%s", size)
		}
	}
	if during == 0 {
		w.t.Errorf("no Shell_NotifyIconW call of the app's (cbSize=976) for the notification %q", title)
	}
}

// A session left open by an app that was killed is ended at the next
// start, and the balloon that says so is shown once the icon is there.
func TestWindowsRecoveredSessionBalloon(t *testing.T) {
	w := newWine(t)
	d := newDesk(t, deskOptions{})
	d.logDir = w.logDir()
	app := w.startApp()
	app.WaitLog(`tray ready`, startTimeout)
	if r := w.run(password, "login", "--server", d.srv.URL(), "--user", user, "--password-stdin"); r.code != 0 {
		t.Fatalf("login: %d %s%s", r.code, r.stdout, r.stderr)
	}
	w.end() // the whole Windows session killed: no logout
	if s := d.srv.OpenSessions(); len(s) != 1 {
		t.Fatalf("open sessions %+v, want the one left", s)
	}
	app = w.startApp()
	app.WaitLog(`tray ready`, startTimeout)
	b := w.waitBalloon("1-recovered-balloon")
	if b.lines < 2 || b.ink < 300 {
		t.Errorf("the balloon shows no text: %v", b)
	}
	w.assertBalloonCall(app, "Sesión anterior cerrada")
	d.assertEndedOnce()
}

// The Windows build under Wine: logged in through the command line, the
// session is ended when Windows shuts down, before the app is gone.
func TestWindowsShutdownEndsTheSession(t *testing.T) {
	w := newWine(t)
	d := newDesk(t, deskOptions{}) // the fake server; Wine reaches the host's loopback
	d.logDir = w.logDir()
	for _, kind := range kinds {
		t.Run(kind, func(t *testing.T) {
			w.end() // a fresh Windows session: the last one went through a shutdown
			before := len(d.srv.RequestsTo(endPath(kind)))
			app := w.startApp()
			app.WaitLog(`end-session window ready`, startTimeout)
			app.WaitLog(`tray ready`, startTimeout)

			r := w.run(password, "login", "--server", d.srv.URL(), "--user", user, "--kind", kind, "--password-stdin")
			if r.code != 0 {
				t.Fatalf("login: %d %s%s", r.code, r.stdout, r.stderr)
			}
			app.WaitLog(`state=logged-in`, stepTimeout)
			// The first login turns on "Iniciar con el sistema": the user's
			// Run key names the program, quoted.
			testenv.WaitFor(t, stepTimeout, "the Run key to name the app", func() bool {
				r := runToEnd(t, w.command("wine", "reg", "query", `HKCU\Software\Microsoft\Windows\CurrentVersion\Run`, "/v", "ucontact-tray"), "")
				return strings.Contains(r.stdout, `"`+w.exe+`"`)
			})

			// wineboot --end-session walks the windows of the desktop it runs
			// on: it must be the app's.
			testenv.Output(t, wineTimeout, w.command("wine", "explorer", "/desktop="+w.desktop, "wineboot.exe", "--end-session", "--shutdown"))
			app.WaitLog(`source=WM_QUERYENDSESSION`, stepTimeout)
			testenv.WaitFor(t, stepTimeout, "the app to be gone", func() bool {
				return !w.running()
			})
			gone := time.Now()
			ends := d.srv.RequestsTo(endPath(kind))
			if len(ends) != before+1 {
				t.Fatalf("%d end-of-session requests, want 1", len(ends)-before)
			}
			if end := ends[len(ends)-1]; !end.At.Before(gone) {
				t.Errorf("the end of session arrived at %v, after the app was gone (%v)", end.At, gone)
			}
			for _, s := range d.srv.Sessions() {
				if s.Ended != 1 {
					t.Errorf("session %+v ended %d times", s, s.Ended)
				}
			}
		})
	}
}
